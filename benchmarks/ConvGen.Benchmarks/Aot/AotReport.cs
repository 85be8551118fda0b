using System.Globalization;
using ConvGen.Benchmarks.Comparison;

namespace ConvGen.Benchmarks.Aot;

/// <summary>What one trainer run reported (<c>convgen-train train --timing</c>).
/// <c>SecondsAfterFirstEpoch</c> is null for a one-epoch run.</summary>
internal sealed record TrainerTiming(string Kernels, string Build, double SecondsToFirstStep, double SecondsToFirstStepDone, double TrainingSeconds, long Samples, double? SecondsAfterFirstEpoch, long SamplesAfterFirstEpoch);

/// <summary>One side (JIT or NativeAOT) of a network's row: medians over the rounds, and every run's training seconds.
/// <c>SamplesPerSecond</c> is over the whole of <c>Fit</c> (the JIT's compilation included); <c>SteadySamplesPerSecond</c>
/// over the epochs after the first (null for one-epoch runs), when the JIT has compiled and tiered up the code.</summary>
internal sealed record AotSide(string Kernels, string Build, double SamplesPerSecond, double? SteadySamplesPerSecond, double SecondsToFirstStep, double SecondsToFirstStepDone, IReadOnlyList<double> TrainingSeconds)
{
    public static AotSide From(IReadOnlyList<TrainerTiming> runs) => new(
        runs[0].Kernels,
        runs[0].Build,
        runs[0].Samples / Median(runs.Select(r => r.TrainingSeconds)),
        runs.All(r => r.SecondsAfterFirstEpoch is not null) ? runs[0].SamplesAfterFirstEpoch / Median(runs.Select(r => r.SecondsAfterFirstEpoch!.Value)) : null,
        Median(runs.Select(r => r.SecondsToFirstStep)),
        Median(runs.Select(r => r.SecondsToFirstStepDone)),
        runs.Select(r => r.TrainingSeconds).ToList());

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}

/// <summary>A network trained by both trainers: throughput, start-up, and whether the weights are the same bits.</summary>
internal sealed record AotRow(string Network, long Samples, AotSide Jit, AotSide Aot, double AotOverJit, double? SteadyAotOverJit, bool IdenticalWeights);

/// <summary>An instruction-set path checked on both sides: the JIT forced onto it by a switch, the AOT build of it.</summary>
internal sealed record AotPath(string Path, string Network, string JitSwitch, string JitKernels, string AotBuild, string AotKernels, bool IdenticalWeights);

/// <summary>The published binaries' sizes in bytes.</summary>
internal sealed record AotSizes(long Portable, long Avx2, long Avx512);

/// <summary>Everything one run of <c>aot</c> measured.</summary>
internal sealed record AotReport(
    string Command,
    MachineInfo Machine,
    int Threads,
    int Epochs,
    int Rounds,
    FmaPeakResult FmaPeak,
    AotSizes Sizes,
    IReadOnlyList<AotRow> Rows,
    IReadOnlyList<AotPath> Paths,
    double Seconds);

/// <summary>The arguments of <c>aot</c>.</summary>
internal sealed record AotOptions(IReadOnlyList<string>? Networks = null, int Rounds = 3, int Epochs = 2, int Threads = 2, bool NoBuild = false, string? OutputDirectory = null, bool Help = false)
{
    public static AotOptions Parse(IReadOnlyList<string> arguments)
    {
        var options = new AotOptions();
        for (int i = 0; i < arguments.Count; i++)
        {
            string argument = arguments[i];
            string Value() => i + 1 < arguments.Count ? arguments[++i] : throw new UsageException($"{argument} needs a value.");
            options = argument switch
            {
                "--networks" => options with { Networks = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "--rounds" => options with { Rounds = Positive(argument, Value()) },
                "--epochs" => options with { Epochs = Positive(argument, Value()) },
                "--threads" => options with { Threads = Positive(argument, Value()) },
                "--no-build" => options with { NoBuild = true },
                "--out" => options with { OutputDirectory = Value() },
                "--help" or "-h" => options with { Help = true },
                _ => throw new UsageException($"Unknown argument '{argument}'."),
            };
        }

        return options;
    }

    private static int Positive(string option, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : throw new UsageException($"{option} needs a positive whole number; got '{value}'.");
}
