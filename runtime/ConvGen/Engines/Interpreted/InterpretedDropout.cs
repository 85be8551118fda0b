using System.Numerics;
using ConvGen.Kernels;
using ConvGen.Layers;

namespace ConvGen.Engines.Interpreted;

// Dropout(rate), inverted.
//   input in[i], output out[i]: any shape, i over the count × size values of the batch
//   mask[i] = 0 or 1/(1 - rate), from DropoutMask.Fill(mask, (float)rate, dropoutSeed, layer index, firstElement: 0)
//             over the whole batch output, so it depends on the step seed, the layer and i alone
//
// Training:  out[i] = in[i] · mask[i];   backward dIn[i] = dOut[i] · mask[i]
// Inference, or rate 0: out = in;        backward dIn = dOut

/// <summary>Keras' <c>Dropout</c>; see the comment atop the file.</summary>
internal sealed class InterpretedDropout<T> : InterpretedLayer<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly float _rate;
    private float[] _mask = [];

    public InterpretedDropout(LayerInfo info, DropoutLayer layer)
        : base(info)
    {
        _rate = (float)layer.Rate;
    }

    public override void EnsureCapacity(int count)
    {
        if (_rate != 0f && _mask.Length < count * OutputSize)
        {
            _mask = new float[count * OutputSize];
        }
    }

    public override void ForwardInference(ReadOnlySpan<T> input, Span<T> output, int count, ReadOnlySpan<T> parameters, ReadOnlySpan<T> state) =>
        input[..(count * InputSize)].CopyTo(output);

    public override void ForwardTraining(ReadOnlySpan<T> input, Span<T> output, int count, ReadOnlySpan<T> parameters, Span<T> state, ulong dropoutSeed)
    {
        if (_rate == 0f)
        {
            ForwardInference(input, output, count, parameters, state);
            return;
        }

        Span<float> mask = _mask.AsSpan(0, count * OutputSize);
        DropoutMask.Fill(mask, _rate, dropoutSeed, Info.Index, firstElement: 0);
        for (int i = 0; i < mask.Length; i++)
        {
            output[i] = input[i] * T.CreateChecked(mask[i]);
        }
    }

    public override void Backward(ReadOnlySpan<T> input, ReadOnlySpan<T> output, Span<T> outputGradient, Span<T> inputGradient, int count, ReadOnlySpan<T> parameters, Span<T> gradients)
    {
        if (inputGradient.IsEmpty)
        {
            return;
        }

        if (_rate == 0f)
        {
            outputGradient[..(count * OutputSize)].CopyTo(inputGradient);
            return;
        }

        ReadOnlySpan<float> mask = _mask.AsSpan(0, count * OutputSize);
        for (int i = 0; i < mask.Length; i++)
        {
            inputGradient[i] = outputGradient[i] * T.CreateChecked(mask[i]);
        }
    }
}
