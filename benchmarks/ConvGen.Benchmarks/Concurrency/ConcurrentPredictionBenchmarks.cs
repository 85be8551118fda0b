using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using ConvGen.Benchmarks.Comparison;
using ConvGen.Models;

namespace ConvGen.Benchmarks.Concurrency;

/// <summary>
/// Batch-1 <see cref="Model.Predict(ReadOnlySpan{float})"/> served to one caller and to two callers at once, on one
/// model, with the engine on one or two threads: the throughput a service gets from a second request thread (time per
/// prediction; two callers at the time of one would be twice the throughput). Beside them the same single-caller
/// predictions without the engine's thread-safety gate, the baseline: their ratio is what the gate costs a lone
/// caller. Images are MNIST test digits (the dense layers skip the kernel rows of zero pixels, so the image matters),
/// or random ones when MNIST is not available.
/// </summary>
[MemoryDiagnoser]
public class ConcurrentPredictionBenchmarks
{
    /// <summary>Predictions each caller makes per benchmark invocation.</summary>
    private const int Calls = 256;

    private Model _model = null!;
    private float[][] _images = null!;
    private SecondCaller? _second;

    [Params("mnist-mlp", "beating-dense", "mnist-lenet", "mnist-cnn")]
    public string Network { get; set; } = "mnist-mlp";

    [Params(1, 2)]
    public int EngineThreads { get; set; } = 2;

    [GlobalSetup]
    public void Setup()
    {
        SeedNetwork network = SeedNetwork.Find(Network) ?? throw new InvalidOperationException($"No seed network {Network}.");
        _model = network.Create(1);
        _model.Engine.Threads = EngineThreads;
        int size = _model.Description.InputShape.Size;
        float[] images;
        try
        {
            images = Mnist.Load().Test.Take(64).Images.ToArray();
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"MNIST is not available ({e.Message}); timing random images.");
            images = TrainingBatch.Random(_model.Description, 64, seed: 1).Images;
        }

        _images = [.. Enumerable.Range(0, 64).Select(i => images.AsSpan(i * size, size).ToArray())];
    }

    [GlobalSetup(Target = nameof(TwoCallers))]
    public void SetupTwoCallers()
    {
        Setup();
        _second = new SecondCaller(() => Predict(offset: 32));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _second?.Dispose();
        _second = null;
        (_model.Engine as IDisposable)?.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Calls, Description = "one caller, no gate")]
    public float OneCallerWithoutGate()
    {
        var probabilities = new float[_model.Description.Classes];
        float sum = 0;
        for (int call = 0; call < Calls; call++)
        {
            _model.Engine.PredictUngated(_model.Buffers, _images[call % 64], 1, probabilities);
            sum += probabilities[0];
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Calls, Description = "one caller")]
    public float OneCaller() => Predict(offset: 0);

    [Benchmark(OperationsPerInvoke = 2 * Calls, Description = "two callers")]
    public float TwoCallers()
    {
        _second!.Start();
        float sum = Predict(offset: 0);
        _second.Wait();
        return sum;
    }

    private float Predict(int offset)
    {
        float sum = 0;
        for (int call = 0; call < Calls; call++)
        {
            sum += _model.Predict(_images[(call + offset) % 64])[0];
        }

        return sum;
    }

    /// <summary>
    /// A second caller on a thread of its own, started by <see cref="Start"/> and joined by <see cref="Wait"/>. Between
    /// invocations it spins briefly for the next start (so a start costs no wake-up), then sleeps, so it takes no core
    /// from the other benchmarks.
    /// </summary>
    private sealed class SecondCaller : IDisposable
    {
        private static readonly long SpinTicks = Stopwatch.Frequency / 1000;
        private readonly Func<float> _work;
        private readonly Thread _thread;
        private readonly SemaphoreSlim _wake = new(0);
        private int _started;
        private int _finished;
        private volatile bool _stopping;

        public SecondCaller(Func<float> work)
        {
            _work = work;
            _thread = new Thread(Loop) { IsBackground = true, Name = "second caller" };
            _thread.Start();
        }

        public void Start()
        {
            Interlocked.Increment(ref _started);
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }

        public void Wait()
        {
            var spinner = default(SpinWait);
            while (Volatile.Read(ref _finished) != Volatile.Read(ref _started))
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }
        }

        public void Dispose()
        {
            _stopping = true;
            _wake.Release();
            _thread.Join();
            _wake.Dispose();
        }

        private void Loop()
        {
            int done = 0;
            while (true)
            {
                long start = Stopwatch.GetTimestamp();
                while (Volatile.Read(ref _started) == done && !_stopping)
                {
                    if (Stopwatch.GetTimestamp() - start > SpinTicks)
                    {
                        _wake.Wait();
                        start = Stopwatch.GetTimestamp();
                    }
                }

                if (_stopping)
                {
                    return;
                }

                _work();
                done++;
                Volatile.Write(ref _finished, done);
            }
        }
    }
}
