using System.Text.RegularExpressions;
using ConvGen.Layers;

namespace ConvGen.Tests.Training;

/// <summary>Model.Summary against Keras' model.summary() for the networks of the MNIST notebooks; parameter counts and
/// sizes are worked out by hand in the comments.</summary>
public class SummaryTests
{
    // The 99.1 % network of the Keras MNIST example.
    internal static ModelDescription MnistCnn() => new(
        "mnist_cnn",
        Shape.Image(28, 28, 1),
        [
            new Conv2DLayer(32, 3, 3, activation: Activation.Relu),
            new Conv2DLayer(32, 3, 3, activation: Activation.Relu),
            new MaxPooling2DLayer(2, 2),
            new DropoutLayer(0.25),
            new FlattenLayer(),
            new DenseLayer(128, Activation.Relu),
            new DropoutLayer(0.5),
            new DenseLayer(10, Activation.Softmax),
        ]);

    private static List<(string Name, string Type, string Shape, string Params)> Rows(string summary) =>
        Regex.Matches(summary, @"^ *(\S+) \((\w+)\) +(\(None[^)]*\)) +([\d,]+) *$", RegexOptions.Multiline)
            .Select(m => (m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value, m.Groups[4].Value))
            .ToList();

    [Fact]
    public void TheMnistNetworkSummarisesAsKerasDoes()
    {
        var model = new TestModel(new DescriptionOnlyEngine(MnistCnn()));
        string summary = model.Summary();

        // conv2d 3·3·1·32 + 32 = 320; conv2d_1 3·3·32·32 + 32 = 9,248; 12·12·32 = 4,608 flattened;
        // dense 4,608·128 + 128 = 589,952; dense_1 128·10 + 10 = 1,290.
        Assert.Equal(
            [
                ("conv2d", "Conv2D", "(None, 26, 26, 32)", "320"),
                ("conv2d_1", "Conv2D", "(None, 24, 24, 32)", "9,248"),
                ("max_pooling2d", "MaxPooling2D", "(None, 12, 12, 32)", "0"),
                ("dropout", "Dropout", "(None, 12, 12, 32)", "0"),
                ("flatten", "Flatten", "(None, 4608)", "0"),
                ("dense", "Dense", "(None, 128)", "589,952"),
                ("dropout_1", "Dropout", "(None, 128)", "0"),
                ("dense_1", "Dense", "(None, 10)", "1,290"),
            ],
            Rows(summary));

        // 600,810 float32 = 2,403,240 bytes = 2.29 MiB (Keras prints powers of 1024 with two decimals).
        string[] lines = summary.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal("Model: \"mnist_cnn\"", lines[0]);
        Assert.Contains("Total params: 600,810 (2.29 MB)", lines);
        Assert.Contains("Trainable params: 600,810 (2.29 MB)", lines);
        Assert.Contains("Non-trainable params: 0 (0.00 B)", lines);
        Assert.Equal(600_810, model.CountParams());
        Assert.Matches(@"^ Layer \(type\) +Output Shape +Param # *$", lines[2]);
    }

    [Fact]
    public void BatchNormalizationHasTwoTrainableAndTwoNonTrainableValuesPerChannel()
    {
        var description = new ModelDescription(
            "bn",
            Shape.Image(8, 8, 3),
            [new Conv2DLayer(16, 3, 3), new BatchNormalizationLayer(), new FlattenLayer(), new DenseLayer(10, Activation.Softmax)]);
        string summary = new TestModel(new DescriptionOnlyEngine(description)).Summary();

        // conv2d 3·3·3·16 + 16 = 448; batch_normalization 4·16 = 64 (gamma, beta trainable; moving mean, variance not);
        // dense 6·6·16 = 576 inputs → 576·10 + 10 = 5,770. Trainable 448 + 32 + 5,770 = 6,250 (25,000 B = 24.41 KB);
        // non-trainable 32 (128 B); total 6,282 (25,128 B = 24.54 KB).
        Assert.Equal(
            [
                ("conv2d", "Conv2D", "(None, 6, 6, 16)", "448"),
                ("batch_normalization", "BatchNormalization", "(None, 6, 6, 16)", "64"),
                ("flatten", "Flatten", "(None, 576)", "0"),
                ("dense", "Dense", "(None, 10)", "5,770"),
            ],
            Rows(summary));
        Assert.Contains("Total params: 6,282 (24.54 KB)", summary);
        Assert.Contains("Trainable params: 6,250 (24.41 KB)", summary);
        Assert.Contains("Non-trainable params: 32 (128.00 B)", summary);
    }

    [Fact]
    public void ConfiguredNamesAppearAndLongNamesWidenTheColumn()
    {
        string longName = new('x', 40);
        var description = new ModelDescription("named", Shape.Flat(4), [new DenseLayer(3, Activation.Softmax, name: longName)]);
        string summary = new TestModel(new DescriptionOnlyEngine(description)).Summary();
        Assert.Equal([(longName, "Dense", "(None, 3)", "15")], Rows(summary));
    }
}
