using ConvGen.Generator.Emitting;
using ConvGen.Generator.Model;
using ConvGen.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace ConvGen.Generator.Tests;

/// <summary>
/// Which layer a training step splits between its threads by kernel rows (each thread owning its input features'
/// weights, gradient and update), and the layout that goes with it. (The runtime tests check the trained-by-rows
/// engines against the interpreted one at 1, 2 and 3 threads: WideDenseModel, NormalizedDenseModel and the seed MLPs.)
/// </summary>
public class RowSplitTests
{
    [Fact]
    public void AFirstDenseLayerReadingTheImagesIsTrainedByRows()
    {
        NetworkPlan plan = NetworkPlan.ForEngine(Parse("""
            [Sequential(784)]
            [Dense(20, Activation = Activation.Relu)]
            [Dense(10, Activation = Activation.Softmax)]
            """));

        Assert.Equal(0, plan.RowSplitLayer);
        // 20 units: 4 rows are 80 floats, the smallest whole number of rows that is a multiple of 16 floats (64 bytes).
        Assert.Equal(4, plan.RowBlock);
        Assert.Equal(784 * 20, plan.SummedParametersStart);
        // Per sample of the batch: the gathered output gradient (20 floats, aligned to 32); per thread, its partial sums.
        Assert.Equal(32, plan.BatchPerSample);
        Assert.Equal(32, plan.BatchPartialsPerSample);
    }

    [Fact]
    public void NormalizationAndFlattenBeforeItMapTheWholeBatch()
    {
        NetworkPlan plan = NetworkPlan.ForEngine(Parse("""
            [Sequential(28, 28, 1)]
            [Normalization(0.1, 0.3)]
            [Flatten]
            [Dense(200, Activation = Activation.Relu)]
            [Dense(10, Activation = Activation.Softmax)]
            """));

        Assert.Equal(2, plan.RowSplitLayer);
        Assert.Equal(2, plan.RowBlock);
        Assert.True(plan.FeedsRowSplit(0));
        Assert.Equal(RegionKind.Batch, plan.RegionNamed(plan.OutputOf(0, PassMode.Training)).Kind);
        Assert.Equal(RegionKind.PerSample, plan.RegionNamed(plan.OutputOf(0, PassMode.Inference)).Kind);
    }

    [Theory]
    [InlineData("[Sequential(8, 8, 1)]\n[Conv2D(4, 3)]\n[Flatten]\n[Dense(3, Activation = Activation.Softmax)]")]
    [InlineData("[Sequential(20)]\n[Dropout(0.2)]\n[Dense(3, Activation = Activation.Softmax)]")]
    [InlineData("[Sequential(6, 6, 2)]\n[MaxPooling2D(2)]\n[Flatten]\n[Dense(3, Activation = Activation.Softmax)]")]
    [InlineData("[Sequential(20)]\n[BatchNormalization]\n[Dense(3, Activation = Activation.Softmax)]")]
    public void OtherFirstTrainableLayersAreTrainedBySamples(string attributes)
    {
        NetworkPlan plan = NetworkPlan.ForEngine(Parse(attributes));

        Assert.Equal(-1, plan.RowSplitLayer);
        Assert.Equal(0, plan.SummedParametersStart);
        Assert.Equal(0, plan.BatchPerSample);
        Assert.Equal(0, plan.BatchPartialsPerSample);
    }

    private static ModelSpec Parse(string attributes) => GeneratorHarness.ParseModel(attributes);
}
