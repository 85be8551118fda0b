using ConvGen.Randomness;
using ConvGen.Tests.Augmentation;
using ConvGen.Tests.Generated;

namespace ConvGen.Tests.Training;

/// <summary>
/// Fit with augmentation and with pseudo-labelled samples mixed into the batches: which images each step trains on,
/// that the engine's threads prepare exactly them, and that the result depends on the seed alone.
/// </summary>
public class AugmentedFitTests
{
    private static readonly ImageAugmentation Notebook = new(rotationRange: 10, zoomRange: 0.1, shearRange: 5.73, widthShiftRange: 0.1, heightShiftRange: 0.1);

    public static TheoryData<string, int> ModelsAndThreads => new()
    {
        // A dense layer trained by rows reads every thread's images: the threads must all have prepared theirs first.
        { nameof(NormalizedDenseModel), 1 },
        { nameof(NormalizedDenseModel), 2 },
        { nameof(BatchNormalizationModel), 2 },
    };

    [Theory]
    [Trait("Category", "Gradients")]
    [MemberData(nameof(ModelsAndThreads))]
    public void TheThreadsTrainOnTheImagesTheSeedDefines(string name, int threads)
    {
        // Training on a batch augmented inside the engine's threads gives, bit for bit, the weights of training on the
        // same batch augmented beforehand by the documented rule: image i of step s of the model's e-th epoch gets the
        // transform drawn from Derive(Derive(Derive(seed, stream), e), s · batch + i).
        const int seed = 5, count = 24;
        Model inThreads = Create(name, seed, threads);
        Dataset data = ImageAugmentationTests.RandomImages(count, inThreads.Description.InputShape.Height, inThreads.Description.InputShape.Width, inThreads.Description.InputShape.Channels, seed: 9);
        inThreads.Fit(data, epochs: 2, batchSize: count, optimizer: new Adam(0.01), shuffle: false, verbose: 0, augmentation: Notebook);

        Model beforehand = Create(name, seed, threads);
        var optimizer = new Adam(0.01);
        for (ulong epoch = 0; epoch < 2; epoch++)
        {
            ulong stream = SplitMix64.Derive(SplitMix64.Derive((ulong)seed, ImageAugmentation.Stream), epoch);
            var images = new float[data.Images.Length];
            for (int i = 0; i < count; i++)
            {
                Notebook.Augment(data.ImageSpan(i), images.AsSpan(i * data.SampleSize, data.SampleSize), data.Shape, SplitMix64.Derive(stream, (ulong)i));
            }

            beforehand.Fit(new Dataset(images, data.Labels.ToArray(), data.Shape), epochs: 1, batchSize: count, optimizer: optimizer, shuffle: false, verbose: 0);
        }

        Assert.Equal(beforehand.Buffers.Parameters.Span.ToArray(), inThreads.Buffers.Parameters.Span.ToArray());
        Assert.Equal(beforehand.Buffers.State.Span.ToArray(), inThreads.Buffers.State.Span.ToArray());
    }

    [Fact]
    public void AugmentedTrainingSplitIntoSeveralFitCallsMatchesOneCall()
    {
        Dataset data = ImageAugmentationTests.RandomImages(40, 6, 5, 2, seed: 3);
        Model once = Create(nameof(NormalizedDenseModel), 1, 2);
        once.Fit(data, epochs: 3, batchSize: 16, optimizer: new Adam(0.01), verbose: 0, augmentation: Notebook);

        Model split = Create(nameof(NormalizedDenseModel), 1, 2);
        var optimizer = new Adam(0.01);
        split.Fit(data, epochs: 1, batchSize: 16, optimizer: optimizer, verbose: 0, augmentation: Notebook);
        split.Fit(data, epochs: 2, batchSize: 16, verbose: 0, augmentation: Notebook);

        Assert.Equal(once.Buffers.Parameters.Span.ToArray(), split.Buffers.Parameters.Span.ToArray());
    }

    [Fact]
    public void AugmentationChangesWhatIsTrainedAndValidationIsNeverAugmented()
    {
        Dataset data = ImageAugmentationTests.RandomImages(32, 6, 5, 2, seed: 4);
        Model plain = Create(nameof(NormalizedDenseModel), 2, 1);
        History plainHistory = plain.Fit(data, epochs: 1, batchSize: 8, optimizer: new Adam(0.01), verbose: 0, validationData: data);
        Model augmented = Create(nameof(NormalizedDenseModel), 2, 1);
        History augmentedHistory = augmented.Fit(data, epochs: 1, batchSize: 8, optimizer: new Adam(0.01), verbose: 0, validationData: data, augmentation: Notebook);

        Assert.NotEqual(plain.Buffers.Parameters.Span.ToArray(), augmented.Buffers.Parameters.Span.ToArray());
        Assert.Equal(augmented.Evaluate(data).Loss, augmentedHistory.ValLoss[0]);
        Assert.Equal(plain.Evaluate(data).Loss, plainHistory.ValLoss[0]);
    }

    [Fact]
    public void AnAugmentedStepAllocatesNothing()
    {
        // A Fit's allocations (its history, buffers, the engine's workspaces) do not grow with its steps (unshuffled, so
        // no permutation of the samples grows with them either): three times the steps, the same bytes, to within the
        // runtime's own noise.
        Dataset data = ImageAugmentationTests.RandomImages(16 * 48, 6, 5, 2, seed: 6);
        Model model = Create(nameof(NormalizedDenseModel), 1, 2);
        Dataset fewSteps = data.Take(16 * 16), pseudoLabeled = data.Take(100);
        long Allocated(Dataset train)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            model.Fit(train, epochs: 1, batchSize: 16, shuffle: false, verbose: 0, augmentation: Notebook, pseudoLabeled: pseudoLabeled);
            return GC.GetTotalAllocatedBytes(precise: true) - before;
        }

        Allocated(fewSteps);
        long few = Allocated(fewSteps), many = Allocated(data);
        Assert.True(many - few < 2048, $"16 steps allocated {few} bytes, 48 steps {many}");
    }

    [Fact]
    public void AugmentingFlatSamplesIsRefused()
    {
        var model = new TestModel(new SoftmaxEngine(SoftmaxEngine.Describe()));
        var error = Assert.Throws<ArgumentException>(() => model.Fit(TestData.Indexed(8), verbose: 0, augmentation: Notebook));
        Assert.Equal("augmentation", error.ParamName);
    }

    [Fact]
    public void PseudoLabelledSamplesMakeTheirShareOfEveryBatch()
    {
        // 10 training samples (ids 0-9), 6 pseudo-labelled ones (ids 100-105), batches of 4 with a quarter mixed in:
        // 3 training samples and 1 mixed per batch, ceil(10 / 3) = 4 steps an epoch.
        var engine = new RecordingEngine(SoftmaxEngine.Describe());
        var model = new TestModel(engine) { Output = TextWriter.Null };
        Dataset pseudo = Offset(TestData.Indexed(6), 100);
        model.Fit(TestData.Indexed(10), epochs: 2, batchSize: 4, optimizer: new Sgd(0.001), verbose: 0, pseudoLabeled: pseudo, pseudoLabeledFraction: 0.25);

        Assert.Equal(8, engine.TrainingCalls.Count);
        Assert.Equal([4, 4, 4, 2, 4, 4, 4, 2], engine.TrainingCalls.Select(c => c.Count));
        for (int epoch = 0; epoch < 2; epoch++)
        {
            var calls = engine.TrainingCalls.Skip(epoch * 4).Take(4).ToArray();
            Assert.Equal(Enumerable.Range(0, 10), calls.SelectMany(c => c.SampleIds.Where(id => id < 100)).Order());
            int[] mixed = calls.SelectMany(c => c.SampleIds.Where(id => id >= 100)).ToArray();
            Assert.Equal(4, mixed.Length);
            Assert.Equal(4, mixed.Distinct().Count());
            Assert.All(calls, c => Assert.Equal(c.SampleIds.Where(id => id >= 100).Select(id => (id - 100) % 2), c.Labels.Skip(c.Count - 1)));
        }

        Assert.Equal("pseudoLabeledFraction", Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(TestData.Indexed(10), verbose: 0, pseudoLabeled: pseudo, pseudoLabeledFraction: 1)).ParamName);
        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(TestData.Indexed(10), batchSize: 1, verbose: 0, pseudoLabeled: pseudo)).ParamName);
    }

    [Fact]
    public void DatasetsConcatenateInOrder()
    {
        Dataset a = TestData.Indexed(3), b = Offset(TestData.Indexed(2), 10);
        Dataset both = a.Concat(b);
        Assert.Equal(5, both.Count);
        Assert.Equal([0f, 1, 2, 10, 11], Enumerable.Range(0, 5).Select(i => both.ImageSpan(i)[0]));
        Assert.Equal([0, 1, 0, 0, 1], both.Labels.ToArray());
        Assert.Throws<ArgumentException>(() => a.Concat(TestData.Indexed(2, features: 3)));
    }

    private static Dataset Offset(Dataset data, float by)
    {
        float[] images = data.Images.ToArray();
        for (int i = 0; i < data.Count; i++)
        {
            images[i * data.SampleSize] += by;
        }

        return new Dataset(images, data.Labels.ToArray(), data.Shape);
    }

    private static Model Create(string name, int seed, int threads)
    {
        Model model = name switch
        {
            nameof(NormalizedDenseModel) => new NormalizedDenseModel(seed),
            nameof(BatchNormalizationModel) => new BatchNormalizationModel(seed),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        model.Engine.Threads = threads;
        model.Output = TextWriter.Null;
        return model;
    }
}
