using ConvGen.Tests.Data;
using ConvGen.Tests.Trainer;
using ConvGen.Train.Commands;

namespace ConvGen.Tests.Recipes;

/// <summary>
/// The recipe commands' machinery (not their accuracy, which takes the long runs of docs/recipe.md) on a small
/// MNIST-shaped set: every step runs, the table and result files are written, and a second run finds every finished
/// network in its run directory instead of training it again.
/// </summary>
public sealed class RecipeCommandTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public RecipeCommandTests()
    {
        Directory.CreateDirectory(Mnist);
        IdxBytes.WriteAll(Mnist, new Dictionary<string, byte[]>
        {
            ["train-images-idx3-ubyte"] = IdxBytes.Images(96, 28, 28),
            ["train-labels-idx1-ubyte"] = IdxBytes.Labels(Enumerable.Range(0, 96).Select(i => (byte)(i % 10)).ToArray()),
            ["t10k-images-idx3-ubyte"] = IdxBytes.Images(24, 28, 28),
            ["t10k-labels-idx1-ubyte"] = IdxBytes.Labels(Enumerable.Range(0, 24).Select(i => (byte)((i * 3) % 10)).ToArray()),
        });
    }

    private string Mnist => _directory.File("mnist");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void BeatingMnistRunsTheFourStepsAndResumesFromItsRunDirectory()
    {
        string run = _directory.File("run"), results = _directory.File("results/beating");
        Directory.CreateDirectory(_directory.File("results"));
        TrainerRun first = TrainerRun.Of("beating-mnist", "--quick", "--verbose", "0", "--mnist", Mnist, "--run-dir", run, "--results", results);
        Assert.Equal((ExitCodes.Success, string.Empty), (first.ExitCode, first.Error));
        string[] steps = ["Model 10: data augmentation", "Model 11: training annealing", "Model 12: averaging 2 models", "Model 13: pseudo-labels (2 models)"];
        foreach (string step in steps)
        {
            Assert.Contains($"| {step} | ", first.Out, StringComparison.Ordinal);
        }

        Assert.Contains("| Model 10: data augmentation | 99.27 % |", File.ReadAllText(results + ".md"), StringComparison.Ordinal);
        Assert.True(File.Exists(results + ".json"));
        Assert.Equal(["member0-pseudo.cgw", "member0.cgw", "member1-pseudo.cgw", "member1.cgw", "model10.cgw"], Directory.GetFileSystemEntries(run).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        TrainerRun second = TrainerRun.Of("beating-mnist", "--quick", "--verbose", "0", "--mnist", Mnist, "--run-dir", run);
        Assert.Equal((ExitCodes.Success, string.Empty), (second.ExitCode, second.Error));
        Assert.Equal(5, second.Out.Split('\n').Count(l => l.Contains("loaded from", StringComparison.Ordinal)));
        Assert.Equal(Accuracies(first.Out), Accuracies(second.Out));
    }

    [Fact]
    public void MnistBestTrainsAMemberPerSeedWhichTheEnsembleCommandBringsTogether()
    {
        string run = _directory.File("best");
        TrainerRun first = TrainerRun.Of("mnist-best", "--seeds", "3,4", "--epochs", "1", "--limit", "64", "--verbose", "0", "--mnist", Mnist, "--run-dir", run);
        Assert.Equal((ExitCodes.Success, string.Empty), (first.ExitCode, first.Error));
        Assert.Contains("On MNIST's test set:", first.Out, StringComparison.Ordinal);
        Assert.Contains("| mean of 2 |", first.Out, StringComparison.Ordinal);
        string ensembleRow = first.Out.Split('\n').Single(l => l.StartsWith("| ensemble of 2 |", StringComparison.Ordinal));

        // The members come back from their files, in this command and in 'ensemble'.
        TrainerRun again = TrainerRun.Of("mnist-best", "--seeds", "3,4", "--epochs", "1", "--verbose", "0", "--mnist", Mnist, "--run-dir", run);
        Assert.Equal(2, again.Out.Split('\n').Count(l => l.Contains("loaded from", StringComparison.Ordinal)));
        Assert.Contains(ensembleRow, again.Out, StringComparison.Ordinal);
        TrainerRun ensemble = TrainerRun.Of("ensemble", "mnist-best", "--weights", Path.Combine(run, "seed-3.cgw"), Path.Combine(run, "seed-4.cgw"), "--mnist", Mnist);
        Assert.Equal((ExitCodes.Success, string.Empty), (ensemble.ExitCode, ensemble.Error));
        Assert.Contains("Ensemble of 2: test accuracy " + ensembleRow.Split('|')[2].Trim(), ensemble.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void BadRecipeArgumentsAreOneLineErrors()
    {
        TrainerRun members = TrainerRun.Of("beating-mnist", "--members", "0");
        Assert.Equal((ExitCodes.Usage, "convgen-train: --members needs a whole number from 1 to 64; got '0'."), (members.ExitCode, members.FirstError));
        TrainerRun results = TrainerRun.Of("beating-mnist", "--quick", "--mnist", Mnist, "--results", _directory.File("missing/dir/r"));
        Assert.Equal(ExitCodes.Usage, results.ExitCode);
        Assert.Contains("--results", results.FirstError, StringComparison.Ordinal);
        TrainerRun seeds = TrainerRun.Of("mnist-best", "--seeds", "1,1");
        Assert.Equal((ExitCodes.Usage, "convgen-train: --seeds needs distinct whole numbers separated by commas, such as 1,2,3; got '1,1'."), (seeds.ExitCode, seeds.FirstError));
        TrainerRun network = TrainerRun.Of("ensemble", "resnet", "--weights", _directory.WriteText("x.cgw", "x"));
        Assert.Equal(ExitCodes.Usage, network.ExitCode);
        Assert.StartsWith("convgen-train: Unknown network 'resnet'.", network.FirstError, StringComparison.Ordinal);
    }

    private static string[] Accuracies(string output) =>
        output.Split('\n').Where(l => l.StartsWith("| Model", StringComparison.Ordinal)).Select(l => l.Split('|')[3]).ToArray();
}
