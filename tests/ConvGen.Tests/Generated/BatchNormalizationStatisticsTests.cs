namespace ConvGen.Tests.Generated;

/// <summary>
/// A batch holding a NaN or an infinity must not reach the batch-normalisation moving statistics: before, one NaN pixel
/// turned them into NaN for good, and every later prediction with them. Generated engines (per instruction-set path)
/// and the interpreted one alike; a finite batch still moves them.
/// </summary>
[Trait("Category", "Gradients")]
public class BatchNormalizationStatisticsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ABatchHoldingANaNLeavesTheMovingStatistics(int threads)
    {
        (BatchNormalizationModel model, InterpretedModel reference, float[] images, int[] labels, float[] before) = AfterAFiniteStep(threads);

        // A NaN pixel reaches every channel of both batch normalisations (through the convolution's sums, then the
        // first normalisation's mean, which every output uses).
        images[(11 * model.Description.InputShape.Size) + 40] = float.NaN;
        model.Engine.ComputeGradients(model.Buffers, images, labels, 16, dropoutSeed: 2);
        reference.Engine.ComputeGradients(reference.Buffers, images, labels, 16, dropoutSeed: 2);

        Assert.Equal(before, model.Buffers.State.Span.ToArray());
        Assert.Equal(before, reference.Buffers.State.Span.ToArray());
        Assert.All(model.Predict(images.AsSpan(0, model.Description.InputShape.Size)), p => Assert.True(float.IsFinite(p)));
    }

    [Theory]
    [InlineData(float.PositiveInfinity, 1)]
    [InlineData(float.NegativeInfinity, 2)]
    [InlineData(3e38f, 1)]
    public void ABatchHoldingAnInfinityOrAHugeValueLeavesTheMovingStatisticsFinite(float bad, int threads)
    {
        // Whether an infinity reaches a normalisation depends on the layers before it (a tanh makes it 1); whatever
        // reaches it, the moving statistics stay finite.
        (BatchNormalizationModel model, InterpretedModel reference, float[] images, int[] labels, _) = AfterAFiniteStep(threads);

        images[(11 * model.Description.InputShape.Size) + 40] = bad;
        images[(3 * model.Description.InputShape.Size) + 7] = bad;
        model.Engine.ComputeGradients(model.Buffers, images, labels, 16, dropoutSeed: 2);
        reference.Engine.ComputeGradients(reference.Buffers, images, labels, 16, dropoutSeed: 2);

        Assert.All(model.Buffers.State.Span.ToArray(), value => Assert.True(float.IsFinite(value)));
        Assert.All(reference.Buffers.State.Span.ToArray(), value => Assert.True(float.IsFinite(value)));
    }

    [Fact]
    public void AFiniteBatchStillMovesTheMovingStatistics()
    {
        var model = new BatchNormalizationModel(seed: 3);
        (float[] images, int[] labels) = EngineComparison.Batch(model.Description, 16, seed: 5);
        WeightInfo[] statistics = [.. model.Description.Weights.Where(w => !w.Trainable)];
        float[][] initial = [.. statistics.Select(w => model.Buffers.Values(w).ToArray())];

        model.Engine.ComputeGradients(model.Buffers, images, labels, 16, dropoutSeed: 1);

        for (int i = 0; i < statistics.Length; i++)
        {
            float[] moved = model.Buffers.Values(statistics[i]).ToArray();
            Assert.All(moved.Zip(initial[i]), pair => Assert.NotEqual(pair.Second, pair.First));
        }
    }

    /// <summary>The model after one finite training step (so its statistics are not the initial zeros and ones), its
    /// interpreted copy, the batch, and the statistics then.</summary>
    private static (BatchNormalizationModel Model, InterpretedModel Reference, float[] Images, int[] Labels, float[] State) AfterAFiniteStep(int threads)
    {
        var model = new BatchNormalizationModel(seed: 3);
        model.Engine.Threads = threads;
        (float[] images, int[] labels) = EngineComparison.Batch(model.Description, 16, seed: 5);
        model.Engine.ComputeGradients(model.Buffers, images, labels, 16, dropoutSeed: 1);
        InterpretedModel reference = model.ToInterpreted();
        float[] state = model.Buffers.State.Span.ToArray();
        Assert.All(state, value => Assert.True(float.IsFinite(value)));
        return (model, reference, images, labels, state);
    }
}
