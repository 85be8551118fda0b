using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ConvGen.Benchmarks.Comparison;

/// <summary>
/// The benchmark tables of the documentation, written from the committed results files (<c>benchmarks/results/**/
/// latest.json</c>) so that they cannot drift from them. A document holds each table between two markers,
/// <c>&lt;!-- benchmarks:NAME ... --&gt;</c> and <c>&lt;!-- /benchmarks:NAME --&gt;</c>; <see cref="Render"/> rewrites
/// what stands between them and leaves the rest of the document as it is. <c>compare</c> calls it after writing its
/// results, <c>report</c> on its own, and a test checks that the committed documents are what it would write.
/// </summary>
/// <remarks>
/// Regions: <c>headline</c> (the issue's networks of the default run, a few rows for the README), <c>runs</c> (every
/// committed comparison run, whole), <c>aot</c> (the NativeAOT trainer against the JIT).
/// Reads the JSON with <see cref="JsonDocument"/>, so that it depends on nothing else of the benchmark program.
/// </remarks>
internal static partial class BenchmarkDocs
{
    /// <summary>The documents, relative to the repository root, that hold generated regions.</summary>
    public static readonly string[] Documents = ["README.md", "docs/benchmarks.md"];

    /// <summary>The command that regenerates every region.</summary>
    public const string Command = "dotnet run -c Release --project benchmarks/ConvGen.Benchmarks -- report";

    /// <summary>Rewrites the generated regions of every document of <see cref="Documents"/> under
    /// <paramref name="repositoryRoot"/>; returns the documents that changed.</summary>
    public static IReadOnlyList<string> Update(string repositoryRoot)
    {
        var changed = new List<string>();
        foreach (string document in Documents)
        {
            string path = Path.Combine(repositoryRoot, document);
            string text = File.ReadAllText(path);
            string rendered = Render(repositoryRoot, text);
            if (rendered != text)
            {
                File.WriteAllText(path, rendered);
                changed.Add(document);
            }
        }

        return changed;
    }

    /// <summary><paramref name="document"/> with each generated region written anew from the results under
    /// <paramref name="repositoryRoot"/>.</summary>
    public static string Render(string repositoryRoot, string document)
    {
        string results = Path.Combine(repositoryRoot, "benchmarks", "results");
        return RegionPattern().Replace(document, match =>
        {
            string name = match.Groups["name"].Value;
            string content = name switch
            {
                "headline" => Headline(results),
                "runs" => Runs(results),
                "aot" => AotRun(results),
                _ => throw new InvalidDataException($"Unknown generated region '{name}'; the regions are headline, runs and aot."),
            };
            return $"{match.Groups["open"].Value}\n{content}{match.Groups["close"].Value}";
        });
    }

    // <!-- benchmarks:NAME ... --> then anything (the old content) up to <!-- /benchmarks:NAME -->.
    [GeneratedRegex(@"(?<open><!-- benchmarks:(?<name>[a-z0-9-]+)\b[^>]*-->)\n(?s:.*?)(?<close><!-- /benchmarks:\k<name> -->)")]
    private static partial Regex RegionPattern();

    /// <summary>The networks of the speed issue's table from the default run: training and batch-1 ratios.</summary>
    private static string Headline(string results)
    {
        using JsonDocument json = Read(Path.Combine(results, "latest.json"));
        JsonElement root = json.RootElement;
        var md = new StringBuilder();
        md.Append(Invariant($"Training samples/s and batch-1 latency at the notebook's batch size, 2 threads each side, measured side by side ({Date(root)}, {Machine(root)}; ")
            + "[every network and the method](docs/benchmarks.md)):\n\n");
        md.Append("| Network (batch) | ConvGen samples/s | PyTorch samples/s | ConvGen / PyTorch | Batch 1: ConvGen / PyTorch |\n");
        md.Append("|---|---:|---:|---:|---:|\n");
        foreach (JsonElement row in root.GetProperty("rows").EnumerateArray().Where(r => r.GetProperty("inIssueTable").GetBoolean()))
        {
            JsonElement inference = row.GetProperty("inference");
            md.Append(Invariant($"| `{row.GetProperty("trainerName").GetString()}` ({row.GetProperty("batch").GetInt32()}) | "))
              .Append(Invariant($"{Number(row, "convGen", "samplesPerSecond"):N0} | {Number(row, "pyTorch", "samplesPerSecond"):N0} | {Ratio(row.GetProperty("convGenOverPyTorch").GetDouble())} | "))
              .Append(Invariant($"{Microseconds(inference.GetProperty("convGenMicroseconds").GetDouble())} / {Microseconds(inference.GetProperty("pyTorchMicroseconds").GetDouble())} µs = {Ratio(inference.GetProperty("convGenSpeedup").GetDouble())} |\n"));
        }

        return md.ToString();
    }

    /// <summary>Every committed run of <c>compare</c>, the default one first, each with its command, machine and both
    /// tables.</summary>
    private static string Runs(string results)
    {
        var md = new StringBuilder();
        IEnumerable<string> files = Directory.EnumerateFiles(results, "latest.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(results, f).Replace('\\', '/'))
            .Where(f => f == "latest.json" || f.Count(c => c == '/') == 1 && !f.StartsWith("aot/", StringComparison.Ordinal))
            .OrderBy(f => f == "latest.json" ? string.Empty : f, StringComparer.Ordinal);
        foreach (string file in files)
        {
            using JsonDocument json = Read(Path.Combine(results, file));
            JsonElement root = json.RootElement;
            if (!root.TryGetProperty("pyTorch", out _))
            {
                // Another benchmark's results (augmentation, ...), not a comparison with PyTorch.
                continue;
            }

            JsonElement machine = root.GetProperty("machine");
            JsonElement peak = root.GetProperty("fmaPeak");
            JsonElement torch = root.GetProperty("pyTorch");
            string switches = string.Concat(machine.GetProperty("instructionSetSwitches").EnumerateArray().Select(s => s.GetString() + " "));
            int openblas = torch.TryGetProperty("openblasThreads", out JsonElement o) && o.ValueKind == JsonValueKind.Number ? o.GetInt32() : 0;

            md.Append(Invariant($"### [`benchmarks/results/{file}`](../benchmarks/results/{file.Replace(".json", ".md", StringComparison.Ordinal)})\n\n"));
            md.Append(Invariant($"`{switches}{root.GetProperty("command").GetString()}`: {Date(root)}, {Machine(root)}, ConvGen's {machine.GetProperty("instructionSet").GetString()} kernels; "))
              .Append(Invariant($"PyTorch {torch.GetProperty("version").GetString()} on {torch.GetProperty("threads").GetInt32()} threads with {openblas} OpenBLAS thread(s); "))
              .Append(Invariant($"FMA peak {peak.GetProperty("singleThreadGflops").GetDouble():F0} GFLOP/s on 1 thread, {peak.GetProperty("multiThreadGflops").GetDouble():F0} on {peak.GetProperty("threads").GetInt32()}; "))
              .Append(Invariant($"{root.GetProperty("rounds").GetInt32()} rounds per network.\n\n"));
            md.Append("| Network | Batch | FLOP/sample | ConvGen samples/s (% peak) | PyTorch samples/s (% peak) | Interpreted samples/s | ConvGen / PyTorch | ConvGen / interpreted | Batch 1 (digits) ConvGen / PyTorch µs | (noise) |\n");
            md.Append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            foreach (JsonElement row in root.GetProperty("rows").EnumerateArray())
            {
                JsonElement digits = row.GetProperty("inference");
                JsonElement noise = row.GetProperty("inferenceOnNoise");
                md.Append(Invariant($"| `{row.GetProperty("trainerName").GetString()}` | {row.GetProperty("batch").GetInt32()} | {Flop(row.GetProperty("flopPerSample").GetInt64())} | "))
                  .Append(Invariant($"{Number(row, "convGen", "samplesPerSecond"):N0} ({Number(row, "convGen", "percentOfPeak"):F0} %) | {Number(row, "pyTorch", "samplesPerSecond"):N0} ({Number(row, "pyTorch", "percentOfPeak"):F0} %) | "))
                  .Append(Invariant($"{Number(row, "interpreted", "samplesPerSecond"):N0} | {Ratio(row.GetProperty("convGenOverPyTorch").GetDouble())} | {Ratio(row.GetProperty("convGenOverInterpreted").GetDouble())} | "))
                  .Append(Invariant($"{Latency(digits)} | {Latency(noise)} |\n"));
            }

            md.Append('\n');
        }

        return md.ToString();
    }

    /// <summary>The NativeAOT trainer against the JIT (<c>aot</c>), or a line saying no run is committed.</summary>
    private static string AotRun(string results)
    {
        string path = Path.Combine(results, "aot", "latest.json");
        if (!File.Exists(path))
        {
            return "No run committed yet (`benchmarks/results/aot/latest.json`).\n";
        }

        using JsonDocument json = Read(path);
        return AotMarkdown(json.RootElement);
    }

    /// <summary>The tables of one <c>aot</c> run: throughput, start-up and weights per network; the instruction-set
    /// paths; the binaries' sizes.</summary>
    public static string AotMarkdown(JsonElement root)
    {
        JsonElement machine = root.GetProperty("machine");
        JsonElement peak = root.GetProperty("fmaPeak");
        JsonElement sizes = root.GetProperty("sizes");
        var md = new StringBuilder();
        md.Append(Invariant($"`{root.GetProperty("command").GetString()}`: {Date(root)}, {Machine(root)}, {root.GetProperty("threads").GetInt32()} engine threads on both sides; "))
          .Append(Invariant($"{root.GetProperty("epochs").GetInt32()} epoch(s) of `convgen-train train` per run, {root.GetProperty("rounds").GetInt32()} rounds alternating; "))
          .Append(Invariant($"FMA peak {peak.GetProperty("singleThreadGflops").GetDouble():F0} GFLOP/s on 1 thread, {peak.GetProperty("multiThreadGflops").GetDouble():F0} on {peak.GetProperty("threads").GetInt32()}.\n\n"));
        md.Append("| Network | JIT samples/s | NativeAOT samples/s | AOT / JIT | after the first epoch: AOT / JIT | Process start to first step: JIT / AOT | to its end: JIT / AOT | Weights (same seed, threads, ISA) |\n");
        md.Append("|---|---:|---:|---:|---:|---:|---:|---|\n");
        foreach (JsonElement row in root.GetProperty("rows").EnumerateArray())
        {
            JsonElement jit = row.GetProperty("jit");
            JsonElement aot = row.GetProperty("aot");
            md.Append(Invariant($"| `{row.GetProperty("network").GetString()}` | {jit.GetProperty("samplesPerSecond").GetDouble():N0} | {aot.GetProperty("samplesPerSecond").GetDouble():N0} | {row.GetProperty("aotOverJit").GetDouble() * 100:F1} % | "))
              .Append(row.GetProperty("steadyAotOverJit") is { ValueKind: JsonValueKind.Number } steady ? Invariant($"{steady.GetDouble() * 100:F1} % | ") : "- | ")
              .Append(Invariant($"{jit.GetProperty("secondsToFirstStep").GetDouble():F2} / {aot.GetProperty("secondsToFirstStep").GetDouble():F2} s | {jit.GetProperty("secondsToFirstStepDone").GetDouble():F2} / {aot.GetProperty("secondsToFirstStepDone").GetDouble():F2} s | "))
              .Append(row.GetProperty("identicalWeights").GetBoolean() ? "identical" : "**differ**").Append(Invariant($" ({jit.GetProperty("kernels").GetString()}) |\n"));
        }

        md.Append("\n| Path | JIT (switch: kernels) | NativeAOT (CONVGEN_ISA: kernels) | Weights of `mnist-mlp`, one epoch |\n|---|---|---|---|\n");
        foreach (JsonElement path in root.GetProperty("paths").EnumerateArray())
        {
            md.Append(Invariant($"| {path.GetProperty("path").GetString()} | `{path.GetProperty("jitSwitch").GetString()}`: {path.GetProperty("jitKernels").GetString()} | `{path.GetProperty("aotBuild").GetString()}`: {path.GetProperty("aotKernels").GetString()} | "))
              .Append(path.GetProperty("identicalWeights").GetBoolean() ? "identical" : "**differ**").Append(" |\n");
        }

        md.Append(Invariant($"\nBinaries (stripped; symbols in .dbg files beside them): `convgen-train` {Megabytes(sizes.GetProperty("portable").GetInt64())}, `-avx2` {Megabytes(sizes.GetProperty("avx2").GetInt64())}, `-avx512` {Megabytes(sizes.GetProperty("avx512").GetInt64())}; machine: {machine.GetProperty("cpu").GetString()}.\n"));
        return md.ToString();
    }

    private static string Megabytes(long bytes) => Invariant($"{bytes / 1e6:F1} MB");

    private static JsonDocument Read(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}': not a benchmark result ({e.Message})", e);
        }
    }

    private static double Number(JsonElement row, string engine, string property) => row.GetProperty(engine).GetProperty(property).GetDouble();

    private static string Latency(JsonElement inference) =>
        Invariant($"{Microseconds(inference.GetProperty("convGenMicroseconds").GetDouble())} / {Microseconds(inference.GetProperty("pyTorchMicroseconds").GetDouble())} = {Ratio(inference.GetProperty("convGenSpeedup").GetDouble())}");

    private static string Date(JsonElement root) =>
        DateTimeOffset.Parse(root.GetProperty("machine").GetProperty("date").GetString()!, CultureInfo.InvariantCulture).ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string Machine(JsonElement root)
    {
        JsonElement machine = root.GetProperty("machine");
        return Invariant($"{machine.GetProperty("cpu").GetString()}, {machine.GetProperty("cores").GetInt32()} cores, {machine.GetProperty("dotNet").GetString()}");
    }

    /// <summary>65.4 k, 1.12 M, 36.2 M: three significant digits.</summary>
    internal static string Flop(long flop) => flop switch
    {
        >= 1_000_000_000 => Significant(flop / 1e9) + " G",
        >= 1_000_000 => Significant(flop / 1e6) + " M",
        >= 1_000 => Significant(flop / 1e3) + " k",
        _ => flop.ToString(CultureInfo.InvariantCulture),
    };

    internal static string Significant(double value) =>
        value.ToString(value >= 100 ? "F0" : value >= 10 ? "F1" : "F2", CultureInfo.InvariantCulture);

    internal static string Ratio(double ratio) => Significant(ratio) + "×";

    internal static string Microseconds(double microseconds) => microseconds.ToString(microseconds >= 100 ? "N0" : "F1", CultureInfo.InvariantCulture);

    internal static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
