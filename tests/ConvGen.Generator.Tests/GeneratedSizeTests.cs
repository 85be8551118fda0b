using ConvGen.Generator.Tests.Infrastructure;

namespace ConvGen.Generator.Tests;

/// <summary>
/// The budget on generated size: the emitted code grows with the distinct shapes of a model, not with its units or
/// filters, and a window (the one size the code is still written out for) is limited by CG0019. The bounds are on the
/// generated text in characters, which is deterministic; docs/api-reliability.md records the sizes and build times
/// measured when they were set.
/// </summary>
public class GeneratedSizeTests
{
    /// <summary>The largest seed network (MnistCnn) emits 1.01 M characters; the bound leaves room for the emitters to
    /// grow, not for code that grows with a layer's width.</summary>
    private const int SeedBound = 1_300_000;

    /// <summary>A model of one wide layer: about 0.5 M characters, whatever its width.</summary>
    private const int WideLayerBound = 700_000;

    /// <summary>A model whose one window is at the limit (32 × 32 positions, CG0019): under 2.8 M characters.</summary>
    private const int WindowLimitBound = 3_000_000;

    private static string Source(string attributes) => new ModelSource("Net", attributes).ToSource();

    private static string Generate(string attributes) => GeneratorHarness.Run(Source(attributes)).SingleSource;

    [Theory]
    [MemberData(nameof(SeedNetworks.Names), MemberType = typeof(SeedNetworks))]
    public void EverySeedNetworkStaysWithinTheBound(string name)
    {
        int length = GeneratorHarness.Run(SeedNetworks.Named(name).ToSource()).SingleSource.Length;
        Assert.InRange(length, 1, SeedBound);
    }

    [Theory]
    // The model: 100000 units on 8 inputs emitted 15.7 MB (168k lines) and built in 65 s.
    [InlineData("[Sequential(8)]\n[Dense(100000)]\n[Dense(2, Activation = Activation.Softmax)]", "[Sequential(8)]\n[Dense(5000)]\n[Dense(2, Activation = Activation.Softmax)]")]
    [InlineData("[Sequential(8)]\n[Dense(65536, Activation = Activation.Softmax)]", "[Sequential(8)]\n[Dense(4000, Activation = Activation.Softmax)]")]
    [InlineData("[Sequential(4, 4, 1)]\n[Conv2D(65536, 3, Padding = Padding.Same)]\n[Flatten]\n[Dense(2, Activation = Activation.Softmax)]", "[Sequential(4, 4, 1)]\n[Conv2D(4096, 3, Padding = Padding.Same)]\n[Flatten]\n[Dense(2, Activation = Activation.Softmax)]")]
    public void UnitsAndFiltersDoNotGrowTheCode(string wide, string narrower)
    {
        int wideLength = Generate(wide).Length;
        int narrowerLength = Generate(narrower).Length;
        Assert.InRange(wideLength, 1, WideLayerBound);
        Assert.True(wideLength <= narrowerLength * 1.05, $"{wideLength} characters for the wide layer, {narrowerLength} for the narrower one");
    }

    [Theory]
    [InlineData("[Sequential(8)]\n[Dense(100000, Activation = Activation.Relu)]\n[Dense(10, Activation = Activation.Softmax)]")]
    [InlineData("[Sequential(4, 4, 2)]\n[Conv2D(65536, 3, Padding = Padding.Same)]\n[Flatten]\n[Dense(2, Activation = Activation.Softmax)]")]
    public void AWideLayerCompilesCleanly(string attributes)
    {
        GeneratorRun run = GeneratorHarness.Run(Source(attributes));
        run.AssertCompilesCleanly();
        Assert.InRange(run.SingleSource.Length, 1, WideLayerBound);
    }

    [Theory]
    [InlineData("[Sequential(4, 4, 1)]\n[Conv2D(16, 32, Padding = Padding.Same)]\n[Flatten]\n[Dense(2, Activation = Activation.Softmax)]")]
    [InlineData("[Sequential(4, 4, 1)]\n[Conv2D(16, 1, 1024, Padding = Padding.Same)]\n[Flatten]\n[Dense(2, Activation = Activation.Softmax)]")]
    [InlineData("[Sequential(64, 64, 3)]\n[MaxPooling2D(32, Strides = 1)]\n[Flatten]\n[Dense(2, Activation = Activation.Softmax)]")]
    [InlineData("[Sequential(64, 64, 3)]\n[AveragePooling2D(32)]\n[Flatten]\n[Dense(2, Activation = Activation.Softmax)]")]
    public void AWindowAtTheLimitStaysWithinTheBound(string attributes)
    {
        Assert.InRange(Generate(attributes).Length, 1, WindowLimitBound);
    }

    [Fact]
    public void AWindowAtTheLimitCompilesCleanly()
    {
        GeneratorHarness.Run(Source("[Sequential(64, 64, 3)]\n[AveragePooling2D(32)]\n[Flatten]\n[Dense(2, Activation = Activation.Softmax)]")).AssertCompilesCleanly();
    }
}
