using ConvGen.Benchmarks.Comparison;

namespace ConvGen.Tests.Benchmarks;

/// <summary>How the benchmark pools the rounds of a side's measurements (StepTimer.cs, linked from
/// benchmarks/ConvGen.Benchmarks): the median of every run, and of the rounds' latency medians.</summary>
public class StepTimerTests
{
    [Fact]
    public void PooledStepsAreTheMedianOfEveryRunOfEveryRound()
    {
        // A fast round, a slow one and one between: the median run, not the median of the rounds' medians.
        StepMeasurement pooled = StepTimer.Pool(
        [
            new StepMeasurement(1.0, [1.0, 1.0, 1.1], 10, 3),
            new StepMeasurement(3.0, [2.9, 3.0, 3.0], 4, 3),
            new StepMeasurement(1.2, [1.2, 1.25, 1.3], 9, 3),
        ]);

        Assert.Equal(1.25, pooled.MedianSeconds);
        Assert.Equal(9, pooled.RepeatSeconds.Count);
        Assert.Equal(9, pooled.WarmupSteps);
        Assert.Equal(10, pooled.StepsPerRepeat);
    }

    [Fact]
    public void PooledLatencyIsTheMedianOfTheRoundsMedians()
    {
        LatencyMeasurement pooled = StepTimer.Pool([new LatencyMeasurement(5e-6, 100), new LatencyMeasurement(9e-6, 200), new LatencyMeasurement(6e-6, 150)]);

        Assert.Equal(6e-6, pooled.MedianSeconds);
        Assert.Equal(450, pooled.Calls);
    }
}
