using ConvGen.Engines.Interpreted;

namespace ConvGen.Engines;

/// <summary>
/// The interpreted reference engine: runs any <see cref="ModelDescription"/> layer by layer with plain, obviously
/// correct loops in float, straight on the model buffers. It is the oracle the generated engines are tested against
/// and the baseline the benchmarks compare with.
/// </summary>
/// <remarks>
/// Each layer's exact semantics (shapes, padding, formulas of the forward and backward passes) are written atop its
/// implementation in <c>Engines/Interpreted</c>; the generated code matches them. The engine keeps a workspace sized
/// for the largest batch seen, so calls after the first allocate nothing; calls on one engine are serialised.
/// </remarks>
public sealed class InterpretedEngine : Engine
{
    private readonly InterpretedNetwork<float> _network;
    private readonly Lock _gate = new();

    /// <summary>An engine for <paramref name="description"/>; throws <see cref="NotSupportedException"/> for a layer
    /// kind it does not know.</summary>
    public InterpretedEngine(ModelDescription description)
        : base(description)
    {
        _network = new InterpretedNetwork<float>(description);
    }

    /// <inheritdoc/>
    public override string Name => "interpreted";

    /// <inheritdoc/>
    protected override void PredictCore(ModelBuffers buffers, ReadOnlySpan<float> images, int count, Span<float> probabilities)
    {
        lock (_gate)
        {
            _network.Predict(images, count, buffers.Parameters.Span, buffers.State.Span, probabilities);
        }
    }

    /// <inheritdoc/>
    protected override BatchMetrics EvaluateCore(ModelBuffers buffers, ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count)
    {
        lock (_gate)
        {
            return _network.Evaluate(images, labels, count, buffers.Parameters.Span, buffers.State.Span);
        }
    }

    /// <inheritdoc/>
    protected override BatchMetrics ComputeGradientsCore(ModelBuffers buffers, ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count, ulong dropoutSeed)
    {
        lock (_gate)
        {
            return _network.ComputeGradients(images, labels, count, buffers.Parameters.Span, buffers.State.Span, buffers.Gradients.Span, dropoutSeed);
        }
    }
}
