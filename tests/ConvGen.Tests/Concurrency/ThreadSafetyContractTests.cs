using ConvGen.Engines;
using ConvGen.Tests.Training;

namespace ConvGen.Tests.Concurrency;

/// <summary>
/// The thread-safety contract of <see cref="Model"/>, each rule made deterministic by parking one call at a known
/// point: a training or a weight change needs the model to itself and is refused (never waited for, never a spin)
/// while another thread predicts; a prediction on another thread is refused while one trains; a prediction that
/// cannot run beside the one in progress waits for it; the thread running a Fit may evaluate and set weights from its
/// callbacks. Before, two Fits on one model spun forever at 200 % CPU and nothing refused anything.
/// </summary>
public class ThreadSafetyContractTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(1);

    private static Dataset Data => TestData.Separable(40);

    [Fact]
    public void FitIsRefusedWhileAnotherThreadPredicts()
    {
        var engine = new ParkingEngine();
        var model = new TestModel(engine) { Output = TextWriter.Null };
        float[] before = model.GetWeights()[0];
        using ParkingEngine.Parked predicting = engine.ParkIn(() => model.Predict([1f, 2f]));

        var error = Assert.Throws<InvalidOperationException>(() => model.Fit(Data, epochs: 1, verbose: 0));
        Assert.Equal("Model 'softmax' cannot start a Fit: another thread is predicting or evaluating with it. Training and replacing weights need the model to themselves.", error.Message);
        Assert.Equal(before, model.GetWeights()[0]);
        Assert.Null(model.Optimizer);
    }

    [Fact]
    public void WeightsCannotBeReplacedWhileAnotherThreadPredicts()
    {
        var engine = new ParkingEngine();
        var model = new TestModel(engine) { Output = TextWriter.Null };
        float[][] weights = model.GetWeights();
        using ParkingEngine.Parked predicting = engine.ParkIn(() => model.Predict([1f, 2f]));

        Assert.Contains("cannot set its weights: another thread is predicting", Assert.Throws<InvalidOperationException>(() => model.SetWeights(weights)).Message);
        Assert.Contains("cannot initialise its weights", Assert.Throws<InvalidOperationException>(model.InitializeWeights).Message);
        Assert.Contains("cannot run a training step", Assert.Throws<InvalidOperationException>(() => engine.ComputeGradients(model.Buffers, [1f, 2f], [0], 1, 0)).Message);
    }

    [Fact]
    public void FitIsRefusedBetweenTheBatchesOfAnEvaluationOnAnotherThread()
    {
        // Predict(Dataset) and Evaluate keep the model from their first batch to their last, not only during each.
        var model = new TestModel(new SoftmaxEngine(SoftmaxEngine.Describe())) { Output = TextWriter.Null };
        using var registered = new ManualResetEventSlim();
        using var done = new ManualResetEventSlim();
        var reader = new Thread(() =>
        {
            using (model.Engine.EnterReading())
            {
                registered.Set();
                done.Wait();
            }
        });
        reader.Start();
        Assert.True(registered.Wait(Limit));

        Assert.Throws<InvalidOperationException>(() => model.Fit(Data, epochs: 1, verbose: 0));
        done.Set();
        Assert.True(reader.Join(Limit));
        model.Fit(Data, epochs: 1, verbose: 0);
    }

    [Fact]
    public void PredictionsAndEvaluationsOnAnotherThreadAreRefusedWhileItTrains()
    {
        var engine = new ParkingEngine();
        var model = new TestModel(engine) { Output = TextWriter.Null };
        using var parked = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var training = new Thread(() => model.Fit(Data, epochs: 2, verbose: 0, callbacks: [new ParkAtEpochEnd(parked, release)]));
        training.Start();
        Assert.True(parked.Wait(Limit));
        try
        {
            string expected = "Model 'softmax' cannot predict or evaluate: it is being trained on another thread. Call it after Fit returns, or use a second model with the same weights.";
            Assert.Equal(expected, Assert.Throws<InvalidOperationException>(() => model.Predict([1f, 2f])).Message);
            Assert.Equal(expected, Assert.Throws<InvalidOperationException>(() => model.Predict(Data)).Message);
            Assert.Equal(expected, Assert.Throws<InvalidOperationException>(() => model.Evaluate(Data)).Message);
            Assert.Equal(expected.Replace("predict or evaluate", "read its weights", StringComparison.Ordinal), Assert.Throws<InvalidOperationException>(() => model.GetWeights()).Message);
            Assert.Contains("cannot start a Fit: it is being trained on another thread", Assert.Throws<InvalidOperationException>(() => model.Fit(Data, verbose: 0)).Message);
            Assert.Contains("cannot set its weights: it is being trained", Assert.Throws<InvalidOperationException>(() => model.SetWeights(model.Description.Weights.Select(w => new float[w.Length]).ToArray())).Message);
        }
        finally
        {
            release.Set();
            Assert.True(training.Join(Limit));
        }

        // Once Fit has returned, everything works again.
        Assert.Equal(2, model.Predict([1f, 2f]).Length);
    }

    [Fact]
    public void CallbacksOfAFitMayPredictEvaluateAndSetWeightsButNotStartAnotherFit()
    {
        var model = new TestModel(new SoftmaxEngine(SoftmaxEngine.Describe())) { Output = TextWriter.Null };
        Dataset data = Data;
        var seen = new List<string>();
        var callback = new RecordingCallback
        {
            OnEvent = (_, name) =>
            {
                if (name != "EpochEnd 0")
                {
                    return;
                }

                seen.Add($"evaluate {model.Evaluate(data).Accuracy >= 0}");
                seen.Add($"predict {model.Predict([1f, 2f]).Length}");
                model.SetWeights(model.GetWeights());
                seen.Add("set weights");
                var error = Assert.Throws<InvalidOperationException>(() => model.Fit(data, verbose: 0));
                seen.Add(error.Message);
            },
        };

        model.Fit(data, epochs: 1, verbose: 0, callbacks: [callback]);

        Assert.Equal(["evaluate True", "predict 2", "set weights", "Model 'softmax' cannot start a Fit from inside its own Fit, Predict or Evaluate (a callback, say); start it after the running one returns."], seen);
    }

    [Fact]
    public void APredictionThatCannotRunBesideAnotherWaitsForIt()
    {
        // The test engine has no workspace per call, so a second prediction takes its turn, and gets its own result.
        var engine = new ParkingEngine();
        var model = new TestModel(engine) { Output = TextWriter.Null };
        float[] expected = model.Predict([3f, -1f]);
        using ParkingEngine.Parked first = engine.ParkIn(() => model.Predict([1f, 2f]));

        float[]? second = null;
        var waiting = new Thread(() => second = model.Predict([3f, -1f]));
        waiting.Start();
        Assert.False(waiting.Join(TimeSpan.FromMilliseconds(200)), "the second prediction ran while the first held the engine");
        engine.Release();
        Assert.True(waiting.Join(Limit));
        Assert.Equal(expected, second);
        Assert.Equal(0, engine.CallsRunAlone);
    }

    [Fact]
    public void TwoFitsOnOneModelNeverSpin()
    {
        // The case: two tasks calling Fit on one model spun forever. Now one trains and the other is refused,
        // or, when the first is done before the second starts, both train; either way both return.
        var model = new TestModel(new SoftmaxEngine(SoftmaxEngine.Describe())) { Output = TextWriter.Null };
        Dataset data = TestData.Separable(400);
        int refused = 0;
        int trained = 0;
        ConcurrentPredictionTests.RunCallers(
            _ =>
            {
                try
                {
                    model.Fit(data, epochs: 3, batchSize: 8, optimizer: null, verbose: 0);
                    Interlocked.Increment(ref trained);
                }
                catch (InvalidOperationException e) when (e.Message.Contains("it is being trained on another thread", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref refused);
                }
            },
            callers: 4);

        Assert.Equal(4, refused + trained);
        Assert.True(trained >= 1);
    }

    [Fact]
    public void TheEngineThreadsCannotChangeWhileAnotherThreadTrains()
    {
        var model = new Generated.BatchNormalizationModel(seed: 1) { Output = TextWriter.Null };
        (float[] images, int[] labels) = Generated.EngineComparison.Batch(model.Description, 16, seed: 2);
        var data = new Dataset(images, labels, model.Description.InputShape);
        using var parked = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        int threads = model.Engine.Threads;
        var training = new Thread(() => model.Fit(data, epochs: 1, batchSize: 8, verbose: 0, callbacks: [new ParkAtEpochEnd(parked, release)]));
        training.Start();
        Assert.True(parked.Wait(Limit));
        try
        {
            var error = Assert.Throws<InvalidOperationException>(() => model.Engine.Threads = threads + 1);
            Assert.Contains("cannot change its threads: it is being trained on another thread", error.Message);
        }
        finally
        {
            release.Set();
            Assert.True(training.Join(Limit));
        }

        model.Engine.Threads = threads + 1;
        Assert.Equal(threads + 1, model.Engine.Threads);
    }

    /// <summary>Softmax regression whose next prediction, once armed by <see cref="ParkIn"/>, stops inside the engine
    /// (holding it) until <see cref="Release"/>.</summary>
    private sealed class ParkingEngine() : SoftmaxEngine(Describe())
    {
        private readonly ManualResetEventSlim _parked = new();
        private readonly ManualResetEventSlim _release = new();
        private int _armed;

        /// <summary>Runs <paramref name="call"/> on a new thread and returns once it is parked inside the engine;
        /// disposing the result releases it and joins the thread.</summary>
        public Parked ParkIn(Action call)
        {
            Volatile.Write(ref _armed, 1);
            var thread = new Thread(() => call()) { IsBackground = true };
            thread.Start();
            Assert.True(_parked.Wait(Limit), "the call never reached the engine");
            return new Parked(thread, this);
        }

        public void Release() => _release.Set();

        protected override void PredictCore(ModelBuffers buffers, ReadOnlySpan<float> images, int count, Span<float> probabilities)
        {
            if (Interlocked.Exchange(ref _armed, 0) == 1)
            {
                _parked.Set();
                _release.Wait();
            }

            base.PredictCore(buffers, images, count, probabilities);
        }

        /// <summary>The parked call's thread: disposing releases and joins it.</summary>
        public sealed class Parked(Thread thread, ParkingEngine engine) : IDisposable
        {
            public void Dispose()
            {
                engine.Release();
                Assert.True(thread.Join(Limit));
            }
        }
    }

    /// <summary>Parks the Fit running it at the end of its first epoch (holding the model) until released.</summary>
    private sealed class ParkAtEpochEnd(ManualResetEventSlim parked, ManualResetEventSlim release) : Callback
    {
        public override void OnEpochEnd(int epoch, EpochLogs logs)
        {
            if (epoch == 0)
            {
                parked.Set();
                release.Wait();
            }
        }
    }
}
