using ConvGen.Models;
using ConvGen.Tests.Concurrency;
using ConvGen.Tests.Generated;
using ConvGen.Train;

namespace ConvGen.Tests.Training;

/// <summary>
/// Divergence is loud: <see cref="TerminateOnNaN"/> stops at the first batch whose loss is NaN or infinite and says so,
/// Fit shows such a loss in its output and its History, the trainer stops by default, and a batch size beyond the data
/// trains on all of it instead of overflowing into nothing.
/// </summary>
public class DivergenceTests
{
    /// <summary>512 random samples of <see cref="SmallServingModel"/>'s 64 features, 10 classes.</summary>
    private static Dataset Noise()
    {
        var random = new Random(1);
        var images = new float[512 * 64];
        for (int i = 0; i < images.Length; i++)
        {
            images[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return new Dataset(images, [.. Enumerable.Range(0, 512).Select(_ => random.Next(10))], 64);
    }

    [Fact]
    public void WithoutTerminateOnNaNADivergingFitShowsNaNInItsOutputAndHistory()
    {
        // The case: Sgd(100) trains every epoch at "loss: nan". Keras does the same without the callback; the
        // loss must at least read as NaN, not as a plausible number.
        var output = new StringWriter();
        var model = new SmallServingModel(seed: 3) { Output = output };

        History history = model.Fit(Noise(), epochs: 3, batchSize: 32, optimizer: new Sgd(100), shuffle: false, verbose: 2);

        Assert.Equal(3, history.Count);
        Assert.True(float.IsFinite(history.Loss[0]));
        Assert.True(float.IsNaN(history.Loss[1]) && float.IsNaN(history.Loss[2]));
        string[] lines = FitTests.Lines(output);
        Assert.StartsWith("Epoch 2/3 - ", lines[1]);
        Assert.Contains(" - loss: nan - accuracy: ", lines[1]);
        Assert.Contains(" - loss: nan - accuracy: ", lines[2]);
    }

    [Fact]
    public void TerminateOnNaNStopsAtTheFirstBatchWithAnInvalidLossAndSaysSo()
    {
        var output = new StringWriter();
        var model = new SmallServingModel(seed: 3) { Output = output };
        var losses = new List<(int Epoch, int Batch, float Loss)>();
        var batches = new BatchLossRecorder(losses);
        var terminate = new TerminateOnNaN();

        History history = model.Fit(Noise(), epochs: 3, batchSize: 32, optimizer: new Sgd(100), shuffle: false, verbose: 2, callbacks: [batches, terminate]);

        // The first batch whose (running) loss is not finite is the last one trained.
        (int epoch, int batch, float loss) = losses[^1];
        Assert.False(float.IsFinite(loss));
        Assert.All(losses.SkipLast(1), entry => Assert.True(float.IsFinite(entry.Loss)));
        Assert.True(terminate.Terminated);
        Assert.Equal(epoch, terminate.StoppedEpoch);
        Assert.Equal(batch, terminate.StoppedBatch);
        Assert.Equal((float?)loss, terminate.InvalidLoss);
        Assert.Equal(1, epoch);
        Assert.True(batch < 15, $"stopped at batch {batch} of 16, not after it");

        // The epoch it stopped in is logged, with its invalid loss, and training ends there.
        Assert.Equal(2, history.Count);
        Assert.True(float.IsNaN(history.Loss[1]));
        Assert.Equal(
            ["Epoch 1/3", $"Batch {batch}: Invalid loss, terminating training", "Epoch 2/3"],
            FitTests.Lines(output).Select(line => line.StartsWith("Epoch", StringComparison.Ordinal) ? line[..9] : line));
        Assert.Contains("loss: nan", FitTests.Lines(output)[2]);
    }

    [Fact]
    public void TerminateOnNaNStopsAtTheBatchHoldingANaNSample()
    {
        // A NaN in sample 9 (let in deliberately): with batches of 4 in order, batch 2 is the first invalid one.
        Dataset clean = TestData.Indexed(20);
        float[] images = clean.Images.ToArray();
        images[(9 * 2) + 1] = float.NaN;
        var data = new Dataset(images, clean.Labels.ToArray(), 2, allowNonFinite: true);
        var model = new TestModel(new SoftmaxEngine(SoftmaxEngine.Describe())) { Output = new StringWriter() };
        var terminate = new TerminateOnNaN();

        History history = model.Fit(data, epochs: 5, batchSize: 4, optimizer: new Sgd(0.001), shuffle: false, verbose: 0, callbacks: [terminate]);

        Assert.Equal<(int?, int?)>((0, 2), (terminate.StoppedEpoch, terminate.StoppedBatch));
        Assert.Equal(["Batch 2: Invalid loss, terminating training"], FitTests.Lines((StringWriter)model.Output));
        Assert.Single(history.Loss);
        Assert.True(float.IsNaN(history.Loss[0]));

        // A fresh Fit starts clean.
        model.Fit(TestData.Indexed(20), epochs: 1, batchSize: 4, optimizer: new Sgd(0.001), verbose: 0, callbacks: [terminate]);
        Assert.False(terminate.Terminated);
        Assert.Null(terminate.StoppedBatch);
    }

    [Fact]
    public void TheTrainerStopsADivergingRunByDefault()
    {
        // convgen-train's recipe: a model whose weights are already NaN stops after its first batch.
        SeedNetwork network = SeedNetwork.Find("mnist-mlp")!;
        Model model = network.Create(1);
        model.Output = new StringWriter();
        model.SetWeights([.. model.GetWeights().Select(w => Enumerable.Repeat(float.NaN, w.Length).ToArray())]);
        var images = new float[40 * 784];
        var data = new Dataset(images, [.. Enumerable.Range(0, 40).Select(i => i % 10)], 28, 28, 1);
        var recipe = new TrainRecipe(Epochs: 3, BatchSize: 8, ValidationSplit: 0, ValidateOnTest: false);

        (History history, TerminateOnNaN divergence) = recipe.Fit(model, data, data, verbose: 2);

        Assert.True(divergence.Terminated);
        Assert.Equal<(int?, int?)>((0, 0), (divergence.StoppedEpoch, divergence.StoppedBatch));
        Assert.Single(history.Loss);
        Assert.Contains("Batch 0: Invalid loss, terminating training", model.Output.ToString());
    }

    [Fact]
    public void ABatchSizeBeyondTheDataTrainsOnAllOfItInOneStep()
    {
        // The case: batchSize int.MaxValue overflowed (count + batchSize - 1) / batchSize, trained nothing and
        // reported NaN.
        var engine = new RecordingEngine(SoftmaxEngine.Describe());
        var model = new TestModel(engine) { Output = new StringWriter() };

        History history = model.Fit(TestData.Indexed(10), epochs: 2, batchSize: int.MaxValue, optimizer: new Sgd(0.01), shuffle: false, verbose: 1);

        Assert.Equal([10, 10], engine.TrainingCalls.Select(call => call.Count));
        Assert.All(history.Loss, loss => Assert.True(float.IsFinite(loss)));
        Assert.StartsWith("1/1 [==============================]", FitTests.Lines((StringWriter)model.Output)[1]);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(int.MaxValue - 1)]
    [InlineData(1 << 30)]
    public void EvaluateAndPredictClampABatchSizeBeyondTheData(int batchSize)
    {
        var model = new SmallServingModel(seed: 1) { Output = new StringWriter() };
        Dataset data = Noise().Take(37);

        Assert.Equal(model.Evaluate(data, batchSize: 37), model.Evaluate(data, batchSize: batchSize, verbose: 2));
        Assert.StartsWith("1/1 - ", model.Output.ToString());
        Assert.Equal(model.Predict(data, batchSize: 37), model.Predict(data, batchSize: batchSize));
        Assert.Equal(model.PredictClasses(data, batchSize: 37), model.PredictClasses(data, batchSize: batchSize));
    }

    [Fact]
    public void AnEngineRefusesACountWhoseValuesOverflowInt()
    {
        // count × 64 values is 2^32: wrapped around in int it was 0, and the check "images holds enough" passed.
        var model = new SmallServingModel(seed: 1);
        var error = Assert.Throws<ArgumentException>(() => model.Engine.Predict(model.Buffers, new float[64], 1 << 26, new float[10]));
        Assert.Equal("images holds 64 values; 67108864 images of (64,) need 4294967296. (Parameter 'images')", error.Message);
    }

    /// <summary>Records each batch's running loss, with its epoch.</summary>
    private sealed class BatchLossRecorder(List<(int Epoch, int Batch, float Loss)> losses) : Callback
    {
        private int _epoch;

        public override void OnEpochBegin(int epoch) => _epoch = epoch;

        public override void OnBatchEnd(int batch, float loss, float accuracy) => losses.Add((_epoch, batch, loss));
    }
}
