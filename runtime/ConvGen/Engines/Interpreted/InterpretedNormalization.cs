using System.Numerics;
using ConvGen.Layers;

namespace ConvGen.Engines.Interpreted;

// Normalization(mean, std), fixed statistics.
//   input in[i], output out[i]: any shape, i over the count × size values of the batch
//
// Forward:  out[i] = (in[i] - mean) / std
// Backward: dIn[i] = dOut[i] / std

/// <summary>Keras' <c>Normalization</c> with given statistics; see the comment atop the file.</summary>
internal sealed class InterpretedNormalization<T> : InterpretedLayer<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T _mean;
    private readonly T _std;

    public InterpretedNormalization(LayerInfo info, NormalizationLayer layer)
        : base(info)
    {
        _mean = Convert(layer.Mean);
        _std = Convert(layer.Std);
    }

    public override void ForwardInference(ReadOnlySpan<T> input, Span<T> output, int count, ReadOnlySpan<T> parameters, ReadOnlySpan<T> state)
    {
        int length = count * InputSize;
        for (int i = 0; i < length; i++)
        {
            output[i] = (input[i] - _mean) / _std;
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
            inputGradient[i] = outputGradient[i] / _std;
        }
    }
}
