namespace ConvGen.Tests.Training;

/// <summary>
/// Callbacks in Fit, with validation metrics scripted epoch by epoch (the validation set fits one batch, so each
/// epoch makes exactly one Evaluate call). Expected stopping epochs are worked out by hand from Keras 3's rules
/// (keras/src/callbacks/early_stopping.py, reduce_lr_on_plateau.py).
/// </summary>
public class CallbackTests
{
    // 100 samples so scripted accuracies are whole counts; the batch size (shared with validation) covers them.
    private static readonly Dataset Validation = TestData.Indexed(100);

    private static TestModel Scripted(IEnumerable<double> valLosses, int seed = 0) =>
        ScriptedWith(valLosses.Select(l => (l, 0.5)), seed);

    private static TestModel ScriptedWith(IEnumerable<(double Loss, double Accuracy)> evaluations, int seed = 0) =>
        new(new ScriptedEngine(SoftmaxEngine.Describe(), evaluations), seed) { Output = new StringWriter() };

    private static History Fit(TestModel model, int epochs, params Callback[] callbacks) =>
        model.Fit(TestData.Separable(16), epochs: epochs, batchSize: 100, optimizer: new Sgd(0.5), validationData: Validation, verbose: 0, callbacks: callbacks);

    [Fact]
    public void EarlyStoppingStopsAfterPatienceEpochsWithoutImprovement()
    {
        // Best 0.9 at epoch 1; epochs 2 and 3 do not improve: the wait reaches 2 at epoch 3.
        var stop = new EarlyStopping(patience: 2);
        History history = Fit(Scripted([1.0, 0.9, 0.95, 0.92, 0.91, 0.5]), 6, stop);

        Assert.Equal(4, history.Count);
        Assert.Equal(3, stop.StoppedEpoch);
        Assert.Equal(1, stop.BestEpoch);
        Assert.Equal(0.9, stop.Best, 6);
    }

    [Fact]
    public void EarlyStoppingWithPatienceZeroStopsAtTheFirstEpochThatDoesNotImprove()
    {
        var stop = new EarlyStopping();
        History history = Fit(Scripted([1.0, 0.8, 0.8, 0.5]), 4, stop);
        Assert.Equal(3, history.Count);
        Assert.Equal(2, stop.StoppedEpoch);
    }

    [Fact]
    public void EarlyStoppingRunsToTheEndWhileTheMetricImproves()
    {
        var stop = new EarlyStopping(patience: 1);
        History history = Fit(Scripted([1.0, 0.9, 0.8, 0.7]), 4, stop);
        Assert.Equal(4, history.Count);
        Assert.Equal(-1, stop.StoppedEpoch);
    }

    [Fact]
    public void EarlyStoppingIgnoresChangesSmallerThanMinDelta()
    {
        // 0.95 and 0.92 are better than 1.0, but not by more than 0.1: two epochs without improvement.
        var strict = new EarlyStopping(minDelta: 0.1, patience: 2);
        Assert.Equal(3, Fit(Scripted([1.0, 0.95, 0.92, 0.5]), 4, strict).Count);
        Assert.Equal(2, strict.StoppedEpoch);
        Assert.Equal(0, strict.BestEpoch);

        // Its sign does not matter (Keras takes abs(min_delta)).
        var negative = new EarlyStopping(minDelta: -0.1, patience: 2);
        Assert.Equal(3, Fit(Scripted([1.0, 0.95, 0.92, 0.5]), 4, negative).Count);

        var lenient = new EarlyStopping(patience: 2);
        Assert.Equal(4, Fit(Scripted([1.0, 0.95, 0.92, 0.5]), 4, lenient).Count);
    }

    [Fact]
    public void EarlyStoppingAutoModeMaximisesAccuracies()
    {
        (double, double)[] accuracies = [(9, 0.5), (9, 0.6), (9, 0.55), (9, 0.58), (9, 0.59)];

        // max: best 0.6 at epoch 1, then two epochs without improvement: stops at epoch 3.
        var auto = new EarlyStopping(monitor: "val_accuracy", patience: 2);
        Assert.Equal(4, Fit(ScriptedWith(accuracies), 5, auto).Count);
        Assert.Equal(1, auto.BestEpoch);
        Assert.Equal(0.6, auto.Best, 6);

        // min would keep 0.5 from epoch 0 and stop at epoch 2.
        var min = new EarlyStopping(monitor: "val_accuracy", patience: 2, mode: "min");
        Assert.Equal(3, Fit(ScriptedWith(accuracies), 5, min).Count);
        Assert.Equal(0, min.BestEpoch);

        // And auto minimises losses: the rising losses below stop at epoch 2 under min, never under max.
        var lossAuto = new EarlyStopping(patience: 2);
        Assert.Equal(3, Fit(Scripted([0.5, 0.6, 0.7, 0.8]), 4, lossAuto).Count);
        var lossMax = new EarlyStopping(patience: 2, mode: "max");
        Assert.Equal(4, Fit(Scripted([0.5, 0.6, 0.7, 0.8]), 4, lossMax).Count);
    }

    [Fact]
    public void EarlyStoppingBaselineStopsTrainingThatNeverBeatsIt()
    {
        // Epoch 0 improves on nothing-seen-yet but not on the 0.5 baseline, so its wait (1) is not reset; epoch 1
        // does not improve: wait 2 = patience, stop. Without the baseline the wait would have restarted at epoch 0.
        var withBaseline = new EarlyStopping(patience: 2, baseline: 0.5);
        Assert.Equal(2, Fit(Scripted([0.8, 0.9, 0.85, 0.84]), 4, withBaseline).Count);
        Assert.Equal(1, withBaseline.StoppedEpoch);

        var without = new EarlyStopping(patience: 2);
        Assert.Equal(3, Fit(Scripted([0.8, 0.9, 0.85, 0.84]), 4, without).Count);
    }

    [Fact]
    public void EarlyStoppingNeverStopsOnAnEpochThatImproves()
    {
        // Keras 3: an improving epoch ends the check even when it misses the baseline. Waits 1, 2 (improving, no stop),
        // then 3 at the non-improving epoch 2: stop there, not at epoch 1.
        var stop = new EarlyStopping(patience: 2, baseline: 0.5);
        Assert.Equal(3, Fit(Scripted([0.8, 0.7, 0.75, 0.6, 0.4]), 5, stop).Count);
        Assert.Equal(2, stop.StoppedEpoch);
        Assert.Equal(1, stop.BestEpoch);
    }

    [Fact]
    public void EarlyStoppingBeatingTheBaselineRestartsTheWait()
    {
        var stop = new EarlyStopping(patience: 2, baseline: 0.5);
        Assert.Equal(4, Fit(Scripted([0.8, 0.4, 0.45, 0.46, 0.47]), 5, stop).Count);
        Assert.Equal(3, stop.StoppedEpoch);
    }

    [Fact]
    public void EarlyStoppingStartFromEpochSkipsTheWarmUp()
    {
        // Epochs 0 and 1 are not watched: the first watched value, 2.0 at epoch 2, is the best; 2.1, 2.2 stop at 4.
        var stop = new EarlyStopping(patience: 2, startFromEpoch: 2);
        Assert.Equal(5, Fit(Scripted([1.0, 1.5, 2.0, 2.1, 2.2, 0.1]), 6, stop).Count);
        Assert.Equal(2, stop.BestEpoch);
        Assert.Equal(4, stop.StoppedEpoch);
    }

    [Fact]
    public void RestoreBestWeightsEndsWithTheBestEpochsWeights()
    {
        var recorder = new RecordingCallback();
        var stop = new EarlyStopping(patience: 2, restoreBestWeights: true, verbose: 1);
        TestModel model = Scripted([1.0, 0.5, 0.7, 0.8, 0.1]);
        History history = Fit(model, 5, recorder, stop);

        Assert.Equal(4, history.Count);
        Assert.Equal(1, stop.BestEpoch);
        Assert.Equal(recorder.WeightsAtEpochEnd[1], model.GetWeights());
        Assert.NotEqual(recorder.WeightsAtEpochEnd[3], model.GetWeights());
        Assert.Equal(["Epoch 4: early stopping", "Restoring model weights from the end of the best epoch: 2."], FitTests.Lines((StringWriter)model.Output));

        // Without restoring, the last epoch's weights stay.
        var lastRecorder = new RecordingCallback();
        TestModel last = Scripted([1.0, 0.5, 0.7, 0.8, 0.1]);
        Fit(last, 5, lastRecorder, new EarlyStopping(patience: 2));
        Assert.Equal(lastRecorder.WeightsAtEpochEnd[3], last.GetWeights());
        Assert.Equal(recorder.WeightsAtEpochEnd[3], last.GetWeights());
    }

    [Fact]
    public void RestoreBestWeightsAlsoAppliesWhenTrainingRunsToTheEnd()
    {
        var recorder = new RecordingCallback();
        TestModel model = Scripted([1.0, 0.5, 0.7]);
        Fit(model, 3, recorder, new EarlyStopping(patience: 5, restoreBestWeights: true));
        Assert.Equal(recorder.WeightsAtEpochEnd[1], model.GetWeights());
        Assert.NotEqual(recorder.WeightsAtEpochEnd[2], model.GetWeights());
    }

    [Fact]
    public void EarlyStoppingIsResetForEachFit()
    {
        var stop = new EarlyStopping(patience: 1);
        TestModel model = Scripted([1.0, 2.0, 3.0, 5.0, 4.0, 6.0]);
        Assert.Equal(2, Fit(model, 3, stop).Count);

        // A new Fit starts a new search: 3.0 is the first value and the best, 5.0 does not improve.
        Assert.Equal(2, Fit(model, 3, stop).Count);
        Assert.Equal(3.0, stop.Best, 6);
    }

    [Theory]
    [InlineData("val_loss")]
    [InlineData("val_accuracy")]
    public void MonitoringAValidationMetricWithoutValidationDataThrowsBeforeTraining(string monitor)
    {
        foreach (Callback callback in new Callback[] { new EarlyStopping(monitor), new ReduceLROnPlateau(monitor) })
        {
            var engine = new RecordingEngine(SoftmaxEngine.Describe());
            var model = new TestModel(engine) { Output = TextWriter.Null };
            var error = Assert.ThrowsAny<ArgumentException>(() => model.Fit(TestData.Indexed(8), epochs: 3, verbose: 0, callbacks: [callback]));
            Assert.Equal("callbacks", error.ParamName);
            Assert.Contains($"monitors '{monitor}'", error.Message);
            Assert.Contains("no validation data", error.Message);
            Assert.Contains(callback.GetType().Name, error.Message);
            Assert.Empty(engine.TrainingCalls);
        }
    }

    [Fact]
    public void MonitoringTrainingLossNeedsNoValidationData()
    {
        var model = new TestModel(new SoftmaxEngine(SoftmaxEngine.Describe())) { Output = TextWriter.Null };
        var stop = new EarlyStopping("loss", patience: 1);
        History history = model.Fit(TestData.Separable(32), epochs: 3, batchSize: 8, optimizer: new Sgd(0.1), verbose: 0, callbacks: [stop]);
        Assert.Equal(3, history.Count);
    }

    [Fact]
    public void UnknownMonitorsAndModesAreRejected()
    {
        Assert.Contains("'val_los'", Assert.Throws<ArgumentException>(() => new EarlyStopping("val_los")).Message);
        Assert.Contains("'biggest'", Assert.Throws<ArgumentException>(() => new EarlyStopping(mode: "biggest")).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping(patience: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(factor: 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(minLearningRate: -1));
    }

    [Fact]
    public void LearningRateSchedulerSetsTheRateAtEachEpochBegin()
    {
        var recorder = new RecordingCallback();
        var scheduler = new LearningRateScheduler(epoch => 0.1 / (epoch + 1));
        var model = new TestModel(new SoftmaxEngine(SoftmaxEngine.Describe())) { Output = TextWriter.Null };
        History history = model.Fit(TestData.Separable(16), epochs: 3, batchSize: 8, optimizer: new Sgd(1.0), verbose: 0, callbacks: [scheduler, recorder]);

        Assert.Equal([0.1, 0.05, 0.1 / 3], history.LearningRate);
        Assert.Equal([0.1, 0.1, 0.05, 0.05, 0.1 / 3, 0.1 / 3], recorder.LearningRateAtBatchEnd);
    }

    [Fact]
    public void LearningRateSchedulerReceivesTheCurrentRate()
    {
        var output = new StringWriter();
        var model = new TestModel(new SoftmaxEngine(SoftmaxEngine.Describe())) { Output = output };
        var scheduler = new LearningRateScheduler((epoch, rate) => rate * 0.5, verbose: 1);
        History history = model.Fit(TestData.Separable(16), epochs: 3, batchSize: 8, optimizer: new Sgd(0.1), verbose: 0, callbacks: [scheduler]);

        Assert.Equal([0.05, 0.025, 0.0125], history.LearningRate);
        Assert.Equal(
            ["Epoch 1: LearningRateScheduler setting learning rate to 0.05.", "Epoch 2: LearningRateScheduler setting learning rate to 0.025.", "Epoch 3: LearningRateScheduler setting learning rate to 0.0125."],
            FitTests.Lines(output));
    }

    [Fact]
    public void LearningRateSchedulerRejectsAnInvalidRate()
    {
        var model = new TestModel(new SoftmaxEngine(SoftmaxEngine.Describe())) { Output = TextWriter.Null };
        var scheduler = new LearningRateScheduler(epoch => epoch == 1 ? double.NaN : 0.1);
        Assert.ThrowsAny<ArgumentException>(() => model.Fit(TestData.Separable(16), epochs: 3, verbose: 0, callbacks: [scheduler]));
        Assert.Equal(0.1, model.Optimizer!.LearningRate);
    }

    [Fact]
    public void ReduceLROnPlateauReducesByTheFactorAfterPatienceEpochs()
    {
        // Flat losses: epoch 0 sets the best, epochs 1 and 2 wait; reduced after epochs 2 and 4.
        var plateau = new ReduceLROnPlateau(factor: 0.5, patience: 2);
        TestModel model = Scripted(Enumerable.Repeat(1.0, 6));
        History history = Fit(model, 6, plateau);
        Assert.Equal([0.5, 0.5, 0.5, 0.25, 0.25, 0.125], history.LearningRate);
        Assert.Equal(0.125, model.Optimizer!.LearningRate);
    }

    [Fact]
    public void ReduceLROnPlateauImprovementRestartsTheWait()
    {
        var plateau = new ReduceLROnPlateau(factor: 0.5, patience: 2);
        TestModel model = Scripted([1.0, 1.0, 0.5, 0.5, 0.5]);
        History history = Fit(model, 5, plateau);
        Assert.Equal([0.5, 0.5, 0.5, 0.5, 0.5], history.LearningRate);
        Assert.Equal(0.25, model.Optimizer!.LearningRate);
    }

    [Fact]
    public void ReduceLROnPlateauMinDeltaDecidesWhatCountsAsImprovement()
    {
        // Default min delta 1e-4: a 1e-5 gain is no gain, so epochs 1 and 2 each end a plateau of patience 1.
        var plateau = new ReduceLROnPlateau(factor: 0.5, patience: 1);
        TestModel model = Scripted([1.0, 0.99999, 0.99998]);
        History history = Fit(model, 3, plateau);
        Assert.Equal([0.5, 0.5, 0.25], history.LearningRate);
        Assert.Equal(0.125, model.Optimizer!.LearningRate);

        // With no min delta every epoch improves.
        TestModel exact = Scripted([1.0, 0.99999, 0.99998]);
        Fit(exact, 3, new ReduceLROnPlateau(factor: 0.5, patience: 1, minDelta: 0));
        Assert.Equal(0.5, exact.Optimizer!.LearningRate);
    }

    [Fact]
    public void ReduceLROnPlateauWaitsOutTheCooldown()
    {
        // Without cooldown: reductions after epochs 2, 4 and 6. With cooldown 2: after epoch 2, epochs 3 and 4 cool
        // down (epoch 4 ends the cooldown and starts waiting again), so the next reduction comes after epoch 5.
        History plain = Fit(Scripted(Enumerable.Repeat(1.0, 8)), 8, new ReduceLROnPlateau(factor: 0.5, patience: 2));
        Assert.Equal([0.5, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125, 0.0625], plain.LearningRate);

        History cooled = Fit(Scripted(Enumerable.Repeat(1.0, 8)), 8, new ReduceLROnPlateau(factor: 0.5, patience: 2, cooldown: 2));
        Assert.Equal([0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125, 0.125], cooled.LearningRate);
    }

    [Fact]
    public void ReduceLROnPlateauNeverGoesBelowTheMinimumRate()
    {
        var output = new StringWriter();
        TestModel model = Scripted(Enumerable.Repeat(1.0, 8));
        model.Output = output;
        History history = Fit(model, 8, new ReduceLROnPlateau(factor: 0.5, patience: 2, minLearningRate: 0.15, verbose: 1));
        Assert.Equal([0.5, 0.5, 0.5, 0.25, 0.25, 0.15, 0.15, 0.15], history.LearningRate);
        Assert.Equal(["Epoch 3: ReduceLROnPlateau reducing learning rate to 0.25.", "Epoch 5: ReduceLROnPlateau reducing learning rate to 0.15."], FitTests.Lines(output));
    }

    [Fact]
    public void ReduceLROnPlateauStartsACooldownOnlyWhenItReducesTheRate()
    {
        // At the 0.5 floor nothing happens after epoch 1 (Keras: no cooldown, the wait keeps counting). A scheduler
        // raises the rate to 2 for epoch 2; its end is past patience, so the rate halves to 1 at once.
        var raise = new LearningRateScheduler((epoch, rate) => epoch == 2 ? 2.0 : rate);
        var plateau = new ReduceLROnPlateau(factor: 0.5, patience: 1, cooldown: 3, minLearningRate: 0.5);
        History history = Fit(Scripted(Enumerable.Repeat(1.0, 5)), 5, raise, plateau);
        Assert.Equal([0.5, 0.5, 2.0, 1.0, 1.0], history.LearningRate);
    }

    [Fact]
    public void CallbacksAreCalledInOrder()
    {
        var recorder = new RecordingCallback();
        Model? seenAtTrainBegin = null;
        var probe = new RecordingCallback { OnEvent = (cb, e) => seenAtTrainBegin ??= cb.Model };
        var model = new TestModel(new SoftmaxEngine(SoftmaxEngine.Describe())) { Output = TextWriter.Null };
        model.Fit(TestData.Separable(6), epochs: 2, batchSize: 3, optimizer: new Sgd(0.1), verbose: 0, callbacks: [probe, recorder]);

        Assert.Equal(
            ["TrainBegin", "EpochBegin 0", "BatchEnd 0", "BatchEnd 1", "EpochEnd 0", "EpochBegin 1", "BatchEnd 0", "BatchEnd 1", "EpochEnd 1", "TrainEnd 2"],
            recorder.Events);
        Assert.Same(model, seenAtTrainBegin);
    }

    [Fact]
    public void BatchEndReceivesTheEpochsRunningMeans()
    {
        // Per-sample loss = second feature: 0.1, 0.1, 0.1 | 0.4, 0.4, 0.4 | 0.7 → running means 0.3/3, 1.5/6, 2.2/7.
        float[] second = [0.1f, 0.1f, 0.1f, 0.4f, 0.4f, 0.4f, 0.7f];
        var images = second.SelectMany((v, i) => new[] { (float)i, v }).ToArray();
        int[] labels = [1, 1, 1, 0, 0, 0, 1];
        var seen = new List<(float Loss, float Accuracy)>();
        var model = new TestModel(new ScriptedEngine(SoftmaxEngine.Describe())) { Output = TextWriter.Null };
        model.Fit(new Dataset(images, labels, 2), epochs: 1, batchSize: 3, shuffle: false, optimizer: new Sgd(0.001), verbose: 0, callbacks: [new BatchProbe(seen)]);

        Assert.Equal(3, seen.Count);
        Assert.Equal(0.1, seen[0].Loss, 6);
        Assert.Equal(0.25, seen[1].Loss, 6);
        Assert.Equal(2.2 / 7, seen[2].Loss, 6);
        Assert.Equal(1.0, seen[0].Accuracy, 6);
        Assert.Equal(0.5, seen[1].Accuracy, 6);
        Assert.Equal(4 / 7.0, seen[2].Accuracy, 6);
    }

    [Fact]
    public void StopTrainingFromABatchEndEndsFitAfterThatBatch()
    {
        // Keras 3 (and 2): fit breaks out of the epoch's batches as soon as a callback sets stop_training, then logs the
        // epoch (validation included) and ends.
        var engine = new RecordingEngine(SoftmaxEngine.Describe());
        var model = new TestModel(engine) { Output = TextWriter.Null };
        var stopper = new RecordingCallback { OnEvent = (cb, e) => { if (e == "BatchEnd 0" && cb.Events.Contains("EpochBegin 1")) { cb.Model!.StopTraining = true; } } };
        History history = model.Fit(TestData.Indexed(9), epochs: 5, batchSize: 3, optimizer: new Sgd(0.001), validationData: TestData.Indexed(4), verbose: 0, callbacks: [stopper]);

        Assert.Equal(2, history.Count);
        Assert.Single(history.ValLoss.Skip(1));
        Assert.Equal(4, engine.TrainingCalls.Count);
        Assert.Equal(["EpochBegin 1", "BatchEnd 0", "EpochEnd 1", "TrainEnd 2"], stopper.Events[^4..]);

        // The next Fit starts afresh.
        History next = model.Fit(TestData.Indexed(9), epochs: 2, batchSize: 3, verbose: 0);
        Assert.Equal(2, next.Count);
    }

    private sealed class BatchProbe(List<(float, float)> seen) : Callback
    {
        public override void OnBatchEnd(int batch, float loss, float accuracy) => seen.Add((loss, accuracy));
    }
}
