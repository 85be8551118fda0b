using ConvGen.Models;
using ConvGen.Train;
using ConvGen.Train.Commands;

namespace ConvGen.Tests.Trainer;

/// <summary><c>convgen-train</c>'s command line: every option, every malformed value (refused in one line naming the
/// option and the value, exit code 2, nothing run), and how the notebook's recipe and the options combine.</summary>
public class TrainerCommandLineTests
{
    private static readonly CommandContext Silent = new(TextWriter.Null, TextWriter.Null);

    private static TrainOptions ParseTrain(params string[] args)
    {
        var train = new TrainCommand();
        System.CommandLine.ParseResult result = train.Create(Silent).Parse(args);
        Assert.Empty(result.Errors);
        return train.Read(result);
    }

    [Fact]
    public void NoArgumentsTrainTheNinetyNinePercentNetworkWithItsNotebooksRecipe()
    {
        TrainOptions options = ParseTrain();

        Assert.Equal(new TrainOptions(SeedNetwork.Find("mnist-cnn")!), options);
        Assert.Equal(42, options.Seed);
        Assert.Equal(2, options.Verbose);
        Assert.Equal(new TrainRecipe(15, 128, 0, false), TrainRecipe.Resolve(options.Network, options));
    }

    [Fact]
    public void EveryOptionIsRead()
    {
        TrainOptions options = ParseTrain(
            "beating-dense", "--epochs", "3", "--batch-size", "64", "--seed", "-7", "--validation-split", "0.25", "--verbose", "0", "--mnist", ".", "--save", "w.bin", "--report", "r", "--export", "m.onnx", "--summary");

        Assert.Equal(
            new TrainOptions(SeedNetwork.Find("beating-dense")!, 3, 64, -7, 0.25, 0, ".", "w.bin", SummaryOnly: true, ReportDirectory: "r", ExportPath: "m.onnx",
                CommandLine: "convgen-train beating-dense --epochs 3 --batch-size 64 --seed -7 --validation-split 0.25 --verbose 0 --mnist . --save w.bin --report r --export m.onnx --summary"),
            options);
        Assert.Equal(SeedNetwork.Find("mnist-lenet"), ParseTrain("MnistLeNet").Network);
    }

    [Fact]
    public void TrainIsTheDefaultCommand()
    {
        ParseResultIs("train", TrainerCommandLine.Parse(["train", "mnist-mlp", "--epochs", "2"], Silent));
        ParseResultIs("train", TrainerCommandLine.Parse(["mnist-mlp", "--epochs", "2"], Silent));
        ParseResultIs("train", TrainerCommandLine.Parse(["--epochs", "2"], Silent));
        ParseResultIs("train", TrainerCommandLine.Parse([], Silent));
        ParseResultIs("list", TrainerCommandLine.Parse(["list"], Silent));
        ParseResultIs("list", TrainerCommandLine.Parse(["--list"], Silent));
        ParseResultIs("info", TrainerCommandLine.Parse(["info"], Silent));
        ParseResultIs("beating-mnist", TrainerCommandLine.Parse(["beating-mnist", "--quick"], Silent));
        ParseResultIs("convgen-train", TrainerCommandLine.Parse(["--help"], Silent));

        static void ParseResultIs(string command, System.CommandLine.ParseResult result)
        {
            Assert.Empty(result.Errors);
            Assert.Equal(command, result.CommandResult.Command.Name);
        }
    }

    [Theory]
    [InlineData("--epochs", "--epochs needs a whole number of at least 1; got 'ten'.", "--epochs", "ten")]
    [InlineData("--epochs", "--epochs needs a whole number of at least 1; got '0'.", "--epochs", "0")]
    [InlineData("--epochs", "--epochs needs a whole number of at least 1; got '1e3'.", "--epochs", "1e3")]
    [InlineData("--batch-size", "--batch-size needs a whole number of at least 1; got '-32'.", "--batch-size", "-32")]
    [InlineData("--batch-size", "--batch-size needs a whole number of at least 1; got '99999999999'.", "--batch-size", "99999999999")]
    [InlineData("--seed", "--seed needs a whole number; got '4.5'.", "--seed", "4.5")]
    [InlineData("--validation-split", "--validation-split needs a number from 0 up to (not including) 1; got '1'.", "--validation-split", "1")]
    [InlineData("--validation-split", "--validation-split needs a number from 0 up to (not including) 1; got '-0.1'.", "--validation-split", "-0.1")]
    [InlineData("--validation-split", "--validation-split needs a number from 0 up to (not including) 1; got 'NaN'.", "--validation-split", "NaN")]
    [InlineData("--verbose", "--verbose needs a whole number from 0 to 2; got '3'.", "--verbose", "3")]
    [InlineData("network", "Unknown network 'mnist-resnet'. Seed networks: mnist-mlp, mnist-conv8, mnist-conv8x2, mnist-cnn, mnist-lenet, beating-linear, beating-hidden, beating-dense, beating-conv, beating-conv-pool, beating-vgg, beating-vgg-bn, beating-vgg-dropout (or their class names, e.g. MnistCnn).", "mnist-resnet")]
    [InlineData("--learning-rate", "Unrecognized command or argument '--learning-rate'.", "mnist-cnn", "--learning-rate", "0.1")]
    [InlineData("--epochs", "Required argument missing for option: '--epochs'.", "--epochs")]
    [InlineData("--mnist", "--mnist 'no/such/dir': no such directory.", "--mnist", "no/such/dir")]
    [InlineData("--weights", "--weights 'no-such.cgw': no such file.", "evaluate", "mnist-cnn", "--weights", "no-such.cgw")]
    [InlineData("--weights", "Option '--weights' is required.", "evaluate", "mnist-cnn")]
    [InlineData("network", "Unknown network 'lenet'. Seed networks: mnist-mlp, mnist-conv8, mnist-conv8x2, mnist-cnn, mnist-lenet, beating-linear, beating-hidden, beating-dense, beating-conv, beating-conv-pool, beating-vgg, beating-vgg-bn, beating-vgg-dropout (or their class names, e.g. MnistCnn).", "summary", "lenet")]
    [InlineData("--index", "Give the image to classify: --index N (an MNIST test image) or --image FILE (a PGM file).", "predict", "mnist-cnn", "--weights", "EXISTING")]
    [InlineData("--index", "--index needs a whole number of at least 0; got '-1'.", "predict", "mnist-cnn", "--index", "-1", "--weights", "EXISTING")]
    public void EveryBadArgumentIsOneLineNamingItAndExitCode2(string named, string message, params string[] args)
    {
        // EXISTING stands for a file that exists, so that the argument under test is the only bad one.
        TrainerRun run = TrainerRun.Of(args.Select(a => a == "EXISTING" ? typeof(TrainerCommandLineTests).Assembly.Location : a).ToArray());

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains(named, message, StringComparison.Ordinal);
        Assert.Equal(2, run.ErrorLines.Length);  // the error, then where help is
        Assert.Equal($"convgen-train: {message}", run.ErrorLines[0]);
        Assert.StartsWith("Run 'convgen-train", run.ErrorLines[1], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Out);
    }

    [Fact]
    public void HelpIsGeneratedForTheRootAndEveryCommand()
    {
        TrainerRun root = TrainerRun.Of("--help");
        Assert.Equal(ExitCodes.Success, root.ExitCode);
        foreach (string text in (string[])["Usage:", "--version", "train", "evaluate", "predict", "summary", "list"])
        {
            Assert.Contains(text, root.Out, StringComparison.Ordinal);
        }

        string train = TrainerRun.Of("train", "--help").Out;
        foreach (string option in (string[])["--epochs", "--batch-size", "--seed", "--validation-split", "--verbose", "--mnist", "--save", "--summary"])
        {
            Assert.Contains(option, train, StringComparison.Ordinal);
        }

        foreach (string command in (string[])["train", "evaluate", "predict", "summary", "list"])
        {
            TrainerRun run = TrainerRun.Of(command, "--help");
            Assert.Equal(ExitCodes.Success, run.ExitCode);
            Assert.Contains($"convgen-train {command}", run.Out, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void OptionsOverrideTheNotebooksRecipe()
    {
        SeedNetwork mlp = SeedNetwork.Find("mnist-mlp")!;

        Assert.Equal(new TrainRecipe(20, 100, 0.1, false), TrainRecipe.Resolve(mlp, ParseTrain("mnist-mlp")));
        Assert.Equal(new TrainRecipe(2, 50, 0, false), TrainRecipe.Resolve(mlp, ParseTrain("mnist-mlp", "--epochs", "2", "--batch-size", "50", "--validation-split", "0")));
    }

    [Fact]
    public void AValidationSplitReplacesValidatingOnTheTestSet()
    {
        SeedNetwork dense = SeedNetwork.Find("beating-dense")!;

        // The notebook validates on the test set; an explicit split holds out part of the training set instead.
        Assert.Equal(new TrainRecipe(5, 32, 0, true), TrainRecipe.Resolve(dense, ParseTrain("beating-dense")));
        Assert.Equal(new TrainRecipe(5, 32, 0.1, false), TrainRecipe.Resolve(dense, ParseTrain("beating-dense", "--validation-split", "0.1")));
    }
}
