using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ConvGen.Benchmarks.Comparison;
using ConvGen.Models;

namespace ConvGen.Benchmarks.Augmentation;

/// <summary>
/// <c>augmentation</c>: what "Beating MNIST"'s augmentation adds to an epoch. For each network, whole epochs of
/// <see cref="Model.Fit"/> on MNIST's training set at the notebook's batch size, with and without the notebook's
/// augmentation, alternating round by round so that the machine's drifting load hits both alike; the medians, their
/// ratio, and the FMA peak measured before and after. Writes benchmarks/results/augmentation/latest.md and .json.
/// </summary>
internal static class AugmentationCommand
{
    public const string Usage = """
        Usage: ConvGen.Benchmarks augmentation [--networks a,b] [--rounds N] [--samples N] [--threads N] [--out DIR]

          --networks a,b   seed networks (default mnist-cnn,beating-vgg-dropout)
          --rounds N       epochs timed with and without augmentation, alternating (default 5)
          --samples N      training samples per epoch (default 60000, all of MNIST's)
          --threads N      engine threads (default 2)
          --out DIR        where the report goes (default benchmarks/results/augmentation)
        """;

    /// <summary>The notebook's ImageDataGenerator(rotation_range=10, zoom_range=0.1, shear_range=0.1): Keras 1 read the
    /// shear in radians, 0.1 rad = 5.73°.</summary>
    public static ImageAugmentation Notebook { get; } = new(rotationRange: 10, zoomRange: 0.1, shearRange: 0.1 * 180 / Math.PI);

    public static int Run(IReadOnlyList<string> arguments)
    {
        string[] networks = ["mnist-cnn", "beating-vgg-dropout"];
        int rounds = 5, samples = 60_000, threads = 2;
        string output = Path.Combine("benchmarks", "results", "augmentation");
        for (int i = 0; i < arguments.Count; i++)
        {
            string Value() => i + 1 < arguments.Count ? arguments[++i] : throw new ArgumentException($"{arguments[i]} needs a value.");
            try
            {
                switch (arguments[i])
                {
                    case "--networks": networks = Value().Split(',', StringSplitOptions.RemoveEmptyEntries); break;
                    case "--rounds": rounds = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--samples": samples = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--threads": threads = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--out": output = Value(); break;
                    case "--help" or "-h": Console.WriteLine(Usage); return 0;
                    default: throw new ArgumentException($"Unknown option {arguments[i]}.");
                }
            }
            catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
            {
                Console.Error.WriteLine(e.Message);
                Console.Error.WriteLine(Usage);
                return 2;
            }
        }

        SeedNetwork[] chosen = networks.Select(n => SeedNetwork.Find(n) ?? throw new ArgumentException($"Unknown network '{n}'.")).ToArray();
        Dataset train = Mnist.Load().Train;
        train = train.Take(samples);
        MachineInfo machine = MachineInfo.Current();
        FmaPeakResult peakBefore = FmaPeak.Measure(threads);
        Console.WriteLine(Invariant($"FMA peak: {peakBefore.SingleThreadGflops:0} GFLOP/s on 1 thread, {peakBefore.MultiThreadGflops:0} on {threads}"));

        var results = new List<NetworkResult>();
        foreach (SeedNetwork network in chosen)
        {
            Model plain = Create(network, threads), augmented = Create(network, threads);

            // Warm-up: every method on its final code (a few hundred steps of each).
            Dataset warmup = train.Take(Math.Min(train.Count, 200 * network.BatchSize));
            Epoch(plain, warmup, network.BatchSize, null);
            Epoch(augmented, warmup, network.BatchSize, Notebook);

            var plainSeconds = new List<double>();
            var augmentedSeconds = new List<double>();
            for (int round = 0; round < rounds; round++)
            {
                plainSeconds.Add(Epoch(plain, train, network.BatchSize, null));
                augmentedSeconds.Add(Epoch(augmented, train, network.BatchSize, Notebook));
                Console.WriteLine(Invariant($"{network.Name} round {round + 1}: {plainSeconds[^1]:0.000} s without, {augmentedSeconds[^1]:0.000} s with augmentation"));
            }

            results.Add(new NetworkResult(network.Name, network.BatchSize, plainSeconds, augmentedSeconds, AugmentAlone(train)));
        }

        FmaPeakResult peakAfter = FmaPeak.Measure(threads);
        Directory.CreateDirectory(output);
        string markdown = Report(machine, peakBefore, peakAfter, results, rounds, train.Count, threads);
        File.WriteAllText(Path.Combine(output, "latest.md"), markdown);
        File.WriteAllText(Path.Combine(output, "latest.json"), JsonSerializer.Serialize(new { machine.Cpu, Date = machine.Date.ToString("u", CultureInfo.InvariantCulture), Threads = threads, Samples = train.Count, PeakBefore = peakBefore, PeakAfter = peakAfter, Results = results }, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine(markdown);
        return 0;
    }

    private static Model Create(SeedNetwork network, int threads)
    {
        Model model = network.Create(1);
        model.Engine.Threads = threads;
        model.Output = TextWriter.Null;
        return model;
    }

    /// <summary>One epoch of Fit, as the notebook trains (shuffled, its batch size), timed from call to return.</summary>
    private static double Epoch(Model model, Dataset train, int batchSize, ImageAugmentation? augmentation)
    {
        long start = Stopwatch.GetTimestamp();
        model.Fit(train, epochs: 1, batchSize: batchSize, optimizer: model.Optimizer ?? new Adam(), verbose: 0, augmentation: augmentation);
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>Seconds to augment every image once on one thread (Apply, which also allocates the copies).</summary>
    private static double AugmentAlone(Dataset train)
    {
        Notebook.Apply(train.Take(1000), seed: 0);
        long start = Stopwatch.GetTimestamp();
        Notebook.Apply(train, seed: 1);
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private static string Report(MachineInfo machine, FmaPeakResult before, FmaPeakResult after, List<NetworkResult> results, int rounds, int samples, int threads)
    {
        var text = new StringBuilder();
        text.AppendLine("# Augmentation's cost in an epoch");
        text.AppendLine();
        text.AppendLine(Invariant($"{machine.Date:yyyy-MM-dd HH:mm}, {machine.Cpu}, {machine.Cores} cores, {machine.DotNet}, ConvGen's {machine.InstructionSet} kernels on {threads} threads. "));
        text.AppendLine(Invariant($"FMA peak before: {before.SingleThreadGflops:0} GFLOP/s on 1 thread, {before.MultiThreadGflops:0} on {threads}; after: {after.SingleThreadGflops:0} and {after.MultiThreadGflops:0}."));
        text.AppendLine();
        text.AppendLine(Invariant($"Command: `dotnet run -c Release --project benchmarks/ConvGen.Benchmarks -- augmentation` ({rounds} rounds). Each round times one epoch of `Fit` on {samples:N0} MNIST training images at the notebook's batch size, shuffled, without and then with the notebook's augmentation ({Notebook}); the same two models carry on training from round to round. The augmented images are made by the training step's own threads, each its share of the batch."));
        text.AppendLine();
        text.AppendLine("| Network (batch) | Epoch without (median) | Epoch with augmentation (median) | Added | Augmenting every image once, 1 thread |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        foreach (NetworkResult result in results)
        {
            text.AppendLine(Invariant($"| `{result.Network}` ({result.BatchSize}) | {result.PlainMedian:0.000} s | {result.AugmentedMedian:0.000} s | {(result.AugmentedMedian / result.PlainMedian - 1) * 100:+0.0;-0.0} % | {result.AugmentAloneSeconds:0.000} s |"));
        }

        text.AppendLine();
        text.AppendLine("Every round (seconds, without / with):");
        text.AppendLine();
        foreach (NetworkResult result in results)
        {
            text.AppendLine(Invariant($"- `{result.Network}`: {string.Join(", ", result.Plain.Zip(result.Augmented, (p, a) => $"{p:0.000} / {a:0.000}"))}"));
        }

        return text.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record NetworkResult(string Network, int BatchSize, List<double> Plain, List<double> Augmented, double AugmentAloneSeconds)
    {
        public double PlainMedian => Median(Plain);

        public double AugmentedMedian => Median(Augmented);

        private static double Median(List<double> values)
        {
            double[] sorted = [.. values.Order()];
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }
    }
}
