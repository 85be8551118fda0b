using System.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using ConvGen.Benchmarks.Comparison;

namespace ConvGen.Benchmarks.Aot;

/// <summary>
/// <c>aot</c>: the NativeAOT trainer against the JIT's, side by side in one run. Builds <c>convgen-train</c> both ways
/// (<c>dotnet build</c> and <c>dotnet publish -r linux-x64</c>), then for each seed network trains one epoch with each,
/// alternating in rounds, from the same seed on the same threads: training samples/s (the trainer's own <c>Fit</c>, the
/// user's number), seconds from process start to the first training step and to its end, and whether the saved weights
/// are the same bits. It also checks the AVX2 and portable paths: the AOT build of each against the JIT with the
/// matching <c>DOTNET_Enable*</c> switch, weights bit for bit. Writes <c>benchmarks/results/aot/latest.{json,md}</c>
/// and the documentation's table.
/// </summary>
internal static class AotCommand
{
    private const string Usage = """
        Usage: dotnet run -c Release --project benchmarks/ConvGen.Benchmarks -- aot [options]

          --networks a,b,...   only these networks (default: every seed network)
          --rounds N           rounds per network, JIT and AOT alternating (default 3)
          --epochs N           epochs per run (default 2: throughput over the whole run and after the first epoch)
          --threads N          the engine's threads on both sides (CONVGEN_THREADS; default 2)
          --no-build           use the trainer as last built and published
          --out DIR            where latest.json and latest.md go (default benchmarks/results/aot)
        """;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static int Run(IReadOnlyList<string> arguments)
    {
        AotOptions options;
        try
        {
            options = AotOptions.Parse(arguments);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }

        if (options.Help)
        {
            Console.WriteLine(Usage);
            return 0;
        }

        string root = CompareCommand.RepositoryRoot();
        string project = Path.Combine(root, "models", "ConvGen.Train");
        string jit = Path.Combine(project, "bin", "Release", "net10.0", "convgen-train");
        string publish = Path.Combine(project, "bin", "Release", "net10.0", "linux-x64", "publish");
        string aot = Path.Combine(publish, "convgen-train");
        if (!options.NoBuild)
        {
            if (Dotnet(root, "build", project, "-c", "Release") != 0 || Dotnet(root, "publish", project, "-c", "Release", "-r", "linux-x64") != 0)
            {
                Console.Error.WriteLine("Building the trainer failed.");
                return 1;
            }
        }

        foreach (string binary in (string[])[jit, aot, aot + "-avx2", aot + "-avx512"])
        {
            if (!File.Exists(binary))
            {
                Console.Error.WriteLine($"'{binary}' is missing: build and publish the trainer (drop --no-build).");
                return 1;
            }
        }

        try
        {
            Mnist.Load();
        }
        catch (MnistUnavailableException e)
        {
            Console.Error.WriteLine($"The trainers train on MNIST, which is not available: {e.Message}");
            return 1;
        }

        long started = Stopwatch.GetTimestamp();
        MachineInfo machine = MachineInfo.Current();
        FmaPeakResult peak = FmaPeak.Measure(options.Threads);
        Console.WriteLine(Invariant($"{machine.Cpu}, {machine.Cores} cores; {machine.DotNet}; FMA peak {peak.SingleThreadGflops:F1} GFLOP/s on 1 thread, {peak.MultiThreadGflops:F1} on {peak.Threads}"));

        string scratch = Directory.CreateTempSubdirectory("convgen-aot-").FullName;
        try
        {
            var rows = new List<AotRow>();
            foreach (BenchmarkNetwork network in BenchmarkNetwork.Select(options.Networks))
            {
                rows.Add(MeasureNetwork(network.TrainerName, options, jit, aot, scratch));
                AotRow row = rows[^1];
                Console.WriteLine(Invariant(
                    $"{row.Network,-20} JIT {row.Jit.SamplesPerSecond,9:N0}/s ({row.Jit.Kernels}) | AOT {row.Aot.SamplesPerSecond,9:N0}/s ({row.Aot.Kernels}) = {row.AotOverJit:P1}, after epoch 1 {row.SteadyAotOverJit?.ToString("P1", CultureInfo.InvariantCulture) ?? "-"} | first step {row.Jit.SecondsToFirstStepDone:F2} s / {row.Aot.SecondsToFirstStepDone:F2} s | weights {(row.IdenticalWeights ? "identical" : "DIFFER")}"));
            }

            var paths = new List<AotPath>
            {
                ComparePath("AVX2", "DOTNET_EnableAVX512=0", "avx2", options, jit, aot, scratch),
                ComparePath("Vector128", "DOTNET_EnableAVX2=0", "vector128", options, jit, aot, scratch),
            };
            foreach (AotPath path in paths)
            {
                Console.WriteLine($"{path.Path} path ({path.Network}): JIT with {path.JitSwitch} ran {path.JitKernels}, AOT CONVGEN_ISA={path.AotBuild} ran {path.AotKernels}; weights {(path.IdenticalWeights ? "identical" : "DIFFER")}");
            }

            var sizes = new AotSizes(new FileInfo(aot).Length, new FileInfo(aot + "-avx2").Length, new FileInfo(aot + "-avx512").Length);
            var report = new AotReport(
                string.Join(" ", ["aot", .. arguments]), machine, options.Threads, options.Epochs, options.Rounds, peak, sizes, rows, paths,
                Stopwatch.GetElapsedTime(started).TotalSeconds);

            string output = options.OutputDirectory ?? Path.Combine(root, "benchmarks", "results", "aot");
            Directory.CreateDirectory(output);
            string json = JsonSerializer.Serialize(report, Json) + "\n";
            File.WriteAllText(Path.Combine(output, "latest.json"), json);
            using (JsonDocument document = JsonDocument.Parse(json))
            {
                File.WriteAllText(Path.Combine(output, "latest.md"), "# The NativeAOT trainer against the JIT\n\n" + BenchmarkDocs.AotMarkdown(document.RootElement));
            }

            Console.WriteLine($"Wrote {Path.Combine(output, "latest.md")} and latest.json ({report.Seconds:F0} s).");
            if (options.OutputDirectory is null)
            {
                ReportCommand.Run([]);
            }

            return rows.All(r => r.IdenticalWeights) && paths.All(p => p.IdenticalWeights) ? 0 : 1;
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static AotRow MeasureNetwork(string network, AotOptions options, string jit, string aot, string scratch)
    {
        var jitRuns = new List<TrainerTiming>();
        var aotRuns = new List<TrainerTiming>();
        bool identical = true;
        for (int round = 0; round < options.Rounds; round++)
        {
            // Alternate which side goes first, so that a drift in the machine's speed falls on both.
            bool jitFirst = round % 2 == 0;
            for (int side = 0; side < 2; side++)
            {
                bool isJit = (side == 0) == jitFirst;
                string weights = Path.Combine(scratch, isJit ? "jit.cgw" : "aot.cgw");
                (isJit ? jitRuns : aotRuns).Add(Train(isJit ? jit : aot, network, options, weights, scratch, []));
            }

            identical &= File.ReadAllBytes(Path.Combine(scratch, "jit.cgw")).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(scratch, "aot.cgw")));
        }

        AotSide jitSide = AotSide.From(jitRuns);
        AotSide aotSide = AotSide.From(aotRuns);
        double? steady = aotSide.SteadySamplesPerSecond / jitSide.SteadySamplesPerSecond;
        return new AotRow(network, jitRuns[0].Samples, jitSide, aotSide, aotSide.SamplesPerSecond / jitSide.SamplesPerSecond, steady, identical);
    }

    private static AotPath ComparePath(string path, string jitSwitch, string aotBuild, AotOptions options, string jit, string aot, string scratch)
    {
        const string Network = "mnist-mlp";
        string[] parts = jitSwitch.Split('=');
        TrainerTiming jitRun = Train(jit, Network, options with { Epochs = 1 }, Path.Combine(scratch, "jit-path.cgw"), scratch, [(parts[0], parts[1])]);
        TrainerTiming aotRun = Train(aot, Network, options with { Epochs = 1 }, Path.Combine(scratch, "aot-path.cgw"), scratch, [(NativeAotBuilds.Variable, aotBuild)]);
        bool identical = File.ReadAllBytes(Path.Combine(scratch, "jit-path.cgw")).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(scratch, "aot-path.cgw")));
        return new AotPath(path, Network, jitSwitch, jitRun.Kernels, aotBuild, aotRun.Kernels, identical && jitRun.Kernels == path && aotRun.Kernels == path);
    }

    private static TrainerTiming Train(string trainer, string network, AotOptions options, string weights, string scratch, IReadOnlyList<(string Name, string Value)> environment)
    {
        string timing = Path.Combine(scratch, "timing.json");
        var start = new ProcessStartInfo(trainer)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in (string[])["train", network, "--epochs", Invariant($"{options.Epochs}"), "--verbose", "0", "--save", weights, "--timing", timing])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["CONVGEN_THREADS"] = Invariant($"{options.Threads}");
        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start '{trainer}'.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{trainer} train {network}' failed ({process.ExitCode}): {error}{output.Result}");
        }

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(timing));
        JsonElement r = json.RootElement;
        return new TrainerTiming(
            r.GetProperty("kernels").GetString()!,
            r.GetProperty("build").GetString()!,
            r.GetProperty("secondsToFirstStep").GetDouble(),
            r.GetProperty("secondsToFirstStepDone").GetDouble(),
            r.GetProperty("trainingSeconds").GetDouble(),
            r.GetProperty("samples").GetInt64(),
            r.GetProperty("secondsAfterFirstEpoch") is { ValueKind: JsonValueKind.Number } after ? after.GetDouble() : null,
            r.GetProperty("samplesAfterFirstEpoch").GetInt64());
    }

    private static int Dotnet(string root, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = root, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        process.WaitForExit();
        return process.ExitCode;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
