using ConvGen.Generator.Emitting;
using ConvGen.Generator.Emitting.Kernels;
using ConvGen.Generator.Tests.Infrastructure;

namespace ConvGen.Generator.Tests;

/// <summary>
/// Which dense layers train in column-quad tiles (units that are whole vectors and 4 more, their last 4 in blocks of
/// 16 floats), on which vectors, in how many rows, and what the passes then call. (The runtime tests check such layers
/// against finite differences and the interpreted engine: ColumnQuadsModel, NarrowColumnQuadsModel,
/// BlockedColumnQuadsModel and mnist-mlp.)
/// </summary>
public class ColumnQuadTileTests
{
    [Theory]
    [InlineData(20, 16)]
    [InlineData(36, 16)]
    [InlineData(12, 8)]
    [InlineData(28, 8)]
    public void UnitsFourPastAWholeVectorTakeTheVectorsThatLeaveFour(int units, int width)
    {
        Assert.Equal(width, ColumnQuadTile.IsaFor(VectorIsa.Avx512, units)?.Width);
        Assert.Null(ColumnQuadTile.IsaFor(VectorIsa.Avx2, units));
        Assert.Null(ColumnQuadTile.IsaFor(VectorIsa.Vector128, units));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(16)]
    [InlineData(24)]
    [InlineData(30)]
    [InlineData(100)]
    public void OtherUnitsKeepTheUsualTiles(int units)
    {
        // 4 has no whole vector; 16, 24 and 30 leave no (or not 4) columns over; 100 = 6 · 16 + 4 has too many
        // vectors for 4 features' accumulators to fit the registers.
        Assert.Null(ColumnQuadTile.IsaFor(VectorIsa.Avx512, units));
    }

    [Fact]
    public void TilesFillTheRegistersWithinTheMeasuredLimits()
    {
        // 20 units on 16-float vectors: two accumulators a sample (12 samples, the cap); 5 a block of 4 features (16).
        Assert.Equal(12, ColumnQuadTile.ForwardRowsFor(VectorIsa.Avx512, 20));
        Assert.Equal(16, ColumnQuadTile.KernelGradientRowsFor(VectorIsa.Avx512, 20));
        // 28 units on 8-float vectors: 3 + 2 a sample, (32 - 7) / 5 = 5 samples; 4 · 3 + 2 a block of 4 features.
        Assert.Equal(5, ColumnQuadTile.ForwardRowsFor(VectorIsa.Avx512Narrow, 28));
        Assert.Equal(4, ColumnQuadTile.KernelGradientRowsFor(VectorIsa.Avx512Narrow, 28));
    }

    [Fact]
    public void OnlyLayersTrainedByRowsOverWholeBlocksOfFourFeaturesUseThem()
    {
        NetworkPlan plan = NetworkPlan.ForEngine(GeneratorHarness.ParseModel("""
            [Sequential(783)]
            [Dense(20, Activation = Activation.Relu)]
            [Dense(20, Activation = Activation.Relu)]
            [Dense(3, Activation = Activation.Softmax)]
            """));

        // The first is trained by rows but 783 features do not split into blocks of 4; the second is trained by
        // samples (a 400-float kernel).
        Assert.Equal([0], plan.RowSplitLayers);
        Assert.False(plan.UsesColumnQuads(0));
        Assert.False(plan.UsesColumnQuads(1));
    }

    [Fact]
    public void TheAvx512PassesCallThemAndTheOtherPathsDoNot()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using ConvGen;

            namespace App;

            /// <summary>The model.</summary>
            [Sequential(784)]
            [Dense(20, Activation = Activation.Relu)]
            [Dense(10, Activation = Activation.Softmax)]
            public partial class Net;
            """);
        run.AssertCompilesCleanly();
        string source = run.SingleSource;

        Assert.Contains("DenseKernels.ForwardRowsPartialAvx512(", source);
        Assert.Contains("ref denseBatchGradientQuads, count);", source);
        Assert.Contains("private static void KernelGradientRowsTile16x1QuadAvx512(", source);
        Assert.DoesNotContain("ForwardRowsPartialAvx2", source);
        Assert.Contains("DenseKernels.ForwardPartialAvx2(", source);
        Assert.DoesNotContain("QuadVector128", source);
    }
}
