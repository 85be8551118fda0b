using ConvGen.Models;

namespace ConvGen.Tests.Generated;

/// <summary>The seed networks of the course notebooks: their parameter counts as the notebooks print them, and their
/// generated engines against the interpreted engine on batches that leave tile tails.</summary>
public class SeedModelTests
{
    public static TheoryData<string, long, long> Counts => new()
    {
        // name, trainable, non-trainable
        { nameof(MnistMlp), 16_175, 0 },
        { nameof(MnistConv8), 149_010, 0 },
        { nameof(MnistConv8x2), 126_490, 0 },
        { nameof(MnistCnn), 600_810, 0 },
        { nameof(MnistLeNet), 53_558, 0 },
        { nameof(BeatingLinear), 7_850, 0 },
        { nameof(BeatingHidden), 79_510, 0 },
        { nameof(BeatingDense), 239_410, 0 },
        { nameof(BeatingConv), 55_856, 0 },
        { nameof(BeatingConvPool), 14_136, 0 },
        { nameof(BeatingVgg), 98_354, 0 },
        { nameof(BeatingVggBatchNorm), 98_564, 210 },
        { nameof(BeatingVggDropout), 98_564, 210 },
    };

    public static TheoryData<string> Names => new(Counts.Select(row => (string)row[0]));

    internal static Model Create(string name, int seed = 0) =>
        (SeedNetwork.Find(name) ?? throw new ArgumentException(name)).Create(seed);

    [Theory]
    [MemberData(nameof(Counts))]
    public void SummaryPrintsTheNotebooksParameterCounts(string name, long trainable, long nonTrainable)
    {
        Model model = Create(name);
        string summary = model.Summary();
        Assert.Equal(trainable + nonTrainable, model.CountParams());
        Assert.Contains($"Total params: {trainable + nonTrainable:#,0} (", summary, StringComparison.Ordinal);
        Assert.Contains($"Trainable params: {trainable:#,0} (", summary, StringComparison.Ordinal);
        Assert.Contains($"Non-trainable params: {nonTrainable:#,0} (", summary, StringComparison.Ordinal);
        Assert.StartsWith($"Model: \"{name}\"", summary, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Names))]
    [Trait("Category", "Gradients")]
    public void GeneratedEngineMatchesTheInterpretedEngine(string name)
    {
        // The 13 images' left 12 columns (of 28) are blank, as MNIST's borders are: convolutions there output exactly
        // their bias (0 at initialisation), so relus sit at their kink and max-pool windows tie, and both engines must
        // take the same branch. Not 14: mnist-cnn's second convolution runs by Winograd's F(4×4, 3×3), whose output
        // is exactly the bias only in tiles whose whole 6×6 input window is blank (in a tile straddling the edge, a
        // blank pixel's products from its neighbours cancel up to rounding, ±1e-8, and a relu passes +1e-8 where the
        // direct convolution gives 0). With 12, its exactly blank outputs fill whole tiles (columns 0-7).
        foreach (int count in new[] { 1, 13 })
        {
            EngineComparison.AssertMatchesInterpreted(Create(name, seed: 1), count, seed: count, tolerance: 5e-5, blankColumns: count > 1 ? 12 : 0);
        }
    }

    [Fact]
    public void ATrainingStepAllocatesNothing()
    {
        // After the first step sizes the workspace and the optimizer's state, a step (forward, backward, update) must
        // not allocate: a GC pause would cost more than a small network's whole step.
        var model = new MnistCnn(seed: 1);
        (float[] images, int[] labels) = EngineComparison.Batch(model.Description, 32, seed: 1);
        var optimizer = new Adam();
        model.Engine.ComputeGradients(model.Buffers, images, labels, 32, 1);
        optimizer.Apply(model.Buffers.Parameters.Span, model.Buffers.Gradients.Span);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (ulong step = 2; step < 5; step++)
        {
            model.Engine.ComputeGradients(model.Buffers, images, labels, 32, step);
            optimizer.Apply(model.Buffers.Parameters.Span, model.Buffers.Gradients.Span);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
