using BenchmarkDotNet.Attributes;
using ConvGen.Models;

namespace ConvGen.Benchmarks;

/// <summary>
/// One training step (forward, backward and the Adam update) of a seed network at its notebook's batch size, with the
/// generated engine and with the interpreted engine on the same weights and batch. Both run in the same process, so
/// their ratio is measured side by side.
/// </summary>
[MemoryDiagnoser]
public class TrainingStepBenchmarks
{
    private Model _generated = null!;
    private Model _interpreted = null!;
    private float[] _images = [];
    private int[] _labels = [];
    private Adam _generatedOptimizer = null!;
    private Adam _interpretedOptimizer = null!;
    private ulong _step;

    [Params("mnist-lenet", "mnist-cnn")]
    public string Network { get; set; } = "mnist-cnn";

    public int BatchSize => Network == "mnist-lenet" ? 32 : 128;

    [GlobalSetup]
    public void Setup()
    {
        _generated = Network == "mnist-lenet" ? new MnistLeNet(seed: 1) : new MnistCnn(seed: 1);
        _interpreted = _generated.ToInterpreted();
        var random = new Random(1);
        _images = new float[BatchSize * _generated.Description.InputShape.Size];
        for (int i = 0; i < _images.Length; i++)
        {
            _images[i] = (float)random.NextDouble();
        }

        _labels = Enumerable.Range(0, BatchSize).Select(i => i % 10).ToArray();
        _generatedOptimizer = new Adam();
        _interpretedOptimizer = new Adam();
    }

    [Benchmark(Baseline = true, Description = "interpreted")]
    public float Interpreted() => Step(_interpreted, _interpretedOptimizer);

    [Benchmark(Description = "generated")]
    public float Generated() => Step(_generated, _generatedOptimizer);

    private float Step(Model model, Adam optimizer)
    {
        var metrics = model.Engine.ComputeGradients(model.Buffers, _images, _labels, BatchSize, ++_step);
        optimizer.Apply(model.Buffers.Parameters.Span, model.Buffers.Gradients.Span);
        return (float)metrics.LossSum;
    }
}
