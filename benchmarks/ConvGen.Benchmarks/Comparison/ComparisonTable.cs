using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ConvGen.Benchmarks.Comparison;

/// <summary>One engine's training step on one network, in the table's units.</summary>
/// <param name="Threads">The threads the engine ran on.</param>
/// <param name="PercentOfPeak">Of the comparison's N-thread FMA peak, whatever <paramref name="Threads"/> is.</param>
internal sealed record EngineResult(string Engine, int Threads, double StepMilliseconds, double SamplesPerSecond, double Gflops, double PercentOfPeak, StepMeasurement Measurement)
{
    public static EngineResult From(string engine, int threads, StepMeasurement measurement, int batch, long flopPerSample, double peakGflops)
    {
        double samplesPerSecond = batch / measurement.MedianSeconds;
        double gflops = samplesPerSecond * flopPerSample / 1e9;
        return new EngineResult(engine, threads, measurement.MedianSeconds * 1e3, samplesPerSecond, gflops, 100 * gflops / peakGflops, measurement);
    }
}

/// <summary>Batch-1 inference latencies; <see cref="ConvGenSpeedup"/> is PyTorch's time over ConvGen's.</summary>
internal sealed record InferenceResult(double ConvGenMicroseconds, double PyTorchMicroseconds, double ConvGenSpeedup, LatencyMeasurement ConvGen, LatencyMeasurement PyTorch)
{
    public static InferenceResult From(LatencyMeasurement convGen, LatencyMeasurement pyTorch) =>
        new(convGen.MedianSeconds * 1e6, pyTorch.MedianSeconds * 1e6, pyTorch.MedianSeconds / convGen.MedianSeconds, convGen, pyTorch);
}

/// <summary>One network's row: its arithmetic, the three engines' training steps, their ratios (of samples/s) and
/// batch-1 inference, with the oneDNN primitives PyTorch ran.</summary>
internal sealed record ComparisonRow(
    string Network,
    string TrainerName,
    bool InIssueTable,
    int Batch,
    long TrainableParameters,
    long FlopPerSample,
    EngineResult ConvGen,
    EngineResult PyTorch,
    EngineResult Interpreted,
    double ConvGenOverPyTorch,
    double ConvGenOverInterpreted,
    InferenceResult Inference,
    InferenceResult InferenceOnNoise,
    IReadOnlyDictionary<string, int> PyTorchOnednnTraining,
    IReadOnlyDictionary<string, int> PyTorchOnednnInference);

/// <summary>Everything one run of the comparison measured.</summary>
internal sealed record ComparisonReport(
    string Command,
    MachineInfo Machine,
    int Threads,
    FmaPeakResult FmaPeak,
    PyTorchInfo PyTorch,
    IReadOnlyList<ComparisonRow> Rows,
    double Seconds,
    double? LoadAverageAtEnd,
    int Rounds);

/// <summary>The comparison's table, as Markdown (for people) and JSON (everything, for tools).</summary>
internal static class ComparisonTable
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes <c>latest.md</c> and <c>latest.json</c> into <paramref name="directory"/> and returns the
    /// Markdown.</summary>
    public static string Write(ComparisonReport report, string directory)
    {
        Directory.CreateDirectory(directory);
        string markdown = ToMarkdown(report);
        File.WriteAllText(Path.Combine(directory, "latest.md"), markdown);
        File.WriteAllText(Path.Combine(directory, "latest.json"), JsonSerializer.Serialize(report, Json) + "\n");
        return markdown;
    }

    /// <summary>The header lines, the training table, the batch-1 inference table and the oneDNN primitives.</summary>
    public static string ToMarkdown(ComparisonReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        MachineInfo machine = report.Machine;
        FmaPeakResult peak = report.FmaPeak;
        PyTorchInfo torch = report.PyTorch;
        int convGenThreads = report.Rows.Count > 0 ? report.Rows[0].ConvGen.Threads : 1;

        Line(md, "# ConvGen against eager PyTorch and the interpreted engine");
        Line(md);
        string switches = string.Concat(machine.InstructionSetSwitches.Select(s => s + " "));
        Line(md, $"- Command: `{switches}dotnet run -c Release --project benchmarks/ConvGen.Benchmarks -- {report.Command}` ({report.Seconds:F0} s)");
        Line(md, $"- Machine: {machine.Cpu}, {machine.Cores} cores{(machine.Avx512 ? " (AVX-512)" : string.Empty)}; {machine.OperatingSystem}");
        Line(md, $"- Date: {machine.Date:yyyy-MM-dd HH:mm zzz}; CPUs busy with other work just before: {Percent(machine.CpuBusy)}; " +
                 $"load average {Load(machine.LoadAverage)} at the start (it lags: the build counts), {Load(report.LoadAverageAtEnd)} at the end");
        Line(md, $"- .NET: {machine.DotNet}; ConvGen instruction set: {machine.InstructionSet}");
        Line(md, $"- PyTorch {torch.Version} (eager), {torch.Threads} threads (torch.set_num_threads({report.Threads}); its default here: {torch.DefaultThreads}; inter-op threads: {torch.InteropThreads}); " +
                 $"oneDNN {torch.OnednnVersion ?? "?"} {(torch.OnednnEnabled ? "enabled" : "disabled")}; ATen CPU capability {torch.CpuCapability ?? "?"}; " +
                 $"BLAS {Libraries(torch.BlasLibraries)}, {torch.OpenblasThreads?.ToString(CultureInfo.InvariantCulture) ?? "?"} OpenBLAS thread(s) " +
                 (torch.OpenblasThreads == 1
                     ? "(PyTorch at its best here: OpenBLAS's pthread pool would fight OpenMP's workers for the cores)"
                     : "(PyTorch as installed: OpenBLAS's pthread pool and OpenMP's workers share the cores)"));
        Line(md, $"- FMA peak ({peak.Vector}, {peak.Chains} independent chains): 1 thread {peak.SingleThreadGflops:F1} GFLOP/s; " +
                 $"{peak.Threads} threads {peak.MultiThreadGflops:F1} GFLOP/s ({peak.MultiThreadGflopsPerThread:F1} per thread)");
        Line(md, $"- Threads: ConvGen {convGenThreads}{(convGenThreads != report.Threads ? " (the engine's cap)" : string.Empty)}, " +
                 $"PyTorch {torch.Threads}, interpreted 1. Every % is of the {report.Threads}-thread FMA peak.");
        Line(md);

        Line(md, "## Training step: forward, backward and Adam, at the notebook's batch size");
        Line(md);
        Line(md, "FLOP per sample by the issue's convention (2 per multiply-add; forward and weight gradient of every Conv2D and Dense, " +
                 "plus the input gradient of those after the first trainable layer). Ratios are of samples/s." + IssueRows(report.Rows));
        Line(md);
        Line(md, "| Network | Batch | FLOP/sample | ConvGen samples/s | GFLOP/s | % peak | PyTorch samples/s | GFLOP/s | % peak | Interpreted samples/s | GFLOP/s | % peak | ConvGen/PyTorch | ConvGen/interpreted |");
        Line(md, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (ComparisonRow row in report.Rows)
        {
            Line(md, $"| {row.Network} | {row.Batch} | {Flop(row.FlopPerSample)} | {Engine(row.ConvGen)} | {Engine(row.PyTorch)} | {Engine(row.Interpreted)} | " +
                     $"{Ratio(row.ConvGenOverPyTorch)} | {Ratio(row.ConvGenOverInterpreted)} |");
        }

        Line(md);
        Line(md, "## Batch-1 inference: ConvGen's `model.Predict(image)`, PyTorch's `model.eval()` inside one `torch.no_grad()` around all the calls");
        Line(md);
        Line(md, $"Median latency of single calls; the ratio is PyTorch's time over ConvGen's (above 1: ConvGen is faster). Both sides classify " +
                 $"MNIST's first {InferenceImages.DigitCount} test digits in turn; the last columns time the first image of the random training batch " +
                 "(uniform noise), as tables before 2026-11-22 did. ConvGen's Dense layers skip the kernel rows of zero inputs at batch 1, " +
                 "which a digit's background and a ReLU leave many of and noise none of; PyTorch's time does not depend on the image.");
        Line(md);
        Line(md, "| Network | ConvGen µs | PyTorch µs | ConvGen/PyTorch | noise: ConvGen µs | PyTorch µs | ConvGen/PyTorch |");
        Line(md, "|---|---:|---:|---:|---:|---:|---:|");
        foreach (ComparisonRow row in report.Rows)
        {
            InferenceResult digits = row.Inference;
            InferenceResult noise = row.InferenceOnNoise;
            Line(md, $"| {row.Network} | {Microseconds(digits.ConvGenMicroseconds)} | {Microseconds(digits.PyTorchMicroseconds)} | {Ratio(digits.ConvGenSpeedup)} | " +
                     $"{Microseconds(noise.ConvGenMicroseconds)} | {Microseconds(noise.PyTorchMicroseconds)} | {Ratio(noise.ConvGenSpeedup)} |");
        }

        Line(md);
        Line(md, "## oneDNN primitives PyTorch executed (one training step; one batch-1 inference)");
        Line(md);
        Line(md, "| Network | Training step | Batch-1 inference |");
        Line(md, "|---|---|---|");
        foreach (ComparisonRow row in report.Rows)
        {
            Line(md, $"| {row.Network} | {Primitives(row.PyTorchOnednnTraining)} | {Primitives(row.PyTorchOnednnInference)} |");
        }

        Line(md);
        Line(md, CompareCommand.TimingMethod(report.Rounds) + " Each side builds the network from the same ModelDescription; PyTorch runs NCHW float32, " +
                 "Adam(lr=1e-3, eps=1e-7) and CrossEntropyLoss on logits.");
        return md.ToString();
    }

    private static string Percent(double? fraction) => fraction?.ToString("P0", CultureInfo.InvariantCulture) ?? "unknown";

    private static string Load(double? load) => load?.ToString("F2", CultureInfo.InvariantCulture) ?? "unknown";

    private static void Line(StringBuilder md, string text = "") => md.Append(text).Append('\n');

    private static string Engine(EngineResult result) =>
        $"{result.SamplesPerSecond.ToString("N0", CultureInfo.InvariantCulture)} | {Significant(result.Gflops)} | {result.PercentOfPeak.ToString("F1", CultureInfo.InvariantCulture)}";

    private static string Flop(long flop) => BenchmarkDocs.Flop(flop);

    private static string Significant(double value) => BenchmarkDocs.Significant(value);

    private static string Ratio(double ratio) => BenchmarkDocs.Ratio(ratio);

    // Which rows belong to the speed issue's table: the catalogue puts them first.
    private static string IssueRows(IReadOnlyList<ComparisonRow> rows)
    {
        int issue = rows.Count(row => row.InIssueTable);
        return issue == 0 ? string.Empty
            : issue == rows.Count ? " Every row is a network of the issue's table."
            : issue == 1 ? " The first row is a network of the issue's table."
            : " The first " + issue.ToString(CultureInfo.InvariantCulture) + " rows are the issue's table.";
    }

    private static string Microseconds(double microseconds) => BenchmarkDocs.Microseconds(microseconds);

    private static string Primitives(IReadOnlyDictionary<string, int> primitives)
    {
        var parts = primitives.Where(p => p.Key != "reorder").Select(p => $"{p.Key} ×{p.Value}").ToList();
        if (primitives.TryGetValue("reorder", out int reorders))
        {
            parts.Add($"reorder ×{reorders}");
        }

        return parts.Count == 0 ? "none" : string.Join("; ", parts);
    }

    /// <summary>The BLAS files the worker loaded, e.g. "openblas-pthread/libblas.so.3, openblas-pthread/libopenblasp-r0.3.21.so".</summary>
    private static string Libraries(IReadOnlyList<string> paths)
    {
        string[] blas = paths
            .Where(p => Path.GetFileName(p).Contains("blas", StringComparison.OrdinalIgnoreCase))
            .Select(p => p.Replace("/usr/lib/x86_64-linux-gnu/", string.Empty, StringComparison.Ordinal))
            .ToArray();
        return blas.Length == 0 ? "none loaded" : string.Join(", ", blas);
    }
}
