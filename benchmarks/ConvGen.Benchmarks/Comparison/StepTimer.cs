using System.Diagnostics;

namespace ConvGen.Benchmarks.Comparison;

/// <summary>
/// How a training step is timed, on every side alike (benchmarks/pytorch/train_step.py follows the same plan): warm-up
/// steps (at least <see cref="MinWarmupSteps"/> and <see cref="WarmupSeconds"/>), then <see cref="Repeats"/> runs of
/// the same number of steps, and the median of the runs' per-step times, since the machine is shared and noisy. The
/// number of steps per run is <see cref="Steps"/>, or enough for about <see cref="RepeatSeconds"/> judged from the
/// fastest warm-up step.
/// </summary>
internal sealed record StepPlan(double WarmupSeconds, int MinWarmupSteps, int Repeats, double RepeatSeconds, int? Steps);

/// <summary>How a single call is timed: warm-up calls (at least <see cref="WarmupCalls"/> and <see cref="WarmupSeconds"/>,
/// long enough for .NET's tiered JIT to replace the first code of methods only inference calls), then calls timed one by
/// one (at least <see cref="MinCalls"/>, then until <see cref="MaxCalls"/> or <see cref="MaxSeconds"/>), and their
/// median.</summary>
internal sealed record LatencyPlan(int WarmupCalls, double WarmupSeconds, int MinCalls, int MaxCalls, double MaxSeconds);

/// <summary>A timed training step: the median per-step time of the runs, each run's, and how many steps were run.</summary>
internal sealed record StepMeasurement(double MedianSeconds, IReadOnlyList<double> RepeatSeconds, int StepsPerRepeat, int WarmupSteps);

/// <summary>A timed call: the median of the single-call times.</summary>
internal sealed record LatencyMeasurement(double MedianSeconds, int Calls);

/// <summary>Runs a <see cref="StepPlan"/> or a <see cref="LatencyPlan"/>.</summary>
internal static class StepTimer
{
    /// <summary>Times <paramref name="step"/> by <paramref name="plan"/>.</summary>
    public static StepMeasurement MeasureSteps(Action step, StepPlan plan)
    {
        long started = Stopwatch.GetTimestamp();
        int warmupSteps = 0;
        double fastest = double.PositiveInfinity;
        while (true)
        {
            long t0 = Stopwatch.GetTimestamp();
            step();
            fastest = Math.Min(fastest, Stopwatch.GetElapsedTime(t0).TotalSeconds);
            warmupSteps++;
            if (warmupSteps >= plan.MinWarmupSteps && Stopwatch.GetElapsedTime(started).TotalSeconds >= plan.WarmupSeconds)
            {
                break;
            }
        }

        int steps = plan.Steps ?? Math.Max(1, (int)Math.Ceiling(plan.RepeatSeconds / fastest));
        var repeats = new double[plan.Repeats];
        for (int r = 0; r < repeats.Length; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            for (int s = 0; s < steps; s++)
            {
                step();
            }

            repeats[r] = Stopwatch.GetElapsedTime(t0).TotalSeconds / steps;
        }

        return new StepMeasurement(Median(repeats), repeats, steps, warmupSteps);
    }

    /// <summary>Times single calls of <paramref name="call"/> by <paramref name="plan"/>.</summary>
    public static LatencyMeasurement MeasureLatency(Action call, LatencyPlan plan)
    {
        long warmupStarted = Stopwatch.GetTimestamp();
        for (int i = 0; i < plan.WarmupCalls || Stopwatch.GetElapsedTime(warmupStarted).TotalSeconds < plan.WarmupSeconds; i++)
        {
            call();
        }

        var times = new List<double>(plan.MaxCalls);
        long started = Stopwatch.GetTimestamp();
        while (times.Count < plan.MaxCalls)
        {
            long t0 = Stopwatch.GetTimestamp();
            call();
            times.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
            if (times.Count >= plan.MinCalls && Stopwatch.GetElapsedTime(started).TotalSeconds >= plan.MaxSeconds)
            {
                break;
            }
        }

        return new LatencyMeasurement(Median(times), times.Count);
    }

    /// <summary>Several measurements of the same step as one: the median of all their runs (each a per-step time, so
    /// rounds that ran different step counts pool alike; <see cref="StepMeasurement.StepsPerRepeat"/> is the first
    /// round's).</summary>
    public static StepMeasurement Pool(IReadOnlyList<StepMeasurement> rounds)
    {
        double[] repeats = rounds.SelectMany(r => r.RepeatSeconds).ToArray();
        return new StepMeasurement(Median(repeats), repeats, rounds[0].StepsPerRepeat, rounds.Sum(r => r.WarmupSteps));
    }

    /// <summary>Several measurements of the same call as one: the median of their medians.</summary>
    public static LatencyMeasurement Pool(IReadOnlyList<LatencyMeasurement> rounds) =>
        new(Median(rounds.Select(r => r.MedianSeconds).ToArray()), rounds.Sum(r => r.Calls));

    /// <summary>The median (the mean of the middle two for an even count), as Python's statistics.median.</summary>
    public static double Median(IReadOnlyCollection<double> values)
    {
        double[] sorted = values.Order().ToArray();
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
