using System.Numerics;
using ConvGen.Layers;

namespace ConvGen.Engines.Interpreted;

// Rescaling(scale, offset).
//   input in[i], output out[i]: any shape, i over the count × size values of the batch
//
// Forward:  out[i] = in[i] · scale + offset
// Backward: dIn[i] = dOut[i] · scale

/// <summary>Keras' <c>Rescaling</c>; see the comment atop the file.</summary>
internal sealed class InterpretedRescaling<T> : InterpretedLayer<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T _scale;
    private readonly T _offset;

    public InterpretedRescaling(LayerInfo info, RescalingLayer layer)
        : base(info)
    {
        _scale = Convert(layer.Scale);
        _offset = Convert(layer.Offset);
    }

    public override void ForwardInference(ReadOnlySpan<T> input, Span<T> output, int count, ReadOnlySpan<T> parameters, ReadOnlySpan<T> state)
    {
        int length = count * InputSize;
        for (int i = 0; i < length; i++)
        {
            output[i] = (input[i] * _scale) + _offset;
        }
    }

    public override void Backward(ReadOnlySpan<T> input, ReadOnlySpan<T> output, Span<T> outputGradient, Span<T> inputGradient, int count, ReadOnlySpan<T> parameters, Span<T> gradients)
    {
        if (inputGradient.IsEmpty)
        {
            return;
        }

        int length = count * InputSize;
        for (int i = 0; i < length; i++)
        {
            inputGradient[i] = outputGradient[i] * _scale;
        }
    }
}
