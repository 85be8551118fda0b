using ConvGen.Generator.Emitting;
using ConvGen.Generator.Model;
using ConvGen.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace ConvGen.Generator.Tests;

/// <summary>
/// Which layers a training step splits between its threads by kernel rows (each thread owning its input features'
/// weights, gradient, input gradient and update), and the layout that goes with it. (The runtime tests check the
/// trained-by-rows engines against the interpreted one at 1, 2 and 3 threads: WideDenseModel, NormalizedDenseModel,
/// DenseChainModel, ConvRowsModel, PooledDenseChainModel and the seed networks.)
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

        Assert.Equal([0], plan.RowSplitLayers);
        Assert.Equal(0, plan.ImagesRowSplitLayer);
        // 20 units: 4 rows are 80 floats, the smallest whole number of rows that is a multiple of 16 floats (64 bytes).
        Assert.Equal(4, plan.RowBlock(0));
        Assert.Equal([(784 * 20, plan.ParameterLength)], plan.SummedParameterRanges);
        // Per sample of the batch: the gathered output gradient (20 floats, aligned to 32) and its last 4 units repeated
        // for the column-quad tiles (16); per thread, its partial sums.
        Assert.True(plan.UsesColumnQuads(0));
        Assert.Equal(32 + 16, plan.BatchPerSample);
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

        Assert.Equal([2], plan.RowSplitLayers);
        Assert.Equal(2, plan.RowBlock(2));
        Assert.True(plan.FeedsImagesRowSplit(0));
        Assert.False(plan.GathersForRowSplit(0));
        Assert.Equal(RegionKind.Batch, plan.RegionNamed(plan.OutputOf(0, PassMode.Training)).Kind);
        Assert.Equal(RegionKind.PerSample, plan.RegionNamed(plan.OutputOf(0, PassMode.Inference)).Kind);
    }

    [Fact]
    public void LargeDenseLayersAfterOtherDenseLayersAreTrainedByRowsToo()
    {
        // Beating MNIST's dense network: the three 200-unit layers; the last (200 × 10 = 2,000 floats) is too small.
        NetworkPlan plan = NetworkPlan.ForEngine(Parse("""
            [Sequential(28, 28, 1)]
            [Normalization(0.1, 0.3)]
            [Flatten]
            [Dense(200, Activation = Activation.Relu)]
            [Dense(200, Activation = Activation.Relu)]
            [Dense(200, Activation = Activation.Relu)]
            [Dense(10, Activation = Activation.Softmax)]
            """));

        Assert.Equal([2, 3, 4], plan.RowSplitLayers);
        Assert.Equal(2, plan.ImagesRowSplitLayer);
        // The first needs no input gradient: rows in pairs (400 floats); the others in blocks of 16 for their input gradient.
        Assert.Equal(2, plan.RowBlock(2));
        Assert.Equal(16, plan.RowBlock(3));
        Assert.Equal(16, plan.RowBlock(4));
        // The first two Dense layers write their training output for the next, whole batch; inference is unchanged.
        Assert.True(plan.GathersForRowSplit(2));
        Assert.True(plan.GathersForRowSplit(3));
        Assert.False(plan.GathersForRowSplit(4));
        Assert.Equal(RegionKind.Batch, plan.RegionNamed(plan.OutputOf(3, PassMode.Training)).Kind);
        Assert.Equal(RegionKind.PerSample, plan.RegionNamed(plan.OutputOf(3, PassMode.Inference)).Kind);
        Assert.Equal(RegionKind.PerSample, plan.RegionNamed(plan.OutputOf(4, PassMode.Training)).Kind);
        Assert.Equal(RegionKind.Batch, plan.RegionNamed(plan.LayerIds[3] + "BatchInputGradient").Kind);
        Assert.Equal(RegionKind.Batch, plan.RegionNamed(plan.LayerIds[4] + "BatchInputGradient").Kind);
        Assert.False(plan.HasRegion(plan.LayerIds[2] + "BatchInputGradient"));
        // Their transposed kernels' rows are whole 64-byte lines apart (200 → 208 floats), so the columns of the features
        // each thread owns never share a line; the small last layer's, shared out by samples, are packed.
        Assert.Equal(208, plan.TransposedStride(3));
        Assert.Equal(208 * 200, plan.RegionNamed(plan.LayerIds[3] + "TransposedKernel").Size);
        Assert.Equal(200, plan.TransposedStride(5));
        // That small kernel (2,000 floats) each thread transposes whole for itself: no transpose is shared, so no
        // barrier has to publish one before the backward pass.
        Assert.True(plan.TransposesPrivately(5));
        Assert.Equal(RegionKind.PerThread, plan.RegionNamed(plan.LayerIds[5] + "TransposedKernel").Kind);
        Assert.False(plan.SharesTransposes);

        // Summed: everything but the three kernels (the biases and the last layer).
        var summed = plan.SummedParameterRanges;
        Assert.Equal(
            [
                (plan.Weight(2, "bias").Offset, plan.Weight(3, "kernel").Offset),
                (plan.Weight(3, "bias").Offset, plan.Weight(4, "kernel").Offset),
                (plan.Weight(4, "bias").Offset, plan.ParameterLength),
            ],
            summed);
    }

    [Fact]
    public void ALargeDenseLayerAfterConvolutionsPoolingAndDropoutIsTrainedByRows()
    {
        // The 99.1 % network's Dense(128): its input is written by the dropout, chunk by chunk, into a batch region.
        NetworkPlan plan = NetworkPlan.ForEngine(Parse(SeedNetworks.MnistCnn.Attributes));

        Assert.Equal([5], plan.RowSplitLayers);
        Assert.Equal(-1, plan.ImagesRowSplitLayer);
        Assert.True(plan.GathersForRowSplit(3));
        Assert.False(plan.GathersForRowSplit(2));
        Assert.Equal(RegionKind.Batch, plan.RegionNamed(plan.InputOf(5, PassMode.Training)).Kind);
        Assert.False(plan.HasRegion(plan.LayerIds[3] + "Output"));
        Assert.Equal(RegionKind.PerSample, plan.RegionNamed(plan.OutputOf(2, PassMode.Inference)).Kind);
        Assert.Equal(12 * 12 * 32, plan.RegionNamed(plan.LayerIds[5] + "BatchInputGradient").Size);
        Assert.Equal(16, plan.RowBlock(5));
        // The second convolution's flipped kernel is still shared out between the threads.
        Assert.True(plan.SharesTransposes);
    }

    [Fact]
    public void ALargeFirstDenseAfterAPoolingIsGatheredAndNeedsNoInputGradient()
    {
        // Pooling first: the images are copied and pooled by chunks, so the Dense gathers its input after a barrier; its
        // rows go in blocks of 8 (8 × 90 floats fill whole lines), as nothing before it needs an input gradient.
        NetworkPlan plan = NetworkPlan.ForEngine(Parse("""
            [Sequential(10, 10, 2)]
            [MaxPooling2D(2)]
            [Flatten]
            [Dense(90, Activation = Activation.Tanh)]
            [Dense(3, Activation = Activation.Softmax)]
            """));

        Assert.Equal([2], plan.RowSplitLayers);
        Assert.Equal(-1, plan.ImagesRowSplitLayer);
        Assert.True(plan.GathersForRowSplit(0));
        Assert.Equal(8, plan.RowBlock(2));
        Assert.False(plan.HasRegion(plan.LayerIds[2] + "BatchInputGradient"));
    }

    [Theory]
    [InlineData("[Dense(64)]", true)]
    [InlineData("[Dense(63)]", false)]
    public void ADenseLayerIsTrainedByRowsFromRowSplitMinimumKernelOn(string dense, bool byRows)
    {
        // 64 inputs × 64 units = 4,096 floats, the threshold; 64 × 63 is below it.
        NetworkPlan plan = NetworkPlan.ForEngine(Parse($"""
            [Sequential(64)]
            [Dense(64, Activation = Activation.Tanh)]
            {dense}
            [Dense(3, Activation = Activation.Softmax)]
            """));

        Assert.Equal(64 * 64, NetworkPlan.RowSplitMinimumKernel);
        Assert.Equal(byRows, plan.IsRowSplit(1));
        Assert.True(plan.IsRowSplit(0));
    }

    [Theory]
    [InlineData("[Sequential(8, 8, 1)]\n[Conv2D(4, 3)]\n[Flatten]\n[Dense(3, Activation = Activation.Softmax)]")]
    [InlineData("[Sequential(20)]\n[Dropout(0.2)]\n[Dense(3, Activation = Activation.Softmax)]")]
    [InlineData("[Sequential(6, 6, 2)]\n[MaxPooling2D(2)]\n[Flatten]\n[Dense(3, Activation = Activation.Softmax)]")]
    [InlineData("[Sequential(20)]\n[BatchNormalization]\n[Dense(3, Activation = Activation.Softmax)]")]
    // Large enough, but batch normalisation (or a standalone activation) writes its input: left by samples.
    [InlineData("[Sequential(100)]\n[BatchNormalization]\n[Dense(64, Activation = Activation.Softmax)]")]
    [InlineData("[Sequential(10, 10, 1)]\n[Conv2D(4, 3, Activation = Activation.Relu)]\n[Activation(Activation.Sigmoid)]\n[Flatten]\n[Dense(64, Activation = Activation.Softmax)]")]
    public void OtherDenseLayersAreTrainedBySamples(string attributes)
    {
        NetworkPlan plan = NetworkPlan.ForEngine(Parse(attributes));

        Assert.Empty(plan.RowSplitLayers);
        Assert.Equal(-1, plan.ImagesRowSplitLayer);
        Assert.Equal([(0, plan.ParameterLength)], plan.SummedParameterRanges);
        Assert.Equal(0, plan.BatchPerSample);
        Assert.Equal(0, plan.BatchPartialsPerSample);
    }

    private static ModelSpec Parse(string attributes) => GeneratorHarness.ParseModel(attributes);
}
