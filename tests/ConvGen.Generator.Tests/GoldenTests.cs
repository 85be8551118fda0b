using ConvGen.Generator.Tests.Infrastructure;

namespace ConvGen.Generator.Tests;

/// <summary>The generated source of the seed networks and two small models, compared line by line with the reviewed
/// files in Golden/. A change in the emitter shows up here as a diff to review (rerun with CONVGEN_UPDATE_GOLDEN=1).</summary>
public class GoldenTests
{
    public static TheoryData<string> GoldenModels() =>
        ["MnistMlp", "MnistConv8", "MnistCnn", "MnistLeNet", "StridedSame", "NormalizedSoftmaxLayer"];

    [Theory]
    [MemberData(nameof(GoldenModels))]
    public void GeneratedSourceMatchesGoldenFile(string name)
    {
        ModelSource model = SeedNetworks.Named(name);
        GeneratorRun run = GeneratorHarness.Run(model.ToSource());

        Assert.Equal($"ConvGen.Models.{name}.g.cs", Assert.Single(run.Sources).HintName);
        Golden.Verify(run.SingleSource, name);
    }

    [Fact]
    public void GenerationIsDeterministic()
    {
        string source = SeedNetworks.StridedSame.ToSource();
        Assert.Equal(GeneratorHarness.Run(source).SingleSource, GeneratorHarness.Run(source).SingleSource);
    }
}

/// <summary>The golden-file helper itself: it must fail on a difference, name the first differing line, and never
/// let an update run pass when it changed a file.</summary>
public sealed class GoldenHelperTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "convgen-golden-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private string VerifiedPath => Path.Combine(_directory, "sample.verified.cs");

    private string ReceivedPath => Path.Combine(_directory, "sample.received.cs");

    [Fact]
    public void MatchingTextPassesWhateverTheLineEndings()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(VerifiedPath, "a\r\nb\r\n");
        Golden.VerifyIn(_directory, "a\nb\n", "sample", update: false);
        Assert.False(File.Exists(ReceivedPath));
    }

    [Fact]
    public void MismatchFailsWithFirstDifferingLineAndWritesReceivedFile()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(VerifiedPath, "same\nexpected line\nsame\n");
        var failure = Assert.ThrowsAny<Exception>(() => Golden.VerifyIn(_directory, "same\nactual line\nsame\n", "sample", update: false));
        Assert.Contains("line 2:", failure.Message);
        Assert.Contains("expected: expected line", failure.Message);
        Assert.Contains("actual:   actual line", failure.Message);
        Assert.Equal("same\nactual line\nsame\n", File.ReadAllText(ReceivedPath));
        Assert.Equal("same\nexpected line\nsame\n", File.ReadAllText(VerifiedPath));
    }

    [Fact]
    public void ExtraLineIsADifference()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(VerifiedPath, "a\n");
        var failure = Assert.ThrowsAny<Exception>(() => Golden.VerifyIn(_directory, "a\nb\n", "sample", update: false));
        Assert.Contains("line 2:", failure.Message);
        Assert.Contains("actual:   b", failure.Message);
    }

    [Fact]
    public void UpdateRewritesTheFileAndStillFails()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(VerifiedPath, "old\n");
        File.WriteAllText(ReceivedPath, "stale\n");
        var failure = Assert.ThrowsAny<Exception>(() => Golden.VerifyIn(_directory, "new\r\n", "sample", update: true));
        Assert.Contains("golden file updated; rerun without CONVGEN_UPDATE_GOLDEN", failure.Message);
        Assert.Equal("new\n", File.ReadAllText(VerifiedPath));
        Assert.False(File.Exists(ReceivedPath));

        // Once the file is up to date, an update run passes.
        Golden.VerifyIn(_directory, "new\n", "sample", update: true);
    }

    [Fact]
    public void MissingFileIsWrittenAndFails()
    {
        var failure = Assert.ThrowsAny<Exception>(() => Golden.VerifyIn(_directory, "first\n", "sample", update: false));
        Assert.Contains("was missing and has been written", failure.Message);
        Assert.Equal("first\n", File.ReadAllText(VerifiedPath));
    }
}
