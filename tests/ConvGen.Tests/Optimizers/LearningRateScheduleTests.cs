namespace ConvGen.Tests.Optimizers;

/// <summary>
/// The learning-rate schedules against their closed forms (Keras 3's keras/src/optimizers/schedules, PyTorch's
/// OneCycleLR), written out here independently, and the optimizers following them step by step.
/// </summary>
public class LearningRateScheduleTests
{
    private static readonly long[] Steps = [0, 1, 2, 7, 99, 100, 101, 468, 469, 470, 937, 938, 1000, 5000, 5001, 100_000];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ExponentialDecayIsInitialTimesRateToTheStepsOverDecaySteps(bool staircase)
    {
        LearningRateSchedule schedule = LearningRateSchedule.ExponentialDecay(1e-3, decaySteps: 469, decayRate: 0.95, staircase);
        foreach (long step in Steps)
        {
            double exponent = staircase ? step / 469 : step / 469.0;
            Assert.Equal(1e-3 * Math.Pow(0.95, exponent), schedule.Rate(step), 15);
        }
    }

    [Fact]
    public void CosineDecayFallsByHalfACosineToAlphaThenHolds()
    {
        LearningRateSchedule schedule = LearningRateSchedule.CosineDecay(1e-3, decaySteps: 5000, alpha: 0.1);
        foreach (long step in Steps)
        {
            double progress = Math.Min(step, 5000) / 5000.0;
            double expected = 1e-3 * ((0.9 * 0.5 * (1 + Math.Cos(Math.PI * progress))) + 0.1);
            Assert.Equal(expected, schedule.Rate(step), 15);
        }

        Assert.Equal(1e-3, schedule.Rate(0), 15);
        Assert.Equal(1e-4, schedule.Rate(5000), 15);
        Assert.Equal(1e-4, schedule.Rate(1_000_000), 15);
    }

    [Fact]
    public void CosineDecayWarmsUpLinearlyToItsTargetFirst()
    {
        LearningRateSchedule schedule = LearningRateSchedule.CosineDecay(0, decaySteps: 1000, warmupTarget: 0.01, warmupSteps: 100);
        Assert.Equal(0, schedule.Rate(0));
        Assert.Equal(0.005, schedule.Rate(50), 15);
        Assert.Equal(0.0099, schedule.Rate(99), 15);
        Assert.Equal(0.01, schedule.Rate(100), 15);
        Assert.Equal(0.01 * 0.5 * (1 + Math.Cos(Math.PI * 0.5)), schedule.Rate(600), 15);
        Assert.Equal(0, schedule.Rate(1100), 15);
    }

    [Fact]
    public void PiecewiseIncludesEachBoundaryInThePieceBeforeIt()
    {
        // Keras' PiecewiseConstantDecay: values[0] for step <= boundaries[0], and so on.
        LearningRateSchedule schedule = LearningRateSchedule.Piecewise(boundaries: [1876, 4221], values: [0.01, 0.001, 0.0001]);
        Assert.Equal(0.01, schedule.Rate(0));
        Assert.Equal(0.01, schedule.Rate(1876));
        Assert.Equal(0.001, schedule.Rate(1877));
        Assert.Equal(0.001, schedule.Rate(4221));
        Assert.Equal(0.0001, schedule.Rate(4222));
        Assert.Equal(0.0001, schedule.Rate(long.MaxValue));
    }

    [Fact]
    public void OneCycleRisesToItsPeakThenFallsToTheFloorAsPyTorch()
    {
        // PyTorch's OneCycleLR, two phases, cosine: the peak at step pct·total - 1, the floor at the last step.
        const double max = 0.01;
        const long total = 938;
        LearningRateSchedule schedule = LearningRateSchedule.OneCycle(max, total);
        double initial = max / 25, floor = initial / 1e4, peak = (0.3 * total) - 1;
        for (long step = 0; step < total; step++)
        {
            double expected = step <= peak
                ? Cos(initial, max, step / peak)
                : Cos(max, floor, (step - peak) / (total - 1 - peak));
            Assert.Equal(expected, schedule.Rate(step), 15);
        }

        Assert.Equal(initial, schedule.Rate(0), 15);
        Assert.Equal(floor, schedule.Rate(total - 1), 15);
        Assert.Equal(floor, schedule.Rate(total + 500), 15);
        Assert.True(schedule.Rate(280) > 0.0099);

        static double Cos(double start, double end, double pct) => end + ((start - end) / 2 * (Math.Cos(Math.PI * pct) + 1));
    }

    [Fact]
    public void AnOptimizerUsesTheScheduledRateOfEachUpdate()
    {
        // Plain SGD moves w by exactly -rate(step) · g: the rate of every update is read back from the weights.
        LearningRateSchedule schedule = LearningRateSchedule.ExponentialDecay(0.5, decaySteps: 2, decayRate: 0.5);
        var optimizer = new Sgd(schedule);
        Assert.Same(schedule, optimizer.Schedule);
        Assert.Equal(0.5, optimizer.LearningRate);
        float[] w = [0f];
        for (int step = 0; step < 6; step++)
        {
            float before = w[0];
            optimizer.Apply(w, [1f]);
            Assert.Equal((float)schedule.Rate(step), before - w[0], 6);
            Assert.Equal(schedule.Rate(step + 1), optimizer.LearningRate, 15);
        }
    }

    [Fact]
    public void SettingTheRateScalesTheRestOfTheSchedule()
    {
        // ReduceLROnPlateau, a LearningRateScheduler and an annealing between Fit calls all set LearningRate; with a
        // schedule that becomes a factor on the schedule from then on.
        var optimizer = new Adam(LearningRateSchedule.Piecewise([1], [0.01, 0.001]));
        optimizer.Apply(new float[3], new float[3]);
        Assert.Equal(0.01, optimizer.LearningRate);
        optimizer.LearningRate = 0.005;
        Assert.Equal(0.5, optimizer.LearningRateScale, 15);
        Assert.Equal(0.005, optimizer.LearningRate, 15);
        optimizer.Apply(new float[3], new float[3]);
        Assert.Equal(0.0005, optimizer.LearningRate, 15);
    }

    [Fact]
    public void ReduceLROnPlateauReducesAScheduledRate()
    {
        var optimizer = new Sgd(LearningRateSchedule.CosineDecay(0.1, decaySteps: 100));
        var model = new Training.TestModel(new Training.SoftmaxEngine(Training.SoftmaxEngine.Describe()));
        var plateau = new ReduceLROnPlateau(monitor: "loss", factor: 0.5, patience: 0);
        plateau.Model = model;
        model.Compile(optimizer);
        plateau.OnTrainBegin();
        plateau.OnEpochEnd(0, new EpochLogs(0, 1f, 0.5f, null, null, 0.1, 1));
        plateau.OnEpochEnd(1, new EpochLogs(1, 1f, 0.5f, null, null, 0.1, 1));
        Assert.Equal(0.5, optimizer.LearningRateScale, 15);
        Assert.Equal(0.05, optimizer.LearningRate, 15);
    }

    [Fact]
    public void BadSchedulesAreRejectedWithTheArgumentNamed()
    {
        Assert.Equal("initialLearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.ExponentialDecay(double.NaN, 10, 0.9)).ParamName);
        Assert.Equal("decaySteps", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.ExponentialDecay(0.1, 0, 0.9)).ParamName);
        Assert.Equal("decayRate", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.ExponentialDecay(0.1, 10, -1)).ParamName);
        Assert.Equal("alpha", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.CosineDecay(0.1, 10, alpha: 2)).ParamName);
        Assert.Equal("warmupTarget", Assert.Throws<ArgumentException>(() => LearningRateSchedule.CosineDecay(0.1, 10, warmupSteps: 5)).ParamName);
        Assert.Equal("values", Assert.Throws<ArgumentException>(() => LearningRateSchedule.Piecewise([10], [0.1])).ParamName);
        Assert.Equal("boundaries", Assert.Throws<ArgumentException>(() => LearningRateSchedule.Piecewise([10, 5], [0.1, 0.2, 0.3])).ParamName);
        Assert.Equal("values[1]", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Piecewise([10], [0.1, double.PositiveInfinity])).ParamName);
        Assert.Equal("totalSteps", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.OneCycle(0.1, 1)).ParamName);
        Assert.Equal("pctStart", Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.OneCycle(0.1, 100, pctStart: 1)).ParamName);
        Assert.Throws<ArgumentNullException>(() => new Adam((LearningRateSchedule)null!));
    }

    [Fact]
    public void AScheduleOfTheUsersOwnGivingABadRateStopsTheUpdateWithItsStep()
    {
        var optimizer = new Sgd(new Broken());
        optimizer.Apply(new float[2], new float[2]);
        var error = Assert.Throws<InvalidOperationException>(() => optimizer.Apply(new float[2], new float[2]));
        Assert.Contains("step 1", error.Message);
        Assert.Contains("NaN", error.Message);
    }

    private sealed class Broken : LearningRateSchedule
    {
        public override double Rate(long step) => step == 0 ? 0.1 : double.NaN;
    }
}
