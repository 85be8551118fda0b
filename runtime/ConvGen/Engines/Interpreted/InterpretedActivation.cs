using System.Numerics;
using ConvGen.Layers;

namespace ConvGen.Engines.Interpreted;

// Activation (a layer of its own).
//   input in[i], output out[i]: any shape, i over the count × size values of the batch
//
// Forward:  out[i] = act(in[i])                    (see ActivationFunctions for each act)
// Backward: dIn[i] = dOut[i] · act'(out[i])         (the derivative computed from the output)
// Activation(Softmax) may only be the last layer: its output is then the logits, out = in, and the network's fused
// softmax cross-entropy supplies dOut = dLoss/dlogits, so dIn = dOut.

/// <summary>Keras' <c>Activation</c>; see the comment atop the file.</summary>
internal sealed class InterpretedActivation<T> : InterpretedLayer<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Activation _activation;

    public InterpretedActivation(LayerInfo info, ActivationLayer layer)
        : base(info)
    {
        _activation = layer.Activation;
    }

    public override void ForwardInference(ReadOnlySpan<T> input, Span<T> output, int count, ReadOnlySpan<T> parameters, ReadOnlySpan<T> state)
    {
        Span<T> values = output[..(count * OutputSize)];
        input[..values.Length].CopyTo(values);
        ActivationFunctions.Apply(_activation, values);
    }

    public override void Backward(ReadOnlySpan<T> input, ReadOnlySpan<T> output, Span<T> outputGradient, Span<T> inputGradient, int count, ReadOnlySpan<T> parameters, Span<T> gradients)
    {
        if (inputGradient.IsEmpty)
        {
            return;
        }

        Span<T> values = inputGradient[..(count * InputSize)];
        outputGradient[..values.Length].CopyTo(values);
        ActivationFunctions.MultiplyByDerivative(_activation, output, values);
    }
}
