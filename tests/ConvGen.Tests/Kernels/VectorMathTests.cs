using System.Runtime.Intrinsics;
using ConvGen.Kernels;

namespace ConvGen.Tests.Kernels;

/// <summary>The vector activations and masks the generated kernels call, lane by lane against scalar definitions.</summary>
public class VectorMathTests
{
    private static readonly float[] Edges =
    [
        -1f, -0f, 0f, float.Epsilon, -float.Epsilon, 1e-38f, 3f, float.PositiveInfinity, float.NegativeInfinity, float.NaN,
        -2.5f, 0.5f, float.MaxValue, -float.MaxValue, 1e-40f, -7f,
    ];

    [Fact]
    public void PositiveIsAllOnesExactlyWhereTheLaneIsGreaterThanZero()
    {
        // Relu's derivative as a mask: -0, NaN and negatives give zero; the smallest subnormal gives all ones. Every
        // width is checked, and the 256-bit one also through its 512-bit compare on AVX-512 machines.
        Vector512<float> wide = Vector512.Create(Edges);
        Vector512<uint> mask512 = VectorMath.Positive(wide).AsUInt32();
        Vector256<uint> mask256 = VectorMath.Positive(wide.GetLower()).AsUInt32();
        Vector256<uint> mask256Upper = VectorMath.Positive(wide.GetUpper()).AsUInt32();
        Vector128<uint> mask128 = VectorMath.Positive(wide.GetLower().GetLower()).AsUInt32();
        for (int i = 0; i < Edges.Length; i++)
        {
            uint expected = Edges[i] > 0 ? uint.MaxValue : 0u;
            Assert.Equal(expected, mask512.GetElement(i));
            Assert.Equal(expected, i < 8 ? mask256.GetElement(i) : mask256Upper.GetElement(i - 8));
            if (i < 4)
            {
                Assert.Equal(expected, mask128.GetElement(i));
            }
        }
    }
}
