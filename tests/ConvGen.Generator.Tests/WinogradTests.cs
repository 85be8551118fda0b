using ConvGen.Generator.Emitting.Kernels;
using ConvGen.Generator.Emitting.Layers;
using ConvGen.Generator.Model;
using ConvGen.Generator.Tests.Infrastructure;

namespace ConvGen.Generator.Tests;

/// <summary>
/// Which convolutions run by Winograd's minimal filtering, forward and input gradient alike: 3×3 kernels at stride 1
/// over whole 16-float vectors of channels and filters, into whole 2×2 tiles, F(4×4, 3×3) where whole 4×4 tiles cover
/// the output; that both algorithms' matrices compute the convolution; and how the backward pass runs the input
/// gradient. (The runtime tests check such layers against finite differences and the interpreted engine:
/// WinogradModel, Winograd4Model and mnist-cnn.)
/// </summary>
public class WinogradTests
{
    [Theory]
    // mnist-cnn's second convolution: 26×26 in, 24×24 out.
    [InlineData("[Sequential(26, 26, 32)]", "[Conv2D(32, 3)]", true)]
    // 'same' over an even image: output 8, zero-bordered input 10.
    [InlineData("[Sequential(8, 8, 16)]", "[Conv2D(32, 3, Padding = Padding.Same)]", true)]
    // An odd output (23 or 7) in either direction, 'valid' or 'same'.
    [InlineData("[Sequential(25, 25, 32)]", "[Conv2D(32, 3)]", false)]
    [InlineData("[Sequential(26, 25, 32)]", "[Conv2D(32, 3)]", false)]
    [InlineData("[Sequential(7, 7, 16)]", "[Conv2D(16, 3, Padding = Padding.Same)]", false)]
    // Channels or filters not whole vectors of 16, a stride, another kernel size.
    [InlineData("[Sequential(10, 10, 8)]", "[Conv2D(16, 3)]", false)]
    [InlineData("[Sequential(10, 10, 16)]", "[Conv2D(24, 3)]", false)]
    [InlineData("[Sequential(11, 11, 16)]", "[Conv2D(16, 3, Strides = 2)]", false)]
    [InlineData("[Sequential(10, 10, 16)]", "[Conv2D(16, 3, 2)]", false)]
    public void WholeTilesOverWholeVectorsTakeWinogradBothWays(string input, string convolution, bool winograd)
    {
        Conv2DSpec conv = Convolution(input, convolution);
        Assert.Equal(winograd, WinogradConvolution.For(conv, ActivationKind.Linear) is not null);
        Assert.Equal(winograd, WinogradConvolution.ForInputGradient(conv, derivative: null) is not null);
    }

    [Theory]
    // mnist-cnn's second convolution: 24×24 out by 4×4 tiles; its input gradient, into the 26×26 input, by 2×2.
    [InlineData("[Sequential(26, 26, 32)]", "[Conv2D(32, 3)]", 4, 2)]
    // 'same' over 8×8: the output by 4×4 tiles, the zero-bordered 10×10 input's gradient by 2×2.
    [InlineData("[Sequential(8, 8, 16)]", "[Conv2D(16, 3, Padding = Padding.Same)]", 4, 2)]
    // 2×2 tiles wherever 4 does not divide the height or the width: 'valid' over 14×12 (12×10 out, 14×12 in) and 12×12 (10×10
    // out, 12×12 in), 'same' over 10×10 (the zero-bordered input 12×12).
    [InlineData("[Sequential(14, 12, 16)]", "[Conv2D(16, 3)]", 2, 2)]
    [InlineData("[Sequential(12, 12, 16)]", "[Conv2D(16, 3)]", 2, 4)]
    [InlineData("[Sequential(10, 10, 16)]", "[Conv2D(16, 3, Padding = Padding.Same)]", 2, 4)]
    public void FourByFourTilesWhereTheyCoverTheOutput(string input, string convolution, int forwardTile, int inputGradientTile)
    {
        Conv2DSpec conv = Convolution(input, convolution);
        Assert.Equal(forwardTile, WinogradConvolution.For(conv, ActivationKind.Linear)!.Algorithm.Tile);
        Assert.Equal(inputGradientTile, WinogradConvolution.ForInputGradient(conv, derivative: null)!.Algorithm.Tile);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void TheAlgorithmsMatricesComputeTheConvolution(int tile)
    {
        // Y = Aᵀ[(G·g·Gᵀ) ⊙ (Bᵀ·d·B)]A against the direct 3×3 correlation of the window, in double: the matrices as the
        // generator emits them, checked on random windows and kernels.
        WinogradAlgorithm algorithm = tile == 2 ? WinogradAlgorithm.F2 : WinogradAlgorithm.F4;
        int n = algorithm.Window;
        var random = new Random(tile);
        for (int trial = 0; trial < 20; trial++)
        {
            double[,] d = Random(random, n, n);
            double[,] g = Random(random, 3, 3);
            double[,] u = Multiply(Multiply(Matrix(algorithm.G), g), Matrix(algorithm.Gt));
            double[,] v = Multiply(Multiply(Matrix(algorithm.Bt), d), Matrix(algorithm.B));
            var products = new double[n, n];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    products[i, j] = u[i, j] * v[i, j];
                }
            }

            double[,] y = Multiply(Multiply(Matrix(algorithm.At), products), Matrix(algorithm.A));
            Assert.Equal(tile, y.GetLength(0));
            Assert.Equal(tile, y.GetLength(1));
            for (int r = 0; r < tile; r++)
            {
                for (int c = 0; c < tile; c++)
                {
                    double direct = 0;
                    for (int ky = 0; ky < 3; ky++)
                    {
                        for (int kx = 0; kx < 3; kx++)
                        {
                            direct += d[r + ky, c + kx] * g[ky, kx];
                        }
                    }

                    Assert.Equal(direct, y[r, c], 1e-12);
                }
            }
        }
    }

    [Fact]
    public void TheInputGradientIsTheTransposedConvolutionOverTheBorderedGradient()
    {
        // 16 channels in, 32 filters: the input gradient reduces over the 32 filters into 16 channels, from the 24×24
        // output gradient inside a border of 2 (28 wide) into the 26×26 input.
        Conv2DSpec conv = Convolution("[Sequential(26, 26, 16)]", "[Conv2D(32, 3)]");
        WinogradConvolution? winograd = WinogradConvolution.ForInputGradient(conv, ActivationKind.Relu);
        Assert.Equal(
            new WinogradConvolution("InputGradientWinograd", WinogradAlgorithm.F2, 28, 32, 26, 26, 16, Bias: false, ActivationKind.Linear) { Derivative = ActivationKind.Relu },
            winograd);
        // The transformed kernel's 16 positions a cache line (16 floats) apart, then a band's 13 tiles in and out.
        Assert.Equal(16L * ((32 * 16) + 16 + (13 * 32) + (13 * 16)), winograd!.ScratchSize);
    }

    [Fact]
    public void TheBackwardPassRunsBothGradientsByWinogradInOneScratch()
    {
        string source = GeneratorHarness.Run("""
            using ConvGen;

            namespace App;

            /// <summary>The model.</summary>
            [Sequential(10, 8, 16)]
            [Conv2D(16, 3, Activation = Activation.Relu, Padding = Padding.Same)]
            [Conv2D(32, 3, Activation = Activation.Relu)]
            [Flatten]
            [Dense(3, Activation = Activation.Softmax)]
            public partial class Net;
            """).SingleSource;

        // The second convolution (10×8×16 -> 8×6×32): the kernel gradient's dU [16, 16, 32] (its positions a cache line
        // apart) and one band's V [16, 3, 16] and W [16, 3, 32] first, then the input gradient's flipped kernel
        // [16, 32, 16] (likewise), V [16, 4, 32] and M [16, 4, 16].
        Assert.Contains("public const int Conv2d1BackwardWinograd = ", source, StringComparison.Ordinal);
        Assert.Contains($"({(16 * ((16 * 32) + 16 + (3 * 16) + (3 * 32))) + (16 * ((32 * 16) + 16 + (4 * 32) + (4 * 16)))} floats per thread)", source, StringComparison.Ordinal);
        string backward = Method(source, "Conv2d1Kernels", "public static void BackwardAvx512(");
        Assert.Contains("ref float flipped, ref float winograd, int count)", backward, StringComparison.Ordinal);

        // Before the images: dU cleared, the flipped kernel transformed; after them, dU turned into the kernel gradient.
        int images = backward.IndexOf("for (int n = 0; n < count; n++)", StringComparison.Ordinal);
        Assert.InRange(backward.IndexOf("TensorLayout.Clear(ref gu, 8448);", StringComparison.Ordinal), 0, images);
        Assert.InRange(backward.IndexOf("InputGradientWinogradKernelAvx512(ref flipped, ref u);", StringComparison.Ordinal), 0, images);
        Assert.True(backward.IndexOf("WinogradKernelGradientTransformAvx512(ref gu, ref kernelGradient);", StringComparison.Ordinal) > images);
        Assert.DoesNotContain("KernelGradientTile", backward.Replace("WinogradKernelGradientTile", "", StringComparison.Ordinal), StringComparison.Ordinal);

        // Each image: the kernel gradient's 4 bands of 3 tiles, then the input gradient's 5 of 4, the first's relu
        // derivative applied in its output transform.
        Assert.Contains("for (int band = 0; band < 4; band++)", backward, StringComparison.Ordinal);
        Assert.Contains("for (int band = 0; band < 5; band++)", backward, StringComparison.Ordinal);
        Assert.Contains("& VectorMath.Positive(Vector512.LoadUnsafe(ref yt))", backward, StringComparison.Ordinal);
        Assert.Contains("InputGradientWinogradProductTile", backward, StringComparison.Ordinal);

        // The first convolution has no input gradient: its kernel gradient alone, in a scratch of the forward's size.
        string first = Method(source, "Conv2dKernels", "public static void BackwardAvx512(");
        Assert.Contains("WinogradKernelGradientTile", first, StringComparison.Ordinal);
        Assert.DoesNotContain("InputGradientWinograd", first, StringComparison.Ordinal);
        Assert.Contains($"({16 * ((16 * 16) + 16 + (4 * 16) + (4 * 16))} floats per thread)", source, StringComparison.Ordinal);
    }

    private static double[,] Random(Random random, int rows, int columns)
    {
        var values = new double[rows, columns];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                values[i, j] = (random.NextDouble() * 2) - 1;
            }
        }

        return values;
    }

    private static double[,] Matrix(TransformMatrix matrix)
    {
        var values = new double[matrix.Rows, matrix.Columns];
        for (int i = 0; i < matrix.Rows; i++)
        {
            for (int j = 0; j < matrix.Columns; j++)
            {
                values[i, j] = matrix[i, j];
            }
        }

        return values;
    }

    private static double[,] Multiply(double[,] left, double[,] right)
    {
        Assert.Equal(left.GetLength(1), right.GetLength(0));
        var product = new double[left.GetLength(0), right.GetLength(1)];
        for (int i = 0; i < left.GetLength(0); i++)
        {
            for (int j = 0; j < right.GetLength(1); j++)
            {
                for (int k = 0; k < left.GetLength(1); k++)
                {
                    product[i, j] += left[i, k] * right[k, j];
                }
            }
        }

        return product;
    }

    private static Conv2DSpec Convolution(string input, string convolution) =>
        (Conv2DSpec)GeneratorHarness.ParseModel($"""
            {input}
            {convolution}
            [Flatten]
            [Dense(2, Activation = Activation.Softmax)]
            """).Layers[0];

    /// <summary>The method starting at <paramref name="signature"/> inside the class <paramref name="kernelClass"/>.</summary>
    private static string Method(string source, string kernelClass, string signature)
    {
        int owner = source.IndexOf($"class {kernelClass}", StringComparison.Ordinal);
        Assert.True(owner >= 0, $"no class {kernelClass}");
        int start = source.IndexOf(signature, owner, StringComparison.Ordinal);
        Assert.True(start >= 0, $"no {signature} in {kernelClass}");
        int end = source.IndexOf("\n            }\n", start, StringComparison.Ordinal);
        return source[start..end];
    }
}
