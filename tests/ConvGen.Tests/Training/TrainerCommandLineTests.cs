using ConvGen.Models;
using ConvGen.Train;

namespace ConvGen.Tests.Training;

/// <summary><c>convgen-train</c>'s command line: every option, every malformed value (refused with a message naming
/// the option), and how the notebook's recipe and the options combine.</summary>
public class TrainerCommandLineTests
{
    [Fact]
    public void NoArgumentsTrainTheNinetyNinePercentNetworkWithItsNotebooksRecipe()
    {
        TrainOptions options = TrainOptions.Parse([]);

        Assert.Equal("mnist-cnn", options.Network);
        Assert.Equal(42, options.Seed);
        Assert.Equal(2, options.Verbose);
        Assert.Null(options.Epochs);
        Assert.Null(options.BatchSize);
        Assert.Null(options.ValidationSplit);
        Assert.Equal(new TrainRecipe(15, 128, 0, false), TrainRecipe.Resolve(SeedNetwork.Find(options.Network)!, options));
    }

    [Fact]
    public void EveryOptionIsRead()
    {
        TrainOptions options = TrainOptions.Parse(
            ["beating-dense", "--epochs", "3", "--batch-size", "64", "--seed", "-7", "--validation-split", "0.25", "--verbose", "0", "--mnist", "data", "--save", "w.bin", "--summary"]);

        Assert.Equal(
            new TrainOptions { Network = "beating-dense", Epochs = 3, BatchSize = 64, Seed = -7, ValidationSplit = 0.25, Verbose = 0, MnistDirectory = "data", SavePath = "w.bin", SummaryOnly = true },
            options);
        Assert.True(TrainOptions.Parse(["--list"]).List);
        Assert.True(TrainOptions.Parse(["-h"]).Help);
        Assert.True(TrainOptions.Parse(["--help"]).Help);
    }

    [Theory]
    [InlineData(new[] { "--epochs" }, "--epochs needs a value.")]
    [InlineData(new[] { "--epochs", "ten" }, "--epochs needs an integer; got 'ten'.")]
    [InlineData(new[] { "--epochs", "0" }, "--epochs must be positive; got '0'.")]
    [InlineData(new[] { "--batch-size", "-32" }, "--batch-size must be positive; got '-32'.")]
    [InlineData(new[] { "--seed", "4.5" }, "--seed needs an integer; got '4.5'.")]
    [InlineData(new[] { "--validation-split", "1" }, "--validation-split needs a number in [0, 1); got '1'.")]
    [InlineData(new[] { "--validation-split", "-0.1" }, "--validation-split needs a number in [0, 1); got '-0.1'.")]
    [InlineData(new[] { "--validation-split", "NaN" }, "--validation-split needs a number in [0, 1); got 'NaN'.")]
    [InlineData(new[] { "--verbose", "3" }, "--verbose is 0, 1 or 2; got '3'.")]
    [InlineData(new[] { "--mnist" }, "--mnist needs a value.")]
    [InlineData(new[] { "mnist-cnn", "--learning-rate", "0.1" }, "Unknown option --learning-rate.")]
    public void MalformedArgumentsAreRefusedByName(string[] args, string message)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => TrainOptions.Parse(args));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void OptionsOverrideTheNotebooksRecipe()
    {
        SeedNetwork mlp = SeedNetwork.Find("mnist-mlp")!;

        Assert.Equal(new TrainRecipe(20, 100, 0.1, false), TrainRecipe.Resolve(mlp, TrainOptions.Parse([])));
        Assert.Equal(new TrainRecipe(2, 50, 0, false), TrainRecipe.Resolve(mlp, TrainOptions.Parse(["--epochs", "2", "--batch-size", "50", "--validation-split", "0"])));
    }

    [Fact]
    public void AValidationSplitReplacesValidatingOnTheTestSet()
    {
        SeedNetwork dense = SeedNetwork.Find("beating-dense")!;

        // The notebook validates on the test set; an explicit split holds out part of the training set instead.
        Assert.Equal(new TrainRecipe(5, 32, 0, true), TrainRecipe.Resolve(dense, TrainOptions.Parse([])));
        Assert.Equal(new TrainRecipe(5, 32, 0.1, false), TrainRecipe.Resolve(dense, TrainOptions.Parse(["--validation-split", "0.1"])));
    }
}
