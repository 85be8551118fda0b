using System.Collections.Immutable;
using ConvGen.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace ConvGen.Generator.Tests;

/// <summary>
/// The pipeline caches: edits that do not touch a model's attributes leave the parsed model and the source output
/// cached or unchanged (never modified, never new), and the generated source identical; editing a layer argument
/// modifies both.
/// </summary>
public class IncrementalTests
{
    private const string ModelFile = """
        using ConvGen;

        namespace App;

        /// <summary>The model.</summary>
        [Sequential(28, 28, 1)]
        [Conv2D(6, 3, Activation = Activation.Relu)]
        [MaxPooling2D(2)]
        [Flatten]
        [Dense(32, Activation = Activation.Relu)]
        [Dense(10, Activation = Activation.Softmax)]
        public partial class Net;

        /// <summary>Unrelated code in the same file.</summary>
        public static class Helpers
        {
            /// <summary>Something.</summary>
            public static int Answer() => 42;
        }
        """;

    private sealed record Runs(GeneratorRunResult First, GeneratorRunResult Second);

    private static Runs RunTwice(Func<Compilation, SyntaxTree, Compilation> edit)
    {
        SyntaxTree tree = GeneratorHarness.Parse(ModelFile);
        Compilation compilation = GeneratorHarness.CreateCompilation([tree]);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);
        GeneratorRunResult first = driver.GetRunResult().Results.Single();
        driver = driver.RunGenerators(edit(compilation, tree));
        return new Runs(first, driver.GetRunResult().Results.Single());
    }

    private static Compilation Replace(Compilation compilation, SyntaxTree tree, string oldText, string newText)
    {
        string text = tree.GetText().ToString();
        Assert.Contains(oldText, text);
        return compilation.ReplaceSyntaxTree(tree, GeneratorHarness.Parse(text.Replace(oldText, newText, StringComparison.Ordinal), tree.FilePath));
    }

    private static IncrementalStepRunReason[] Reasons(GeneratorRunResult result, string step)
    {
        Assert.True(result.TrackedSteps.TryGetValue(step, out ImmutableArray<IncrementalGeneratorRunStep> runs), $"step {step} was not tracked");
        return [.. runs.SelectMany(run => run.Outputs).Select(output => output.Reason)];
    }

    private static IncrementalStepRunReason[] SourceOutputReasons(GeneratorRunResult result) =>
        [.. result.TrackedOutputSteps[WellKnownGeneratorOutputs.SourceOutput].SelectMany(run => run.Outputs).Select(output => output.Reason)];

    private static void AssertCachedOrUnchanged(IncrementalStepRunReason[] reasons)
    {
        Assert.NotEmpty(reasons);
        Assert.All(reasons, reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"reason {reason}"));
    }

    private static void AssertNothingRegenerated(Runs runs)
    {
        Assert.Equal([IncrementalStepRunReason.New], Reasons(runs.First, TrackingNames.Models));
        AssertCachedOrUnchanged(Reasons(runs.Second, TrackingNames.Models));
        AssertCachedOrUnchanged(Reasons(runs.Second, TrackingNames.ParseResults));
        AssertCachedOrUnchanged(Reasons(runs.Second, TrackingNames.Diagnostics));
        AssertCachedOrUnchanged(SourceOutputReasons(runs.Second));
        Assert.Equal(
            Assert.Single(runs.First.GeneratedSources).SourceText.ToString(),
            Assert.Single(runs.Second.GeneratedSources).SourceText.ToString());
    }

    [Fact]
    public void AddingAnUnrelatedFileRegeneratesNothing()
    {
        AssertNothingRegenerated(RunTwice((compilation, _) =>
            compilation.AddSyntaxTrees(GeneratorHarness.Parse("namespace Other;\n/// <summary>Unrelated.</summary>\npublic class Unrelated { }", "Other.cs"))));
    }

    [Fact]
    public void EditingAMethodBodyInTheModelsFileRegeneratesNothing()
    {
        AssertNothingRegenerated(RunTwice((compilation, tree) => Replace(compilation, tree, "=> 42;", "=> 6 * 7;")));
    }

    [Fact]
    public void AddingACommentAboveTheModelRegeneratesNothing()
    {
        AssertNothingRegenerated(RunTwice((compilation, tree) =>
            Replace(compilation, tree, "/// <summary>The model.</summary>", "\n// A comment, and a blank line above it.\n/// <summary>The model.</summary>")));
    }

    [Fact]
    public void ChangingALayerArgumentRegeneratesTheModel()
    {
        Runs runs = RunTwice((compilation, tree) => Replace(compilation, tree, "[Dense(32, ", "[Dense(48, "));

        Assert.Equal([IncrementalStepRunReason.Modified], Reasons(runs.Second, TrackingNames.Models));
        Assert.Contains(IncrementalStepRunReason.Modified, SourceOutputReasons(runs.Second));
        string before = Assert.Single(runs.First.GeneratedSources).SourceText.ToString();
        string after = Assert.Single(runs.Second.GeneratedSources).SourceText.ToString();
        Assert.Contains("new DenseLayer(units: 32,", before);
        Assert.Contains("new DenseLayer(units: 48,", after);
        Assert.DoesNotContain("new DenseLayer(units: 32,", after);
    }

    [Fact]
    public void AMistakeAddedAndFixedIsReportedThenCleared()
    {
        SyntaxTree tree = GeneratorHarness.Parse(ModelFile);
        Compilation valid = GeneratorHarness.CreateCompilation([tree]);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(valid);

        Compilation broken = Replace(valid, tree, "[Dense(32, ", "[Dense(-32, ");
        driver = driver.RunGenerators(broken);
        GeneratorRunResult brokenRun = driver.GetRunResult().Results.Single();
        Assert.Equal("CG0007", Assert.Single(brokenRun.Diagnostics).Id);
        Assert.Empty(brokenRun.GeneratedSources);

        driver = driver.RunGenerators(valid);
        GeneratorRunResult fixedRun = driver.GetRunResult().Results.Single();
        Assert.Empty(fixedRun.Diagnostics);
        Assert.Single(fixedRun.GeneratedSources);
    }
}
