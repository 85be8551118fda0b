using ConvGen.Benchmarks.Comparison;
using ConvGen.Models;

namespace ConvGen.Tests.Benchmarks;

/// <summary>The benchmark's FLOP per training sample (FlopCounter.cs, linked from benchmarks/ConvGen.Benchmarks)
/// against the speed issue's numbers for its seven networks, and its convention on small hand-counted models.</summary>
public class FlopCounterTests
{
    public static TheoryData<string, Func<Model>, long> IssueNetworks => new()
    {
        { "MnistMlp", () => new MnistMlp(), 65_420 },
        { "BeatingDense", () => new BeatingDense(), 1_119_200 },
        { "MnistConv8", () => new MnistConv8(), 1_212_416 },
        { "MnistConv8x2", () => new MnistConv8x2(), 4_044_800 },
        { "MnistLeNet", () => new MnistLeNet(), 1_088_160 },
        { "MnistCnn", () => new MnistCnn(), 36_175_872 },
        { "BeatingVggDropout", () => new BeatingVggDropout(), 14_419_728 },
    };

    [Theory]
    [MemberData(nameof(IssueNetworks))]
    public void SeedNetworksMatchTheIssue(string name, Func<Model> create, long expected)
    {
        Model model = create();
        Assert.Equal(name, model.Name);
        Assert.Equal(expected, FlopCounter.TrainingFlopPerSample(model.Description));
    }

    [Fact]
    public void IssueNumbersRoundAsTheIssuePrintsThem()
    {
        Assert.Equal(65.4e3, FlopCounter.TrainingFlopPerSample(new MnistMlp().Description), 0.05e3);
        Assert.Equal(36.2e6, FlopCounter.TrainingFlopPerSample(new MnistCnn().Description), 0.05e6);
        Assert.Equal(14.4e6, FlopCounter.TrainingFlopPerSample(new BeatingVggDropout().Description), 0.05e6);
    }

    [Fact]
    public void FirstTrainableLayerHasNoInputGradient()
    {
        // Dense 4 -> 3 -> 2: forward 12 + 6 multiply-adds; weight gradients the same; input gradient of the second only.
        var description = new ModelDescription("m", Shape.Flat(4), [new Layers.DenseLayer(3), new Layers.DenseLayer(2, Activation.Softmax)]);
        Assert.Equal(2 * ((2 * 12) + (3 * 6)), FlopCounter.TrainingFlopPerSample(description));
    }

    [Fact]
    public void BatchNormalizationBeforeAConvolutionMakesItsInputGradientCount()
    {
        // 4x4x1 -> BatchNormalization -> Conv2D 2@3x3 valid (2x2x2 out): 2·2·2·9 = 72 multiply-adds forward.
        var description = new ModelDescription(
            "m",
            Shape.Image(4, 4, 1),
            [new Layers.BatchNormalizationLayer(), new Layers.Conv2DLayer(2, 3, 3), new Layers.FlattenLayer(), new Layers.DenseLayer(2, Activation.Softmax)]);
        Assert.Equal(2 * ((3 * 72) + (3 * 16)), FlopCounter.TrainingFlopPerSample(description));
    }

    [Fact]
    public void SamePaddingCountsTheWholeWindowEverywhere()
    {
        // 5x5x2 -> Conv2D 3@3x3 'same': 5·5·3 outputs of 3·3·2 multiply-adds each, padded cells included.
        var description = new ModelDescription(
            "m",
            Shape.Image(5, 5, 2),
            [new Layers.Conv2DLayer(3, 3, 3, padding: Padding.Same), new Layers.FlattenLayer(), new Layers.DenseLayer(2, Activation.Softmax)]);
        Assert.Equal(5 * 5 * 3 * 3 * 3 * 2, description.Layers[0].ForwardMultiplyAdds);
        Assert.Equal(0, description.Layers[1].ForwardMultiplyAdds);
    }
}
