using BenchmarkDotNet.Attributes;
using ConvGen.Benchmarks.Comparison;

namespace ConvGen.Benchmarks.Kernels;

/// <summary>
/// Each kind of generated kernel on its own small network (Kernels/KernelModels.cs) at batch 128: the forward pass
/// as <c>Predict</c> runs it, and the forward and backward pass as a training step runs them before its update
/// (<c>Engine.ComputeGradients</c>), both on the engine's default threads. The GFLOP/s and % of peak columns
/// (<see cref="ThroughputColumn"/>) count the product layers' multiply-adds as the comparison does.
/// </summary>
[MemoryDiagnoser]
public class KernelBenchmarks
{
    /// <summary>The kernel kinds, each with the network that isolates it.</summary>
    public static IReadOnlyDictionary<string, Func<Model>> Networks { get; } = new Dictionary<string, Func<Model>>
    {
        ["dense"] = () => new DenseKernelModel(1),
        ["dense-quads"] = () => new DenseColumnQuadsKernelModel(1),
        ["conv-direct"] = () => new DirectConvolutionKernelModel(1),
        ["conv-winograd"] = () => new WinogradConvolutionKernelModel(1),
        ["max-pooling"] = () => new MaxPoolingKernelModel(1),
        ["batch-norm"] = () => new BatchNormalizationKernelModel(1),
    };

    public const int BatchSize = 128;

    private Model _model = null!;
    private TrainingBatch _batch = null!;
    private float[] _probabilities = null!;

    /// <summary>The kernel kinds, in the order of <see cref="Networks"/>.</summary>
    public static IEnumerable<string> Kernels => Networks.Keys;

    [ParamsSource(nameof(Kernels))]
    public string Kernel { get; set; } = "dense";

    [GlobalSetup]
    public void Setup()
    {
        _model = Networks[Kernel]();
        _batch = TrainingBatch.Random(_model.Description, BatchSize, seed: 1);
        _probabilities = new float[BatchSize * _model.Description.Classes];
    }

    [Benchmark(Description = "forward")]
    public float Forward()
    {
        _model.Engine.Predict(_model.Buffers, _batch.Images, _batch.Count, _probabilities);
        return _probabilities[0];
    }

    [Benchmark(Description = "forward+backward")]
    public float ForwardBackward() =>
        (float)_model.Engine.ComputeGradients(_model.Buffers, _batch.Images, _batch.Labels, _batch.Count, dropoutSeed: 1).LossSum;

    /// <summary>FLOP of one call of a benchmark method on a kernel's network, by the comparison's convention (2 per
    /// multiply-add of the Conv2D and Dense layers; the backward pass adds the weight gradients and the input gradients
    /// a trainable layer before needs).</summary>
    public static long Flop(string kernel, string method)
    {
        ModelDescription description = Networks[kernel]().Description;
        long perSample = method == nameof(Forward) ? 2 * description.ForwardMultiplyAdds : FlopCounter.TrainingFlopPerSample(description);
        return perSample * BatchSize;
    }
}
