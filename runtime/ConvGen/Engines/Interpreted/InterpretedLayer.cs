using System.Numerics;

namespace ConvGen.Engines.Interpreted;

/// <summary>
/// One layer of an <see cref="InterpretedNetwork{T}"/>: its forward pass (inference or training mode) and its backward
/// pass over a batch, written as plain loops.
/// </summary>
/// <remarks>
/// Layout: a batch of <c>count</c> samples is packed sample after sample; an image value (n, y, x, c) sits at
/// <c>((n*H + y)*W + x)*C + c</c>, a flat value (n, f) at <c>n*F + f</c>. Weights live at their
/// <see cref="WeightInfo.Offset"/> in the parameter span (trainable) or the state span (not trainable); gradients
/// at the same offsets as the parameters.
/// <para>The backward pass follows a training-mode forward pass over the same batch (it may use what that pass left
/// in the layer's workspace: dropout mask, batch statistics). On entry the gradient span holds zeros wherever this
/// layer's weights are, and the layer adds its contributions. The output gradient is the layer's to overwrite (a layer
/// with an activation turns it into the gradient of the pre-activation in place). The input gradient is either empty
/// (nothing before the layer needs it: skip it) or <c>count × InputSize</c> values the layer overwrites.</para>
/// </remarks>
/// <typeparam name="T">The number type: float in the engine, double in the gradient checks.</typeparam>
internal abstract class InterpretedLayer<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>A layer running <paramref name="info"/>.</summary>
    protected InterpretedLayer(LayerInfo info)
    {
        Info = info;
        InputShape = info.InputShape;
        OutputShape = info.OutputShape;
        InputSize = info.InputShape.Size;
        OutputSize = info.OutputShape.Size;
        foreach (WeightInfo weight in info.Weights)
        {
            HasTrainableWeights |= weight.Trainable;
        }
    }

    /// <summary>The layer as placed in its model.</summary>
    public LayerInfo Info { get; }

    /// <summary>Shape of one input sample.</summary>
    protected Shape InputShape { get; }

    /// <summary>Shape of one output sample.</summary>
    protected Shape OutputShape { get; }

    /// <summary>Values in one input sample.</summary>
    public int InputSize { get; }

    /// <summary>Values in one output sample.</summary>
    public int OutputSize { get; }

    /// <summary>Whether the layer has weights an optimizer updates (and so gradients to compute).</summary>
    public bool HasTrainableWeights { get; }

    /// <summary>Makes the layer's own workspace big enough for batches of <paramref name="count"/> samples.</summary>
    public virtual void EnsureCapacity(int count)
    {
    }

    /// <summary>Inference mode: writes <c>count × OutputSize</c> values of <paramref name="output"/>; reads
    /// the state but never changes it.</summary>
    public abstract void ForwardInference(ReadOnlySpan<T> input, Span<T> output, int count, ReadOnlySpan<T> parameters, ReadOnlySpan<T> state);

    /// <summary>Training mode (dropout on, batch statistics, moving statistics updated); the same as inference for
    /// the layers that do not tell the two apart.</summary>
    public virtual void ForwardTraining(ReadOnlySpan<T> input, Span<T> output, int count, ReadOnlySpan<T> parameters, Span<T> state, ulong dropoutSeed) =>
        ForwardInference(input, output, count, parameters, state);

    /// <summary>Adds the gradients of the layer's weights and, unless <paramref name="inputGradient"/> is empty,
    /// writes the gradient with respect to the input. See the class remarks for the contract.</summary>
    public abstract void Backward(ReadOnlySpan<T> input, ReadOnlySpan<T> output, Span<T> outputGradient, Span<T> inputGradient, int count, ReadOnlySpan<T> parameters, Span<T> gradients);

    /// <summary>The weight of this layer named <paramref name="variable"/> (<c>kernel</c>, <c>gamma</c>, ...).</summary>
    protected WeightInfo Weight(string variable) =>
        FindWeight(variable) ?? throw new InvalidOperationException($"Layer '{Info.Name}' ({Info.Layer.KerasType}) has no weight '{variable}'.");

    /// <summary>The weight named <paramref name="variable"/>, or null when the layer has none (a conv without bias).</summary>
    protected WeightInfo? FindWeight(string variable)
    {
        foreach (WeightInfo weight in Info.Weights)
        {
            if (weight.Variable == variable)
            {
                return weight;
            }
        }

        return null;
    }

    /// <summary>A configuration value (given as a double) in the layer's number type.</summary>
    protected static T Convert(double value) => T.CreateChecked(value);
}
