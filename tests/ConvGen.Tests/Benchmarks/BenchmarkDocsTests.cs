using ConvGen.Benchmarks.Comparison;

namespace ConvGen.Tests.Benchmarks;

/// <summary>The benchmark tables of the README and docs/benchmarks.md are what the benchmark program writes from the
/// committed results files, so a table cannot be edited by hand or drift from its results.</summary>
public class BenchmarkDocsTests
{
    private static string RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ConvGen.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No ConvGen.sln above {AppContext.BaseDirectory}.");
    }

    [Fact]
    public void TheCommittedTablesAreWhatTheReportCommandWritesFromTheCommittedResults()
    {
        string root = RepositoryRoot();
        foreach (string document in BenchmarkDocs.Documents)
        {
            string text = File.ReadAllText(Path.Combine(root, document));
            Assert.Contains("<!-- benchmarks:", text, StringComparison.Ordinal);
            Assert.True(
                BenchmarkDocs.Render(root, text) == text,
                $"{document}'s benchmark tables differ from benchmarks/results; run '{BenchmarkDocs.Command}' and commit the result.");
        }
    }

    [Fact]
    public void RenderingRewritesTheRegionsAndNothingElse()
    {
        string root = RepositoryRoot();
        string document = "# Title\n\nText before.\n\n<!-- benchmarks:headline (generated) -->\n| stale | table |\n<!-- /benchmarks:headline -->\n\nText after.\n";

        string rendered = BenchmarkDocs.Render(root, document);

        Assert.StartsWith("# Title\n\nText before.\n\n<!-- benchmarks:headline (generated) -->\n", rendered, StringComparison.Ordinal);
        Assert.EndsWith("<!-- /benchmarks:headline -->\n\nText after.\n", rendered, StringComparison.Ordinal);
        Assert.DoesNotContain("stale", rendered, StringComparison.Ordinal);
        Assert.Contains("| `mnist-cnn` (128) | ", rendered, StringComparison.Ordinal);
        Assert.Equal(rendered, BenchmarkDocs.Render(root, rendered));
    }

    [Fact]
    public void AnUnknownRegionIsAnErrorNamingIt()
    {
        var error = Assert.Throws<InvalidDataException>(() => BenchmarkDocs.Render(RepositoryRoot(), "<!-- benchmarks:speedup -->\n<!-- /benchmarks:speedup -->"));
        Assert.StartsWith("Unknown generated region 'speedup'", error.Message, StringComparison.Ordinal);
    }
}
