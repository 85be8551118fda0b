using BenchmarkDotNet.Attributes;

namespace ConvGen.Benchmarks.Kernels;

/// <summary>
/// The optimizers' update, one vectorised pass over the flat parameter buffer, on mnist-cnn's 600,810 parameters (the
/// largest seed network's; each update reads the gradients and the optimizer's state and writes the parameters and
/// the state back). On one thread, as <c>Optimizer.Apply</c> runs it; a training step splits the same pass over its
/// threads.
/// </summary>
[MemoryDiagnoser]
public class OptimizerBenchmarks
{
    public const int Parameters = 600_810;

    private float[] _parameters = null!;
    private float[] _gradients = null!;
    private Optimizer _optimizer = null!;

    [Params("sgd", "sgd-momentum", "rmsprop", "adam")]
    public string Optimizer { get; set; } = "adam";

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _parameters = Enumerable.Range(0, Parameters).Select(_ => (random.NextSingle() - 0.5f) * 0.1f).ToArray();
        _gradients = Enumerable.Range(0, Parameters).Select(_ => (random.NextSingle() - 0.5f) * 1e-3f).ToArray();
        _optimizer = Optimizer switch
        {
            "sgd" => new Sgd(0.01),
            "sgd-momentum" => new Sgd(0.01, momentum: 0.9),
            "rmsprop" => new RmsProp(),
            _ => new Adam(),
        };
    }

    [Benchmark(Description = "update")]
    public float Update()
    {
        _optimizer.Apply(_parameters, _gradients);
        return _parameters[0];
    }
}
