using ConvGen.Generator.Emitting;
using ConvGen.Generator.Emitting.Kernels;

namespace ConvGen.Generator.Tests;

/// <summary>
/// The one-sample tiles of a dense product (a prediction of one image): as wide as the registers allow, so the kernel
/// is read row after row from end to end.
/// </summary>
public class RowPanelTests
{
    [Fact]
    public void TwoHundredUnitsFitOnePanelWithThirtyTwoRegisters()
    {
        // 25 vectors of 8 (AVX-512 registers holding Vector256: 200 is not a multiple of 16).
        Assert.Equal([new Panel(0, 25, 8)], Blocking.RowPanels(VectorIsa.Avx512Narrow, 200));
    }

    [Fact]
    public void WithSixteenRegistersTheyAreBalancedOverAsFewPanelsAsFit()
    {
        // At most 12 accumulators: 25 vectors in three panels of 9, 9 and 7.
        Assert.Equal([new Panel(0, 9, 8), new Panel(9, 9, 8), new Panel(18, 7, 8)], Blocking.RowPanels(VectorIsa.Avx2, 200));
    }

    [Fact]
    public void APartialLastVectorKeepsItsLanes()
    {
        // 37 columns: three vectors of 16, the last with 5 lanes.
        Assert.Equal([new Panel(0, 3, 5)], Blocking.RowPanels(VectorIsa.Avx512, 37));
    }
}
