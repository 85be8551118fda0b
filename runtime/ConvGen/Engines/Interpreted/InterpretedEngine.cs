namespace ConvGen.Engines;

/// <summary>The interpreted reference engine (being written).</summary>
public sealed class InterpretedEngine : Engine
{
    /// <summary>An engine for <paramref name="description"/>.</summary>
    public InterpretedEngine(ModelDescription description)
        : base(description)
    {
    }

    /// <inheritdoc/>
    public override string Name => "interpreted";

    /// <inheritdoc/>
    protected override void PredictCore(ModelBuffers buffers, ReadOnlySpan<float> images, int count, Span<float> probabilities) => throw new NotImplementedException();

    /// <inheritdoc/>
    protected override BatchMetrics EvaluateCore(ModelBuffers buffers, ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count) => throw new NotImplementedException();

    /// <inheritdoc/>
    protected override BatchMetrics ComputeGradientsCore(ModelBuffers buffers, ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count, ulong dropoutSeed) => throw new NotImplementedException();
}
