using ConvGen.Models;

namespace ConvGen.Benchmarks.Comparison;

/// <summary>A seed network as the comparison runs it: at its notebook's batch size.</summary>
/// <param name="TrainerName">The name <c>convgen-train</c> knows it by.</param>
/// <param name="Create">A fresh model with weights from the given seed.</param>
/// <param name="BatchSize">The notebook's batch size.</param>
/// <param name="InIssueTable">Whether it is one of the seven networks of the speed issue's table.</param>
internal sealed record BenchmarkNetwork(string TrainerName, Func<int, Model> Create, int BatchSize, bool InIssueTable)
{
    /// <summary>The issue's seven first, in its order; then the other seed networks.</summary>
    public static IReadOnlyList<BenchmarkNetwork> All { get; } =
    [
        new("mnist-mlp", seed => new MnistMlp(seed), 100, InIssueTable: true),
        new("beating-dense", seed => new BeatingDense(seed), 32, InIssueTable: true),
        new("mnist-conv8", seed => new MnistConv8(seed), 128, InIssueTable: true),
        new("mnist-conv8x2", seed => new MnistConv8x2(seed), 128, InIssueTable: true),
        new("mnist-lenet", seed => new MnistLeNet(seed), 32, InIssueTable: true),
        new("mnist-cnn", seed => new MnistCnn(seed), 128, InIssueTable: true),
        new("beating-vgg-dropout", seed => new BeatingVggDropout(seed), 32, InIssueTable: true),
        new("beating-linear", seed => new BeatingLinear(seed), 32, InIssueTable: false),
        new("beating-hidden", seed => new BeatingHidden(seed), 32, InIssueTable: false),
        new("beating-conv", seed => new BeatingConv(seed), 32, InIssueTable: false),
        new("beating-conv-pool", seed => new BeatingConvPool(seed), 32, InIssueTable: false),
        new("beating-vgg", seed => new BeatingVgg(seed), 32, InIssueTable: false),
        new("beating-vgg-bn", seed => new BeatingVggBatchNorm(seed), 32, InIssueTable: false),
    ];

    /// <summary>The networks named (by class name, <c>MnistCnn</c>, or trainer name, <c>mnist-cnn</c>), in the
    /// catalogue's order; all of them when <paramref name="names"/> is null.</summary>
    public static IReadOnlyList<BenchmarkNetwork> Select(IReadOnlyList<string>? names)
    {
        if (names is null)
        {
            return All;
        }

        var classNames = All.ToDictionary(n => n, n => n.Create(0).Name);
        foreach (string name in names)
        {
            if (!All.Any(n => Matches(n, classNames[n], name)))
            {
                string known = string.Join(", ", All.Select(n => n.TrainerName));
                throw new UsageException($"Unknown network '{name}'. Known: {known} (or their class names, e.g. MnistCnn).");
            }
        }

        return All.Where(n => names.Any(name => Matches(n, classNames[n], name))).ToList();
    }

    private static bool Matches(BenchmarkNetwork network, string className, string name) =>
        string.Equals(network.TrainerName, name, StringComparison.OrdinalIgnoreCase)
        || string.Equals(className, name, StringComparison.OrdinalIgnoreCase);
}
