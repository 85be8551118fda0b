using System.Numerics;

namespace ConvGen.Engines.Interpreted;

// Flatten.
//   input  in[n, y, x, c]  at ((n*H + y)*W + x)*C + c
//   output out[n, f]       at n*(H*W*C) + f,   f = (y*W + x)*C + c
//
// NHWC already stores each sample in height-width-channel order, so both passes are copies:
// Forward:  out = in
// Backward: dIn = dOut

/// <summary>Keras' <c>Flatten</c>; see the comment atop the file.</summary>
internal sealed class InterpretedFlatten<T> : InterpretedLayer<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public InterpretedFlatten(LayerInfo info)
        : base(info)
    {
    }

    public override void ForwardInference(ReadOnlySpan<T> input, Span<T> output, int count, ReadOnlySpan<T> parameters, ReadOnlySpan<T> state) =>
        input[..(count * InputSize)].CopyTo(output);

    public override void Backward(ReadOnlySpan<T> input, ReadOnlySpan<T> output, Span<T> outputGradient, Span<T> inputGradient, int count, ReadOnlySpan<T> parameters, Span<T> gradients)
    {
        if (!inputGradient.IsEmpty)
        {
            outputGradient[..(count * OutputSize)].CopyTo(inputGradient);
        }
    }
}
