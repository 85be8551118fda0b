using ConvGen.Tests.Augmentation;
using ConvGen.Tests.Data;
using ConvGen.Tests.Generated;

namespace ConvGen.Tests.Training;

/// <summary>
/// ModelCheckpoint (which files, when, named how) and BackupAndRestore in process: a Fit interrupted by an exception
/// at an epoch's end or within an epoch, then run again, ends bit for bit where an uninterrupted one does. The same
/// with a real process kill is in <see cref="KillAndResumeTests"/>.
/// </summary>
public class CheckpointTests
{
    private static readonly ImageAugmentation Augmentation = new(rotationRange: 10, zoomRange: 0.1, widthShiftRange: 0.1);

    [Fact]
    public void ModelCheckpointSavesEveryEpochUnderItsFormattedName()
    {
        using var directory = new TempDirectory();
        var model = new TestModel(new SoftmaxEngine(SoftmaxEngine.Describe())) { Output = new StringWriter() };
        var checkpoint = new ModelCheckpoint(Path.Combine(directory.Path, "w.{epoch:02d}-{loss:.3f}.cgw"), verbose: 1);
        History history = model.Fit(TestData.Separable(64), epochs: 3, batchSize: 16, optimizer: new Sgd(0.1), verbose: 0, callbacks: [checkpoint]);

        string[] files = Directory.GetFiles(directory.Path).Select(Path.GetFileName).Order().ToArray()!;
        Assert.Equal(Enumerable.Range(0, 3).Select(e => $"w.{e + 1:00}-{history.Loss[e]:0.000}.cgw"), files);
        Assert.Contains($"Epoch 3: saving model to {checkpoint.LastSaved}", model.Output.ToString());

        var reloaded = new TestModel(new SoftmaxEngine(SoftmaxEngine.Describe()));
        reloaded.Load(checkpoint.LastSaved!);
        Assert.Equal(model.GetWeights(), reloaded.GetWeights());
    }

    [Fact]
    public void SaveBestOnlyWritesOnlyImprovements()
    {
        using var directory = new TempDirectory();
        string path = Path.Combine(directory.Path, "best.cgw");
        var model = new TestModel(new SoftmaxEngine(SoftmaxEngine.Describe())) { Output = new StringWriter() };
        var checkpoint = new ModelCheckpoint(path, monitor: "val_accuracy", saveBestOnly: true, verbose: 1);
        float[][]? bestWeights = null;
        var watcher = new WeightsWatcher(checkpoint, w => bestWeights = w);
        History history = model.Fit(TestData.Separable(64), epochs: 6, batchSize: 8, optimizer: new Sgd(0.5), verbose: 0, validationData: TestData.Separable(40, seed: 2), callbacks: [checkpoint, watcher]);

        float best = history.ValAccuracy.Max();
        Assert.Equal(best, checkpoint.Best, 6);
        var reloaded = new TestModel(new SoftmaxEngine(SoftmaxEngine.Describe()));
        reloaded.Load(path);
        Assert.Equal(bestWeights, reloaded.GetWeights());
        string output = model.Output.ToString()!;
        Assert.Contains("Epoch 1: val_accuracy improved from -inf to", output);
        Assert.Equal(history.ValAccuracy.Select((v, i) => i == 0 || v > history.ValAccuracy.Take(i).Max()).Count(improved => improved), output.Split('\n').Count(l => l.Contains("improved", StringComparison.Ordinal)));
    }

    [Fact]
    public void ModelCheckpointRejectsUnknownPlaceholdersAndMissingMetrics()
    {
        Assert.Contains("{val_los}", Assert.Throws<ArgumentException>(() => new ModelCheckpoint("w-{val_los}.cgw")).Message);
        Assert.Contains("'x'", Assert.Throws<ArgumentException>(() => new ModelCheckpoint("w-{epoch:x}.cgw")).Message);
        Assert.Contains("never closed", Assert.Throws<ArgumentException>(() => new ModelCheckpoint("w-{epoch.cgw")).Message);
        var model = new TestModel(new SoftmaxEngine(SoftmaxEngine.Describe()));
        Assert.Contains("no validation data", Assert.Throws<ArgumentException>(() => model.Fit(TestData.Separable(8), verbose: 0, callbacks: [new ModelCheckpoint("w-{val_loss:.2f}.cgw")])).Message);
        Assert.Contains("no validation data", Assert.Throws<ArgumentException>(() => model.Fit(TestData.Separable(8), verbose: 0, callbacks: [new ModelCheckpoint("w.cgw", saveBestOnly: true)])).Message);
    }

    public static TheoryData<int, int, int> Interruptions => new()
    {
        // (backup every N steps or 0 for epochs only, the epoch and the step within it at which the run dies)
        { 0, 2, 0 },
        { 0, 1, 3 },
        { 2, 1, 3 },
        { 3, 3, 1 },
    };

    [Theory]
    [MemberData(nameof(Interruptions))]
    public void ARunInterruptedAndStartedAgainEndsWithTheUninterruptedWeights(int saveFrequency, int failEpoch, int failStep)
    {
        Dataset data = ImageAugmentationTests.RandomImages(60, 6, 5, 2, seed: 7);
        Dataset validation = ImageAugmentationTests.RandomImages(20, 6, 5, 2, seed: 8);
        using var directory = new TempDirectory();
        History Train(NormalizedDenseModel model, string backup, Callback? failure)
        {
            var callbacks = new List<Callback>
            {
                new ReduceLROnPlateau(monitor: "val_loss", factor: 0.5, patience: 1),
                new EarlyStopping(monitor: "val_loss", patience: 10, restoreBestWeights: true),
                new BackupAndRestore(backup, saveFrequency, verbose: 0),
            };
            if (failure is not null)
            {
                callbacks.Add(failure);
            }

            var optimizer = new Adam(LearningRateSchedule.CosineDecay(0.02, decaySteps: 60));
            return model.Fit(data, epochs: 5, batchSize: 16, optimizer: optimizer, validationData: validation, verbose: 0, callbacks: callbacks, augmentation: Augmentation);
        }

        var uninterrupted = new NormalizedDenseModel(3);
        History expected = Train(uninterrupted, Path.Combine(directory.Path, "a"), new Failure(-1, -1));

        var first = new NormalizedDenseModel(3);
        Assert.Throws<SimulatedCrash>(() => Train(first, Path.Combine(directory.Path, "b"), new Failure(failEpoch, failStep)));
        Assert.True(File.Exists(Path.Combine(directory.Path, "b", BackupAndRestore.FileName)));

        var second = new NormalizedDenseModel(3);
        History resumed = Train(second, Path.Combine(directory.Path, "b"), new Failure(-1, -1));

        Assert.Equal(uninterrupted.Buffers.Parameters.Span.ToArray(), second.Buffers.Parameters.Span.ToArray());
        Assert.Equal(uninterrupted.Buffers.State.Span.ToArray(), second.Buffers.State.Span.ToArray());
        Assert.Equal(uninterrupted.Optimizer!.LearningRate, second.Optimizer!.LearningRate);
        Assert.Equal(expected.Loss, resumed.Loss);
        Assert.Equal(expected.ValLoss, resumed.ValLoss);
        Assert.False(File.Exists(Path.Combine(directory.Path, "b", BackupAndRestore.FileName)), "a finished training deletes its backup");
    }

    [Fact]
    public void ABackupOfAnotherTrainingIsRefusedAndChangesNothing()
    {
        using var directory = new TempDirectory();
        Dataset data = ImageAugmentationTests.RandomImages(32, 6, 5, 2, seed: 1);
        var model = new NormalizedDenseModel(1);
        Assert.Throws<SimulatedCrash>(() => model.Fit(data, epochs: 3, batchSize: 8, verbose: 0, callbacks: [new BackupAndRestore(directory.Path, verbose: 0), new Failure(1, 0)]));

        var other = new NormalizedDenseModel(1) { Output = TextWriter.Null };
        float[] before = other.Buffers.Parameters.Span.ToArray();
        string message = Assert.Throws<InvalidOperationException>(() => other.Fit(data, epochs: 3, batchSize: 16, verbose: 0, callbacks: [new BackupAndRestore(directory.Path, verbose: 0)])).Message;
        Assert.Contains("batch size 8; this Fit uses 16", message);
        Assert.Equal(before, other.Buffers.Parameters.Span.ToArray());

        var reseeded = new NormalizedDenseModel(2);
        Assert.Contains("seed 1; this model's seed is 2", Assert.Throws<InvalidOperationException>(() => reseeded.Fit(data, epochs: 3, batchSize: 8, verbose: 0, callbacks: [new BackupAndRestore(directory.Path, verbose: 0)])).Message);

        File.WriteAllBytes(Path.Combine(directory.Path, BackupAndRestore.FileName), [.. "CGBACKUP"u8, 1, 0, 0, 0, 200, 0, 0, 0]);
        string corrupt = Assert.Throws<InvalidDataException>(() => other.Fit(data, epochs: 3, batchSize: 8, verbose: 0, callbacks: [new BackupAndRestore(directory.Path, verbose: 0)])).Message;
        Assert.Contains(BackupAndRestore.FileName, corrupt);
        Assert.Contains("truncated", corrupt);
    }

    /// <summary>Throws at the end of step <c>step</c> of epoch <c>epoch</c> (after the epoch's other callbacks).</summary>
    private sealed class Failure(int epoch, int step) : Callback
    {
        private int _epoch;

        public override void OnEpochBegin(int current) => _epoch = current;

        public override void OnBatchEnd(int batch, float loss, float accuracy)
        {
            if (_epoch == epoch && batch == step)
            {
                throw new SimulatedCrash();
            }
        }
    }

    private sealed class SimulatedCrash : Exception;

    /// <summary>Copies the weights whenever the checkpoint beside it has just saved.</summary>
    private sealed class WeightsWatcher(ModelCheckpoint checkpoint, Action<float[][]> saved) : Callback
    {
        private double _best = double.NaN;

        public override void OnEpochEnd(int epoch, EpochLogs logs)
        {
            if (!checkpoint.Best.Equals(_best))
            {
                _best = checkpoint.Best;
                saved(Model!.GetWeights());
            }
        }
    }
}
