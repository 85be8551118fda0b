using System.Text.RegularExpressions;
using ConvGen.Generator.Emitting;
using ConvGen.Generator.Tests.Infrastructure;

namespace ConvGen.Generator.Tests;

/// <summary>
/// Where the split pass (a small batch shared by the threads layer by layer) puts its barriers: only before a layer
/// that may read values another part wrote. (The runtime tests check every split model against the interpreted engine
/// at 2 and 3 threads, and split predictions against one thread's.)
/// </summary>
public class SplitPassTests
{
    [Fact]
    public void ADenseChainFromTheImagesWaitsOnlyForEachLayersPartialSums()
    {
        const string Attributes = """
            [Sequential(28, 28, 1)]
            [Normalization(0.1, 0.3)]
            [Flatten]
            [Dense(200, Activation = Activation.Relu)]
            [Dropout(0.2)]
            [Dense(200, Activation = Activation.Relu)]
            [Dense(10, Activation = Activation.Softmax)]
            """;
        NetworkPlan plan = NetworkPlan.ForEngine(GeneratorHarness.ParseModel(Attributes));

        // Each part normalizes its block of pixels and multiplies the same block; each Dense after a Dense (Dropout
        // hands its input on in inference) multiplies the block of units its part has just summed.
        Assert.All([0, 1, 2, 4, 5], layer => Assert.True(plan.SplitReadsOwnPart(layer), $"layer {layer}"));
        Assert.True(plan.SplitLogitsInFirstPart);

        string pass = ForwardSplit(Attributes);
        Assert.Contains("NormalizationKernels.ForwardFeaturesAvx512(ref images, ref normalizationOutput, count, Partition.Blocks(784, 16, part, parts));", pass);
        Assert.Contains("DenseKernels.ForwardPartialAvx512(ref normalizationOutput, ref Unsafe.Add(ref parameters, Weights.DenseKernel), ref Unsafe.Add(ref densePartials, part * Workspace.PartialsPerThread), count, Partition.Blocks(784, 16, part, parts));", pass);
        Assert.Contains("Dense1Kernels.ForwardPartialAvx512(ref denseOutput, ref Unsafe.Add(ref parameters, Weights.Dense1Kernel), ref Unsafe.Add(ref dense1Partials, part * Workspace.PartialsPerThread), count, Partition.Blocks(200, 16, part, parts));", pass);

        // One barrier per Dense, between its partial sums and their sum, but for the logits (10 units, a kernel of
        // 2,000 floats): part 0 sums all of the Dense before and computes them alone, with nothing to wait for after.
        Assert.Equal(
            ["DenseKernels.ForwardPartial", "barrier", "DenseKernels.ForwardReduce", "Dense1Kernels.ForwardPartial", "barrier", "Dense1Kernels.ForwardReduce", "Dense2Kernels.Forward"],
            Steps(pass).Where(step => step.Contains("Dense", StringComparison.Ordinal) || step == "barrier"));
        Assert.Equal([false, false, false, false, true, false], Enumerable.Range(0, 6).Select(plan.SumsAllInFirstPart));
        Assert.Equal([false, false, false, false, false, true], Enumerable.Range(0, 6).Select(plan.ComputesInFirstPart));
        Assert.Contains("DenseKernels.ForwardReduceAvx512(ref densePartials, ref Unsafe.Add(ref parameters, Weights.DenseBias), ref denseOutput, count, Workspace.PartialsPerThread, parts, Partition.Blocks(200, 16, part, parts));", pass);
        Assert.Contains("Dense1Kernels.ForwardReduceAvx512(ref dense1Partials, ref Unsafe.Add(ref parameters, Weights.Dense1Bias), ref dense1Output, count, Workspace.PartialsPerThread, parts, (0, part == 0 ? 200 : 0));", pass);
        Assert.Contains("""
                        if (part == 0)
                        {
                            Dense2Kernels.ForwardAvx512(ref dense1Output, ref Unsafe.Add(ref parameters, Weights.Dense2Kernel), ref Unsafe.Add(ref parameters, Weights.Dense2Bias), ref dense2Output, count);
                        }
            """.ReplaceLineEndings("\n"), pass, StringComparison.Ordinal);
        Assert.False(plan.HasRegion("Dense2Partials"), "the logits have no partial sums in a split pass");
    }

    [Theory]
    [InlineData("[Flatten] [Dense(409)]", true, "DenseKernels.ForwardPartial barrier DenseKernels.ForwardReduce Dense1Kernels.Forward")]
    [InlineData("[Flatten] [Dense(410)]", false, "Dense1Kernels.ForwardPartial barrier Dense1Kernels.ForwardReduce")]
    [InlineData("[Conv2D(4, 3)] [Flatten]", false, "barrier DenseKernels.ForwardPartial barrier DenseKernels.ForwardReduce")]
    [InlineData("[Flatten] [Dense(20)] [BatchNormalization]", false, "barrier Dense1Kernels.ForwardPartial barrier Dense1Kernels.ForwardReduce")]
    public void PartZeroComputesTheLogitsAloneOnlyAfterADenseAndFromASmallKernel(string before, bool alone, string lastSteps)
    {
        // 409 × 10 = 4,090 kernel floats, at most NetworkPlan.FirstPartMaximumKernel; 410 × 10 is over. After any
        // other layer the logits need a barrier before them anyway, so they are split like every Dense.
        string attributes = $"""
            [Sequential(8, 8, 1)]
            {before}
            [Dense(10, Activation = Activation.Softmax)]
            """;
        NetworkPlan plan = NetworkPlan.ForEngine(GeneratorHarness.ParseModel(attributes));

        Assert.Equal(alone, plan.ComputesInFirstPart(plan.LogitsLayer));
        Assert.Equal(alone, plan.SumsAllInFirstPart(plan.LogitsLayer - 1));
        Assert.True(plan.SplitLogitsInFirstPart);
        string[] expected = lastSteps.Split(' ');
        Assert.Equal(expected, Steps(ForwardSplit(attributes)).TakeLast(expected.Length));
    }

    [Theory]
    [InlineData("[BatchNormalization]", 2)]
    [InlineData("[Activation(Activation.Tanh)]", 2)]
    public void ADenseAfterAnotherLayerWaitsForAllOfItsInput(string between, int layer)
    {
        // The first Dense has an activation of its own, so the layer between is not folded into it.
        NetworkPlan plan = NetworkPlan.ForEngine(GeneratorHarness.ParseModel($"""
            [Sequential(30)]
            [Dense(20, Activation = Activation.Relu)]
            {between}
            [Dense(3, Activation = Activation.Softmax)]
            """));

        Assert.False(plan.SplitReadsOwnPart(layer - 1), "the layer between reads the whole of the first Dense's output");
        Assert.False(plan.SplitReadsOwnPart(layer), "the last Dense reads values the other parts wrote");
    }

    [Fact]
    public void AnActivationFoldedIntoTheDenseBeforeIsLookedThrough()
    {
        // The notebooks' Dense(128) + Activation('relu') + Dense(10) + Activation('softmax'): the relu is applied as
        // the first Dense sums its units, the softmax by the loss, so the chain is the same as Dense → Dense.
        const string Attributes = """
            [Sequential(30)]
            [Dense(20)]
            [Activation(Activation.Relu)]
            [Dense(10)]
            [Activation(Activation.Softmax)]
            """;
        NetworkPlan plan = NetworkPlan.ForEngine(GeneratorHarness.ParseModel(Attributes));

        Assert.True(plan.SplitReadsOwnPart(2));
        Assert.True(plan.SplitLogitsInFirstPart);
        Assert.Equal(
            ["DenseKernels.ForwardPartial", "barrier", "DenseKernels.ForwardReduce", "Dense1Kernels.Forward"],
            Steps(ForwardSplit(Attributes)));
    }

    [Fact]
    public void ADenseAfterAConvolutionWaitsForIt()
    {
        const string Attributes = """
            [Sequential(8, 8, 1)]
            [Conv2D(4, 3)]
            [Flatten]
            [Dense(3, Activation = Activation.Softmax)]
            """;
        NetworkPlan plan = NetworkPlan.ForEngine(GeneratorHarness.ParseModel(Attributes));

        Assert.False(plan.SplitReadsOwnPart(0));
        Assert.False(plan.SplitReadsOwnPart(2));
        List<string> steps = Steps(ForwardSplit(Attributes));
        int conv = steps.FindIndex(step => step.StartsWith("Conv2dKernels.", StringComparison.Ordinal));
        Assert.Equal("barrier", steps[conv + 1]);
        Assert.Equal("DenseKernels.ForwardPartial", steps[conv + 2]);
    }

    [Fact]
    public void WideLogitsAreWaitedForAtTheEnd()
    {
        const string Attributes = """
            [Sequential(30)]
            [Dense(20)]
            [Dense(17, Activation = Activation.Softmax)]
            """;
        Assert.False(NetworkPlan.ForEngine(GeneratorHarness.ParseModel(Attributes)).SplitLogitsInFirstPart);
        Assert.Equal("barrier", Steps(ForwardSplit(Attributes)).Last());
    }

    [Fact]
    public void ConvolutionsPoolingAndBatchNormalizationOfImagesShareRowsAndWaitOnlyForTheRowsAround()
    {
        // A VGG block: each part copies into a 'same' convolution's padded input, pools and normalises the rows
        // Partition.Range(H) of each image that its part of the layer before wrote; only a convolution's kernel (the
        // rows around its own, after the copy) and a pooling whose windows straddle the parts' rows read others' values.
        const string Attributes = """
            [Sequential(12, 12, 1)]
            [Conv2D(7, 3, Activation = Activation.Relu, Padding = Padding.Same)]
            [Conv2D(7, 3, Activation = Activation.Relu, Padding = Padding.Same)]
            [MaxPooling2D(2)]
            [BatchNormalization]
            [Dropout(0.2)]
            [Conv2D(16, 3, Activation = Activation.Relu, Padding = Padding.Same)]
            [Conv2D(16, 3, Activation = Activation.Relu)]
            [Conv2D(16, 3, Activation = Activation.Relu, Padding = Padding.Same)]
            [Flatten]
            [Dense(3, Activation = Activation.Softmax)]
            """;
        NetworkPlan plan = NetworkPlan.ForEngine(GeneratorHarness.ParseModel(Attributes));

        // The first convolution copies the images (not a layer's rows); the second its rows of the first's output; the
        // pooling reads windows; batch normalisation the pooling's rows; the convolution after Dropout the normalised
        // rows; a 'valid' convolution has no copy (16 channels in and out: Winograd's); the last copies that Winograd
        // convolution's output, written in bands of two rows, not Partition.Range(H).
        Assert.Equal(
            [false, true, false, true, false, true, false, false],
            Enumerable.Range(0, 8).Select(plan.SplitReadsOwnPart));

        // The two Winograd convolutions' kept kernels are checked first; the barriers already there (before the
        // 'valid' one, after the 'same' one's copy) stand between that and their first read.
        Assert.Equal(
            ["Conv2d3Kernels.KeepTransformedKernel", "Conv2d4Kernels.KeepTransformedKernel",
             "TensorLayout.Pad", "barrier", "Conv2dKernels.Forward", "TensorLayout.Pad", "barrier", "Conv2d1Kernels.Forward",
             "barrier", "MaxPooling2dKernels.Forward", "BatchNormalizationKernels.ForwardInference", "TensorLayout.Pad", "barrier", "Conv2d2Kernels.Forward",
             "barrier", "Conv2d3Kernels.ForwardTransformed", "barrier", "TensorLayout.Pad", "barrier", "Conv2d4Kernels.ForwardTransformed", "barrier", "DenseKernels.ForwardPartial", "barrier"],
            Steps(ForwardSplit(Attributes)).TakeWhile(step => step != "DenseKernels.ForwardReduce"));
    }

    [Fact]
    public void AWinogradConvolutionWaitsForTheKernelItKeepsBeforeItsFirstRead()
    {
        // The first layer reads the images, which no part writes, so nothing else puts a barrier before it; its kept
        // kernel, checked part by part, needs one. The chunked pass transforms the kernel each call instead.
        const string Attributes = """
            [Sequential(6, 6, 16)]
            [Conv2D(16, 3)]
            [Flatten]
            [Dense(3, Activation = Activation.Softmax)]
            """;
        Assert.Equal(
            ["Conv2dKernels.KeepTransformedKernel", "barrier", "Conv2dKernels.ForwardTransformed", "barrier", "DenseKernels.ForwardPartial"],
            Steps(ForwardSplit(Attributes)).Take(5));
        Assert.Equal(["Conv2dKernels.Forward", "DenseKernels.Forward"], Steps(Pass(Attributes, "ForwardInference")));
        Assert.Contains("Conv2dKernels.ForwardAvx512(ref images, ref Unsafe.Add(ref parameters, Weights.Conv2dKernel),", Pass(Attributes, "ForwardInference"), StringComparison.Ordinal);
    }

    /// <summary>The body of the AVX-512 split pass the generator writes for a class carrying <paramref name="attributes"/>.</summary>
    private static string ForwardSplit(string attributes) => Pass(attributes, "ForwardSplit");

    /// <summary>The body of the AVX-512 pass <paramref name="name"/> the generator writes for a class carrying
    /// <paramref name="attributes"/>.</summary>
    private static string Pass(string attributes, string name)
    {
        string source = GeneratorHarness.Run($$"""
            using ConvGen;

            namespace App;

            /// <summary>The model.</summary>
            {{attributes}}
            public partial class Net;
            """).SingleSource;
        int start = source.IndexOf($"private static void {name}Avx512(", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no AVX-512 pass {name}");
        int end = source.IndexOf("\n        }\n", start, StringComparison.Ordinal);
        return source[start..end];
    }

    /// <summary>The pass's calls in order, each as Class.Method (kernel suffix dropped) or "barrier".</summary>
    private static List<string> Steps(string pass) =>
        [.. Regex.Matches(pass, @"^\s*(?:barrier\.SignalAndWait\(\)|(\w+\.\w+?)(?:Avx512)?\()", RegexOptions.Multiline)
            .Select(match => match.Groups[1].Success ? match.Groups[1].Value : "barrier")];
}
