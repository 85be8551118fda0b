using BenchmarkDotNet.Attributes;
using ConvGen.Benchmarks.Comparison;
using ConvGen.Models;

namespace ConvGen.Benchmarks;

/// <summary>
/// One training step (forward, backward and the Adam update) of a seed network at its notebook's batch size, exactly as
/// <see cref="Model.Fit"/> runs it (<c>Engine.TrainStep</c>), with the generated engine and with the interpreted
/// engine on the same weights and batch. Both run in the same process, so their ratio is measured side by side.
/// </summary>
[MemoryDiagnoser]
public class TrainingStepBenchmarks
{
    private Model _generated = null!;
    private Model _interpreted = null!;
    private TrainingBatch _batch = null!;
    private Adam _generatedOptimizer = null!;
    private Adam _interpretedOptimizer = null!;
    private ulong _step;

    [Params("mnist-lenet", "mnist-cnn")]
    public string Network { get; set; } = "mnist-cnn";

    [GlobalSetup]
    public void Setup()
    {
        SeedNetwork network = SeedNetwork.Find(Network) ?? throw new InvalidOperationException($"No seed network {Network}.");
        _generated = network.Create(1);
        _interpreted = _generated.ToInterpreted();
        _batch = TrainingBatch.Random(_generated.Description, network.BatchSize, seed: 1);
        _generatedOptimizer = new Adam();
        _interpretedOptimizer = new Adam();
    }

    [Benchmark(Baseline = true, Description = "interpreted")]
    public float Interpreted() => Step(_interpreted, _interpretedOptimizer);

    [Benchmark(Description = "generated")]
    public float Generated() => Step(_generated, _generatedOptimizer);

    private float Step(Model model, Adam optimizer) =>
        (float)model.Engine.TrainStep(model.Buffers, _batch.Images, _batch.Labels, _batch.Count, ++_step, optimizer).LossSum;
}
