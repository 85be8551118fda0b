namespace ConvGen.Tests.Training;

/// <summary>Model.Fit's loop: which samples each step sees, in which order, with which seed, and what it reports.</summary>
public class FitTests
{
    private static (TestModel Model, RecordingEngine Engine) Recording(int seed = 0)
    {
        var engine = new RecordingEngine(SoftmaxEngine.Describe());
        return (new TestModel(engine, seed) { Output = TextWriter.Null }, engine);
    }

    [Fact]
    public void ValidationSplitHoldsOutTheLastFractionBeforeShuffling()
    {
        // Keras: split_at = floor(10 · (1 - 0.25)) = 7, so samples 0..6 train and 7, 8, 9 validate.
        var (model, engine) = Recording();
        History history = model.Fit(TestData.Indexed(10), epochs: 3, batchSize: 3, optimizer: new Sgd(0.001), validationSplit: 0.25, verbose: 0);

        for (int epoch = 0; epoch < 3; epoch++)
        {
            int[] trained = engine.TrainingCalls.Skip(epoch * 3).Take(3).SelectMany(c => c.SampleIds).ToArray();
            Assert.Equal([0, 1, 2, 3, 4, 5, 6], trained.Order());
        }

        Assert.Equal(9, engine.TrainingCalls.Count);
        Assert.Equal(3, engine.EvaluatedSampleIds.Count);
        Assert.All(engine.EvaluatedSampleIds, ids => Assert.Equal([7, 8, 9], ids));
        Assert.Equal(3, history.ValLoss.Count);
    }

    [Fact]
    public void ValidationSplitOfAFifthOfTwentyHoldsOutFour()
    {
        var (model, engine) = Recording();
        model.Fit(TestData.Indexed(20), epochs: 1, batchSize: 100, optimizer: new Sgd(0.001), validationSplit: 0.2, shuffle: false, verbose: 0);
        Assert.Equal(Enumerable.Range(0, 16), engine.TrainedIds);
        Assert.Equal([16, 17, 18, 19], Assert.Single(engine.EvaluatedSampleIds));
    }

    [Fact]
    public void WithoutShuffleSamplesComeInOrderAndTheLastBatchIsTheRemainder()
    {
        var (model, engine) = Recording();
        model.Fit(TestData.Indexed(10), epochs: 2, batchSize: 4, optimizer: new Sgd(0.001), shuffle: false, verbose: 0);

        Assert.Equal([4, 4, 2, 4, 4, 2], engine.TrainingCalls.Select(c => c.Count));
        int[][] expected = [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]];
        for (int call = 0; call < 6; call++)
        {
            Assert.Equal(expected[call % 3], engine.TrainingCalls[call].SampleIds);
            Assert.Equal(expected[call % 3].Select(i => i % 2), engine.TrainingCalls[call].Labels);
        }
    }

    [Fact]
    public void ShuffleDrawsAFreshPermutationEachEpochDeterminedByTheSeed()
    {
        int[][] Epochs(int seed)
        {
            var (model, engine) = Recording(seed);
            model.Fit(TestData.Indexed(20), epochs: 3, batchSize: 6, optimizer: new Sgd(0.001), verbose: 0);
            Assert.Equal([6, 6, 6, 2, 6, 6, 6, 2, 6, 6, 6, 2], engine.TrainingCalls.Select(c => c.Count));
            Assert.All(engine.TrainingCalls, c => Assert.Equal(c.SampleIds.Select(i => i % 2), c.Labels));
            return engine.TrainingCalls.Chunk(4).Select(calls => calls.SelectMany(c => c.SampleIds).ToArray()).ToArray();
        }

        int[][] first = Epochs(seed: 42);
        foreach (int[] epoch in first)
        {
            Assert.Equal(Enumerable.Range(0, 20), epoch.Order());
            Assert.NotEqual(Enumerable.Range(0, 20), epoch);
        }

        Assert.NotEqual(first[0], first[1]);
        Assert.NotEqual(first[1], first[2]);
        Assert.NotEqual(first[0], first[2]);

        int[][] again = Epochs(seed: 42);
        Assert.Equal(first, again);

        int[][] other = Epochs(seed: 43);
        Assert.NotEqual(first[0], other[0]);
    }

    [Fact]
    public void DropoutSeedsDifferPerStepAndAreDeterministic()
    {
        ulong[] Seeds(int seed)
        {
            var (model, engine) = Recording(seed);
            model.Fit(TestData.Indexed(9), epochs: 2, batchSize: 3, optimizer: new Sgd(0.001), verbose: 0);
            model.Fit(TestData.Indexed(9), epochs: 1, batchSize: 3, verbose: 0);
            return engine.TrainingCalls.Select(c => c.DropoutSeed).ToArray();
        }

        ulong[] seeds = Seeds(7);
        Assert.Equal(9, seeds.Length);
        Assert.Equal(9, seeds.Distinct().Count());
        Assert.Equal(seeds, Seeds(7));
        Assert.Empty(seeds.Intersect(Seeds(8)));
    }

    [Fact]
    public void HistoryHasOneEntryPerEpochWithMeansWeightedBySampleCount()
    {
        // Per-sample loss = the sample's second feature, i / 10; correct = labelled 1, which only samples 8 and 9 are.
        // Batches of 4, 4 and 2: weighted means 0.45 and 0.2; the mean of the batch means would be 0.5167 and 0.3333.
        var images = new float[20];
        var labels = new int[10];
        for (int i = 0; i < 10; i++)
        {
            images[2 * i] = i;
            images[(2 * i) + 1] = i / 10f;
            labels[i] = i >= 8 ? 1 : 0;
        }

        var model = new TestModel(new ScriptedEngine(SoftmaxEngine.Describe())) { Output = TextWriter.Null };
        History history = model.Fit(new Dataset(images, labels, 2), epochs: 3, batchSize: 4, optimizer: new Sgd(0.001), verbose: 0);

        Assert.Equal(3, history.Count);
        Assert.Equal([0, 1, 2], history.Epochs.Select(e => e.Epoch));
        Assert.All(history.Loss, loss => Assert.Equal(0.45, loss, 5));
        Assert.All(history.Accuracy, accuracy => Assert.Equal(0.2, accuracy, 6));
        Assert.Equal(history.Loss, history["loss"]);
        Assert.Equal(history.Accuracy, history["accuracy"]);
        Assert.Empty(history.ValLoss);
        Assert.Empty(history["val_accuracy"]);
        Assert.Equal(3, history.EpochSeconds.Count);
        Assert.Equal([0.001, 0.001, 0.001], history.LearningRate);
    }

    [Fact]
    public void TrainingReallyReducesTheLoss()
    {
        var model = new TestModel(new SoftmaxEngine(SoftmaxEngine.Describe()), seed: 3) { Output = TextWriter.Null };
        Dataset data = TestData.Separable(256);
        (float before, _) = model.Evaluate(data);
        History history = model.Fit(data, epochs: 10, batchSize: 16, optimizer: new Sgd(0.5), verbose: 0);
        (float after, float accuracy) = model.Evaluate(data);

        Assert.True(after < before / 2, $"loss {before} → {after}");
        Assert.True(history.Loss[^1] < history.Loss[0], string.Join(", ", history.Loss));
        Assert.True(accuracy > 0.95f, $"accuracy {accuracy}");
    }

    [Fact]
    public void ValidationDataOverridesValidationSplit()
    {
        var (model, engine) = Recording();
        Dataset validation = new([100f, 0f, 101f, 0f, 102f, 0f], [0, 1, 0], 2);
        History history = model.Fit(TestData.Indexed(10), epochs: 2, batchSize: 5, optimizer: new Sgd(0.001), validationSplit: 0.5, validationData: validation, verbose: 0);

        Assert.Equal(20, engine.TrainedIds.Count());
        Assert.Equal(Enumerable.Range(0, 10), engine.TrainedIds.Take(10).Order());
        Assert.Equal(2, engine.EvaluatedSampleIds.Count);
        Assert.All(engine.EvaluatedSampleIds, ids => Assert.Equal([100, 101, 102], ids));
        Assert.Equal(2, history.ValLoss.Count);
    }

    [Theory]
    [InlineData("epochs")]
    [InlineData("batchSize")]
    [InlineData("negativeBatchSize")]
    [InlineData("validationSplitOne")]
    [InlineData("validationSplitNegative")]
    [InlineData("validationSplitNaN")]
    [InlineData("validationSplitEmptyPart")]
    [InlineData("verbose")]
    [InlineData("initialEpoch")]
    [InlineData("sampleSize")]
    [InlineData("label")]
    [InlineData("validationSampleSize")]
    [InlineData("validationLabel")]
    public void BadArgumentsThrowBeforeAnyTraining(string problem)
    {
        var (model, engine) = Recording();
        float[][] before = model.GetWeights();
        Dataset good = TestData.Indexed(10);
        Action fit = problem switch
        {
            "epochs" => () => model.Fit(good, epochs: -1),
            "batchSize" => () => model.Fit(good, batchSize: 0),
            "negativeBatchSize" => () => model.Fit(good, batchSize: -4),
            "validationSplitOne" => () => model.Fit(good, validationSplit: 1.0),
            "validationSplitNegative" => () => model.Fit(good, validationSplit: -0.1),
            "validationSplitNaN" => () => model.Fit(good, validationSplit: double.NaN),
            "validationSplitEmptyPart" => () => model.Fit(TestData.Indexed(1), validationSplit: 0.5),
            "verbose" => () => model.Fit(good, verbose: 3),
            "initialEpoch" => () => model.Fit(good, initialEpoch: -1),
            "sampleSize" => () => model.Fit(TestData.Indexed(10, features: 3)),
            "label" => () => model.Fit(new Dataset([0f, 0f, 1f, 0f], [1, 2], 2)),
            "validationSampleSize" => () => model.Fit(good, validationData: TestData.Indexed(4, features: 3)),
            "validationLabel" => () => model.Fit(good, validationData: new Dataset([0f, 0f], [5], 2)),
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };

        ArgumentException error = Assert.ThrowsAny<ArgumentException>(fit);
        string expectedParameter = problem switch
        {
            "negativeBatchSize" => "batchSize",
            "validationSplitOne" or "validationSplitNegative" or "validationSplitNaN" or "validationSplitEmptyPart" => "validationSplit",
            "sampleSize" or "label" => "x",
            "validationSampleSize" or "validationLabel" => "validationData",
            _ => problem,
        };
        Assert.Equal(expectedParameter, error.ParamName);
        string expectedText = problem switch
        {
            "sampleSize" or "validationSampleSize" => "(3,) (3 values) but model 'softmax' takes (2,) (2 values)",
            "label" => "label 2",
            "validationLabel" => "label 5",
            "validationSplitEmptyPart" => "1 samples",
            "verbose" => "verbose is 0",
            _ => expectedParameter,
        };
        Assert.Contains(expectedText, error.Message);
        Assert.Empty(engine.TrainingCalls);
        Assert.Null(model.Optimizer);
        Assert.Equal(before, model.GetWeights());
    }

    [Fact]
    public void WithoutAnOptimizerFitUsesAdamThenKeepsReusingIt()
    {
        var (model, _) = Recording();
        model.Fit(TestData.Indexed(10), epochs: 1, batchSize: 4, verbose: 0);
        Adam adam = Assert.IsType<Adam>(model.Optimizer);
        Assert.Equal(0.001, adam.LearningRate);
        Assert.Equal(3, adam.Iterations);

        model.Fit(TestData.Indexed(10), epochs: 2, batchSize: 4, verbose: 0);
        Assert.Same(adam, model.Optimizer);
        Assert.Equal(9, adam.Iterations);

        var sgd = new Sgd(0.001);
        model.Fit(TestData.Indexed(10), epochs: 1, batchSize: 4, optimizer: sgd, verbose: 0);
        model.Fit(TestData.Indexed(10), epochs: 1, batchSize: 4, verbose: 0);
        Assert.Same(sgd, model.Optimizer);
        Assert.Equal(6, sgd.Iterations);
    }

    [Fact]
    public void AnOptimizerTrainsOneModelOnly()
    {
        var (first, _) = Recording();
        var (second, engine) = Recording();
        var adam = new Adam();
        first.Fit(TestData.Indexed(8), epochs: 1, batchSize: 4, optimizer: adam, verbose: 0);

        // Same parameter count, so without the check the second model would silently train with the first's moments.
        var error = Assert.Throws<ArgumentException>(() => second.Fit(TestData.Indexed(8), epochs: 1, optimizer: adam, verbose: 0));
        Assert.Equal("optimizer", error.ParamName);
        Assert.Contains("already trains model 'softmax'", error.Message);
        Assert.Throws<ArgumentException>(() => second.Compile(adam));
        Assert.Empty(engine.TrainingCalls);
        Assert.Null(second.Optimizer);

        first.Compile(adam);
        first.Fit(TestData.Indexed(8), epochs: 1, batchSize: 4, verbose: 0);
        Assert.Equal(4, adam.Iterations);
    }

    [Fact]
    public void OutputCannotBeNull()
    {
        var (model, _) = Recording();
        Assert.Throws<ArgumentNullException>(() => model.Output = null!);
    }

    [Fact]
    public void SeveralFitCallsTrainExactlyLikeOneLongerCall()
    {
        // The optimizer's moments, the shuffling and the dropout seeds all continue across calls: the annealing recipe
        // (fit, lower the rate, fit again) loses nothing by being split.
        Dataset data = TestData.Separable(50);
        var oneEngine = new RecordingEngine(SoftmaxEngine.Describe());
        var once = new TestModel(oneEngine, seed: 11);
        once.Fit(data, epochs: 3, batchSize: 8, optimizer: new Adam(0.05), verbose: 0);

        var splitEngine = new RecordingEngine(SoftmaxEngine.Describe());
        var split = new TestModel(splitEngine, seed: 11);
        split.Fit(data, epochs: 1, batchSize: 8, optimizer: new Adam(0.05), verbose: 0);
        split.Fit(data, epochs: 1, batchSize: 8, verbose: 0);
        split.Fit(data, epochs: 1, batchSize: 8, verbose: 0);

        Assert.Equal(oneEngine.TrainingCalls.Select(c => c.DropoutSeed), splitEngine.TrainingCalls.Select(c => c.DropoutSeed));
        Assert.Equal(oneEngine.TrainingCalls.Select(c => c.Labels), splitEngine.TrainingCalls.Select(c => c.Labels));
        float[][] a = once.GetWeights(), b = split.GetWeights();
        Assert.Equal(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal(a[i].Select(BitConverter.SingleToInt32Bits), b[i].Select(BitConverter.SingleToInt32Bits));
        }

        // And a fresh optimizer each call would not: Adam's bias correction restarts.
        var restartedModel = new TestModel(new SoftmaxEngine(SoftmaxEngine.Describe()), seed: 11);
        for (int i = 0; i < 3; i++)
        {
            restartedModel.Fit(data, epochs: 1, batchSize: 8, optimizer: new Adam(0.05), verbose: 0);
        }

        Assert.NotEqual(a[0], restartedModel.GetWeights()[0]);
    }

    [Fact]
    public void InitialEpochResumesAtThatEpochAsKerasDoes()
    {
        var (model, engine) = Recording();
        var output = new StringWriter();
        model.Output = output;
        var recorder = new RecordingCallback();
        History history = model.Fit(TestData.Indexed(6), epochs: 5, batchSize: 3, optimizer: new Sgd(0.001), verbose: 2, callbacks: [recorder], initialEpoch: 3);

        Assert.Equal([3, 4], history.Epochs.Select(e => e.Epoch));
        Assert.Equal(4, engine.TrainingCalls.Count);
        Assert.Equal(["TrainBegin", "EpochBegin 3", "BatchEnd 0", "BatchEnd 1", "EpochEnd 3", "EpochBegin 4", "BatchEnd 0", "BatchEnd 1", "EpochEnd 4", "TrainEnd 2"], recorder.Events);
        string[] lines = Lines(output);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("Epoch 4/5 - ", lines[0]);
        Assert.StartsWith("Epoch 5/5 - ", lines[1]);

        // Nothing left to do: no epoch runs, as Keras.
        History none = model.Fit(TestData.Indexed(6), epochs: 5, batchSize: 3, verbose: 0, initialEpoch: 5);
        Assert.Equal(0, none.Count);
        Assert.Equal(4, engine.TrainingCalls.Count);
    }

    [Fact]
    public void ZeroEpochsTrainsNothing()
    {
        var (model, engine) = Recording();
        float[][] before = model.GetWeights();
        History history = model.Fit(TestData.Indexed(6), epochs: 0, verbose: 1);
        Assert.Equal(0, history.Count);
        Assert.Empty(engine.TrainingCalls);
        Assert.Equal(before, model.GetWeights());
    }

    internal static string[] Lines(StringWriter output) =>
        output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
}
