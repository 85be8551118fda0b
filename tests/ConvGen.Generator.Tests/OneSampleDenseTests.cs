using ConvGen.Generator.Emitting;
using ConvGen.Generator.Tests.Infrastructure;

namespace ConvGen.Generator.Tests;

/// <summary>
/// Which Dense layers, given one sample, read only the kernel rows of their nonzero inputs: all but those whose input a
/// <c>Normalization</c> or <c>Rescaling</c> maps away from zero, which read the whole kernel in one stream. (The
/// runtime tests check one-sample outputs against the tiles' bit for bit, and split predictions against one thread's
/// and the interpreted engine's.)
/// </summary>
public class OneSampleDenseTests
{
    [Theory]
    [InlineData("[Normalization(0.13, 0.31)]", true)]
    [InlineData("[Rescaling(0.5, -0.25)]", true)]
    [InlineData("[Rescaling(1.0 / 255)]", false)]
    [InlineData("[Normalization(0, 0.31)]", false)]
    [InlineData("", false)]
    public void ADenseReadingWhatAnAffineMapsZeroAwayFromReadsItsWholeKernel(string affine, bool rarelyZero)
    {
        string attributes = $"""
            [Sequential(28, 28, 1)]
            {affine}
            [Flatten]
            [Dense(40, Activation = Activation.Relu)]
            [Dense(10, Activation = Activation.Softmax)]
            """;
        NetworkPlan plan = NetworkPlan.ForEngine(GeneratorHarness.ParseModel(attributes));
        int first = plan.LogitsLayer - 1;

        Assert.Equal(rarelyZero, plan.InputRarelyZero(first));
        Assert.False(plan.InputRarelyZero(plan.LogitsLayer), "a ReLU leaves zeros");

        string source = GeneratorHarness.Run($$"""
            using ConvGen;

            namespace App;

            /// <summary>The model.</summary>
            {{attributes}}
            public partial class Net;
            """).SingleSource;
        string firstKernels = Between(source, "private static class DenseKernels", "private static class Dense1Kernels");
        string logitsKernels = source[source.IndexOf("private static class Dense1Kernels", StringComparison.Ordinal)..];
        foreach (string isa in new[] { "Avx512", "Avx2", "Vector128" })
        {
            Assert.Equal(!rarelyZero, firstKernels.Contains($"ForwardNonzeroRows{isa}(", StringComparison.Ordinal));
            Assert.Contains($"ForwardNonzeroRows{isa}(", logitsKernels, StringComparison.Ordinal);
        }

        Assert.Equal(rarelyZero ? 0 : 6, firstKernels.Split("if (count == 1)").Length - 1);
    }

    [Theory]
    // The runtime's LoopedPanelsDenseModel: 3710 units loop on every path, 448, 96 and 48 units a panel.
    [InlineData(3710, "Avx512", 3584, 448, true)]
    [InlineData(3710, "Avx2", 3648, 96, true)]
    [InlineData(3710, "Vector128", 3696, 48, true)]
    // Units that leave AVX-512 less waste in vectors of 8 take them: 28 of 8 units a panel.
    [InlineData(3700, "Avx512", 3584, 224, true)]
    // At most DenseEmitter.MaxUnrolledPanels panels: written out, as before (200 units: one panel on AVX-512).
    [InlineData(200, "Avx512", 0, 0, false)]
    [InlineData(384, "Vector128", 0, 0, false)]
    [InlineData(385, "Vector128", 384, 48, true)]
    public void AWideDenseLoopsOverWholePanelsOfSums(int units, string isa, int wholeEnd, int panelUnits, bool loops)
    {
        string source = GeneratorHarness.Run($$"""
            using ConvGen;

            namespace App;

            /// <summary>The model.</summary>
            [Sequential(300)]
            [Dense({{units}}, Activation = Activation.Relu)]
            [Dense(10, Activation = Activation.Softmax)]
            public partial class Net;
            """).SingleSource;
        string kernels = Between(source, "private static class DenseKernels", "private static class Dense1Kernels");
        string method = Between(kernels, $"public static void ForwardNonzeroRows{isa}(", "/// <summary>");
        string loop = $"for (int unit = 0; unit < {wholeEnd}; unit += {panelUnits})";
        Assert.Equal(loops, method.Contains(loop, StringComparison.Ordinal));
        Assert.Equal(loops, method.Contains("panelSums", StringComparison.Ordinal));
    }

    private static string Between(string source, string start, string end)
    {
        int from = source.IndexOf(start, StringComparison.Ordinal);
        int to = source.IndexOf(end, from, StringComparison.Ordinal);
        Assert.True(from >= 0 && to > from, $"no '{start}' before '{end}'");
        return source[from..to];
    }
}
