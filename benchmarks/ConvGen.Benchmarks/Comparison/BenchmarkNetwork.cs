using ConvGen.Models;

namespace ConvGen.Benchmarks.Comparison;

/// <summary>A seed network as the comparison runs it: at its notebook's batch size.</summary>
/// <param name="Seed">The network and its notebook's recipe, from the one catalogue.</param>
/// <param name="InIssueTable">Whether it is one of the seven networks of the speed issue's table.</param>
internal sealed record BenchmarkNetwork(SeedNetwork Seed, bool InIssueTable)
{
    // The speed issue's table, in its order.
    private static readonly string[] IssueTable = ["mnist-mlp", "beating-dense", "mnist-conv8", "mnist-conv8x2", "mnist-lenet", "mnist-cnn", "beating-vgg-dropout"];

    /// <summary>The issue's seven first, in its order; then the other seed networks in the catalogue's.</summary>
    public static IReadOnlyList<BenchmarkNetwork> All { get; } =
    [
        .. IssueTable.Select(name => new BenchmarkNetwork(SeedNetwork.Find(name) ?? throw new InvalidOperationException($"No seed network {name}."), InIssueTable: true)),
        .. SeedNetwork.All.Where(seed => !IssueTable.Contains(seed.Name)).Select(seed => new BenchmarkNetwork(seed, InIssueTable: false)),
    ];

    /// <summary>The name <c>convgen-train</c> knows it by.</summary>
    public string TrainerName => Seed.Name;

    /// <summary>The notebook's batch size.</summary>
    public int BatchSize => Seed.BatchSize;

    /// <summary>A fresh model with weights from the given seed.</summary>
    public Model Create(int seed) => Seed.Create(seed);

    /// <summary>The networks named (by class name, <c>MnistCnn</c>, or trainer name, <c>mnist-cnn</c>), in the
    /// comparison's order; all of them when <paramref name="names"/> is null.</summary>
    public static IReadOnlyList<BenchmarkNetwork> Select(IReadOnlyList<string>? names)
    {
        if (names is null)
        {
            return All;
        }

        var chosen = new HashSet<SeedNetwork>();
        foreach (string name in names)
        {
            chosen.Add(SeedNetwork.Find(name) ?? throw new UsageException(
                $"Unknown network '{name}'. Known: {string.Join(", ", All.Select(n => n.TrainerName))} (or their class names, e.g. MnistCnn)."));
        }

        return All.Where(n => chosen.Contains(n.Seed)).ToList();
    }
}
