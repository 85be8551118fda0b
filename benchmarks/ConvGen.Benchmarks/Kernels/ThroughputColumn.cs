using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using ConvGen.Benchmarks.Comparison;

namespace ConvGen.Benchmarks.Kernels;

/// <summary>
/// A column of the kernel benchmarks' arithmetic rate: GFLOP/s from the FLOP of a call (<see cref="KernelBenchmarks.Flop"/>)
/// over its mean time, or that rate as a percentage of the FMA peak of the engine's threads, measured by the same
/// process once the benchmarks have run. Empty for the other benchmarks.
/// </summary>
internal sealed class ThroughputColumn : IColumn
{
    private readonly bool _percentOfPeak;
    private readonly Lazy<double> _peakGflops;

    private ThroughputColumn(bool percentOfPeak, Lazy<double> peakGflops)
    {
        _percentOfPeak = percentOfPeak;
        _peakGflops = peakGflops;
    }

    /// <summary>The GFLOP/s column and the % of peak column, sharing one measurement of the peak.</summary>
    public static IColumn[] Create()
    {
        var peak = new Lazy<double>(() => FmaPeak.Measure(new DenseKernelModel().Engine.Threads).MultiThreadGflops);
        return [new ThroughputColumn(false, peak), new ThroughputColumn(true, peak)];
    }

    public string Id => nameof(ThroughputColumn) + (_percentOfPeak ? ".Peak" : ".Gflops");

    public string ColumnName => _percentOfPeak ? "% of FMA peak" : "GFLOP/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => _percentOfPeak ? 1 : 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => _percentOfPeak
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"GFLOP/s over the FMA peak of the engine's threads, measured by this process after the benchmarks: {_peakGflops.Value:F0} GFLOP/s")
        : "Conv2D and Dense multiply-adds (2 FLOP each, a convolution's by the direct count, which Winograd's F(2×2, 3×3) beats) of a call over its mean time";

    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => c.Descriptor.Type == typeof(KernelBenchmarks));

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? meanNanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (benchmarkCase.Descriptor.Type != typeof(KernelBenchmarks) || meanNanoseconds is not double mean || mean <= 0)
        {
            return "-";
        }

        var kernel = (string)benchmarkCase.Parameters[nameof(KernelBenchmarks.Kernel)];
        double gflops = KernelBenchmarks.Flop(kernel, benchmarkCase.Descriptor.WorkloadMethod.Name) / mean;
        return _percentOfPeak
            ? (100 * gflops / _peakGflops.Value).ToString("F0", System.Globalization.CultureInfo.InvariantCulture) + " %"
            : gflops.ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
    }

    public override string ToString() => ColumnName;
}
