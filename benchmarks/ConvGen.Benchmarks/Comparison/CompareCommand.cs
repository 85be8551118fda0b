using System.Diagnostics;
using System.Globalization;

namespace ConvGen.Benchmarks.Comparison;

/// <summary>
/// <c>compare</c>: installs eager PyTorch when missing, measures the FMA peak, then for each seed network measures
/// ConvGen's generated engine, PyTorch and the interpreted engine one after another (so the machine's drifting load
/// hits all three alike), and writes the table.
/// </summary>
internal static class CompareCommand
{
    /// <summary>Training steps of ConvGen and PyTorch: at least 3 warm-up steps and 0.3 s, then 5 runs of ~0.25 s.</summary>
    private static StepPlan TrainingPlan(int? steps) => new(WarmupSeconds: 0.3, MinWarmupSteps: 3, Repeats: 5, RepeatSeconds: 0.25, Steps: steps);

    /// <summary>The interpreted engine is ~25–30× slower: one warm-up step, then 3 runs of ~0.4 s (at least one step each).</summary>
    private static readonly StepPlan InterpretedPlan = new(WarmupSeconds: 0, MinWarmupSteps: 1, Repeats: 3, RepeatSeconds: 0.4, Steps: null);

    /// <summary>Batch-1 inference: at least 50 warm-up calls and 0.5 s, then single calls for ~0.5 s (100 to 5,000 of
    /// them). With 50 calls alone (~0.4 ms for the fast networks) the whole measurement ran before the tiered JIT's
    /// 100 ms call-counting delay had passed, so the methods only inference calls (Predict and the engine's batch-1
    /// entry) were timed in their first, unoptimised code: BeatingDense measured 6.2–7.4 µs that way and 5.2–5.7 µs
    /// warmed up, alternating runs with the same binary.</summary>
    private static readonly LatencyPlan InferencePlan = new(WarmupCalls: 50, WarmupSeconds: 0.5, MinCalls: 100, MaxCalls: 5000, MaxSeconds: 0.5);

    /// <summary>How the steps are timed, for the report: written from the plans above and the rounds.</summary>
    public static string TimingMethod(int rounds)
    {
        StepPlan training = TrainingPlan(steps: null);
        return Invariant($"Each training step is timed on one fixed random batch: warm-up steps, then {training.Repeats} runs of the same number of steps ") +
               Invariant($"(about {training.RepeatSeconds} s each unless `--steps` says), in {rounds} rounds per network with ConvGen and PyTorch alternating, ") +
               Invariant($"and the median of each side's {rounds * training.Repeats} runs (batch-1 latency: at least {InferencePlan.WarmupSeconds} s of warm-up calls, then the median of the rounds' medians); ") +
               Invariant($"the interpreted engine takes {InterpretedPlan.Repeats} runs of about {InterpretedPlan.RepeatSeconds} s.");
    }

    /// <summary>Runs the command with the arguments after <c>compare</c>; returns the process exit code.</summary>
    public static int Run(IReadOnlyList<string> arguments)
    {
        CompareOptions options;
        IReadOnlyList<BenchmarkNetwork> networks;
        try
        {
            options = CompareOptions.Parse(arguments);
            if (options.Help)
            {
                Console.WriteLine(CompareOptions.Usage);
                return 0;
            }

            networks = BenchmarkNetwork.Select(options.Networks);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine();
            Console.Error.WriteLine(CompareOptions.Usage);
            return 2;
        }

        try
        {
            PyTorchSetup.EnsureInstalled(Console.Out);
        }
        catch (SetupException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }

        Dataset digits;
        try
        {
            digits = Mnist.Load().Test;
        }
        catch (MnistUnavailableException e)
        {
            Console.Error.WriteLine($"Batch-1 inference is timed on MNIST's test digits, which are not available: {e.Message}");
            return 1;
        }

        string defaultOutput = Path.Combine(RepositoryRoot(), "benchmarks", "results");
        string output = options.OutputDirectory ?? defaultOutput;
        ComparisonReport report = Measure(options, networks, digits, string.Join(" ", ["compare", .. arguments]));
        string markdown = ComparisonTable.Write(report, output);
        Console.WriteLine();
        Console.Write(markdown);
        Console.WriteLine();
        Console.WriteLine($"Wrote {Path.Combine(output, "latest.md")} and latest.json ({report.Seconds:F0} s).");

        // A result committed under benchmarks/results shows in the documentation's tables: write them anew.
        if (Path.GetFullPath(output).StartsWith(Path.GetFullPath(defaultOutput), StringComparison.Ordinal))
        {
            ReportCommand.Run([]);
        }

        return 0;
    }

    private static ComparisonReport Measure(CompareOptions options, IReadOnlyList<BenchmarkNetwork> networks, Dataset digits, string command)
    {
        long started = Stopwatch.GetTimestamp();
        int threads = options.Threads;
        MachineInfo machine = MachineInfo.Current();
        Console.WriteLine($"{machine.Cpu}, {machine.Cores} cores; {machine.DotNet}; ConvGen kernels: {machine.InstructionSet}");
        if (machine.CpuBusy > 0.25)
        {
            Console.WriteLine(Invariant($"Warning: other work keeps {machine.CpuBusy:P0} of the CPUs busy (load average {machine.LoadAverage:F2} on {machine.Cores} cores); every number will be low, multi-threaded ones (PyTorch's OpenMP above all) the most."));
        }


        FmaPeakResult peak = FmaPeak.Measure(threads);
        Console.WriteLine(Invariant($"FMA peak ({peak.Vector}, {peak.Chains} chains): 1 thread {peak.SingleThreadGflops:F1} GFLOP/s, {peak.Threads} threads {peak.MultiThreadGflops:F1} GFLOP/s"));

        using PyTorchRunner torch = PyTorchRunner.Start(threads, options.OpenblasThreads);
        Console.WriteLine($"PyTorch {torch.Info.Version}: {torch.Info.Threads} threads (default {torch.Info.DefaultThreads}), oneDNN {torch.Info.OnednnVersion}, CPU capability {torch.Info.CpuCapability}");

        var rows = new List<ComparisonRow>();
        foreach (BenchmarkNetwork network in networks)
        {
            rows.Add(MeasureNetwork(network, options, torch, peak, digits));
            ComparisonRow row = rows[^1];
            Console.WriteLine(Invariant(
                $"{row.Network,-20} batch {row.Batch,3}: ConvGen {row.ConvGen.SamplesPerSecond,9:N0}/s {row.ConvGen.Gflops,6:F1} GFLOP/s | PyTorch {row.PyTorch.SamplesPerSecond,9:N0}/s {row.PyTorch.Gflops,6:F1} GFLOP/s | interpreted {row.Interpreted.SamplesPerSecond,8:N0}/s | batch 1: {row.Inference.ConvGenMicroseconds:F1} µs vs {row.Inference.PyTorchMicroseconds:F1} µs (noise: {row.InferenceOnNoise.ConvGenMicroseconds:F1} µs vs {row.InferenceOnNoise.PyTorchMicroseconds:F1} µs)"));
        }

        return new ComparisonReport(command, machine, threads, peak, torch.Info, rows, Stopwatch.GetElapsedTime(started).TotalSeconds, MachineInfo.CurrentLoadAverage(), options.Rounds);
    }

    private static ComparisonRow MeasureNetwork(BenchmarkNetwork network, CompareOptions options, PyTorchRunner torch, FmaPeakResult peak, Dataset digits)
    {
        Model model = network.Create(1);
        try
        {
            return MeasureNetwork(model, network, options, torch, peak, digits);
        }
        finally
        {
            // The generated engine's worker team: the next network brings its own.
            (model.Engine as IDisposable)?.Dispose();
        }
    }

    private static ComparisonRow MeasureNetwork(Model model, BenchmarkNetwork network, CompareOptions options, PyTorchRunner torch, FmaPeakResult peak, Dataset digits)
    {
        Model interpreted = model.ToInterpreted();
        ModelDescription description = model.Description;
        var batch = TrainingBatch.Random(description, network.BatchSize, seed: 1);
        InferenceImages images = InferenceImages.From(digits, batch, description.InputShape.Size);
        long flop = FlopCounter.TrainingFlopPerSample(description);
        double peakGflops = peak.MultiThreadGflops;

        StepPlan trainingPlan = TrainingPlan(options.Steps);
        int convGenThreads = ConvGenRunner.ApplyThreadCount(model, options.Threads, network.BatchSize);
        // Rounds of ConvGen then PyTorch, so the machine's drifting speed (vCPU placement, other tenants) falls on both.
        var convGenSteps = new List<StepMeasurement>();
        var convGenLatencies = new List<LatencyMeasurement>();
        var convGenNoiseLatencies = new List<LatencyMeasurement>();
        var pyTorchRounds = new List<PyTorchMeasurement>();
        for (int round = 0; round < options.Rounds; round++)
        {
            convGenSteps.Add(ConvGenRunner.MeasureTraining(model, batch, trainingPlan));
            convGenLatencies.Add(ConvGenRunner.MeasureInference(model, images.Digits, InferencePlan));
            convGenNoiseLatencies.Add(ConvGenRunner.MeasureInference(model, [images.Noise], InferencePlan));
            pyTorchRounds.Add(torch.Measure(description, network.BatchSize, trainingPlan, InferencePlan, images.Digits));
        }

        StepMeasurement convGenStep = StepTimer.Pool(convGenSteps);
        LatencyMeasurement convGenLatency = StepTimer.Pool(convGenLatencies);
        LatencyMeasurement convGenNoiseLatency = StepTimer.Pool(convGenNoiseLatencies);
        PyTorchMeasurement pyTorch = pyTorchRounds[0] with
        {
            Training = StepTimer.Pool(pyTorchRounds.Select(r => r.Training).ToList()),
            Inference = StepTimer.Pool(pyTorchRounds.Select(r => r.Inference).ToList()),
            InferenceNoise = StepTimer.Pool(pyTorchRounds.Select(r => r.InferenceNoise).ToList()),
        };

        StepMeasurement interpretedStep = ConvGenRunner.MeasureTraining(interpreted, batch, InterpretedPlan);

        var convGen = EngineResult.From(model.Engine.Name, convGenThreads, convGenStep, network.BatchSize, flop, peakGflops);
        var pyTorchResult = EngineResult.From("PyTorch " + torch.Info.Version, torch.Info.Threads, pyTorch.Training, network.BatchSize, flop, peakGflops);
        var interpretedResult = EngineResult.From(interpreted.Engine.Name, interpreted.Engine.Threads, interpretedStep, network.BatchSize, flop, peakGflops);
        return new ComparisonRow(
            description.Name,
            network.TrainerName,
            network.InIssueTable,
            network.BatchSize,
            description.TrainableParameterCount,
            flop,
            convGen,
            pyTorchResult,
            interpretedResult,
            convGen.SamplesPerSecond / pyTorchResult.SamplesPerSecond,
            convGen.SamplesPerSecond / interpretedResult.SamplesPerSecond,
            InferenceResult.From(convGenLatency, pyTorch.Inference),
            InferenceResult.From(convGenNoiseLatency, pyTorch.InferenceNoise),
            pyTorch.OnednnTraining,
            pyTorch.OnednnInference);
    }

    /// <summary>The repository this program was built in (the folder holding ConvGen.sln above it), else the current
    /// directory.</summary>
    internal static string RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ConvGen.sln")))
            {
                return directory.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
