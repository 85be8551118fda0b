using System.Numerics;
using ConvGen.Layers;

namespace ConvGen.Engines.Interpreted;

// Dense.
//   input  in[n, i]     at n*I + i            n < N, i < I
//   kernel W[i, o]      at i*Units + o
//   bias   b[o]         (absent when UseBias is false: b = 0)
//   output out[n, o]    at n*Units + o
//
// Forward:  out[n,o] = act(b[o] + Σ_i in[n,i] · W[i,o])
// Backward: dz = dOut · act'(out), then
//           db[o]     = Σ_n dz[n,o]
//           dW[i,o]   = Σ_n in[n,i] · dz[n,o]
//           dIn[n,i]  = Σ_o W[i,o] · dz[n,o]

/// <summary>Keras' <c>Dense</c>; see the comment atop the file for shapes and formulas.</summary>
internal sealed class InterpretedDense<T> : InterpretedLayer<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly WeightInfo _kernel;
    private readonly WeightInfo? _bias;
    private readonly Activation _activation;

    public InterpretedDense(LayerInfo info, DenseLayer layer)
        : base(info)
    {
        _kernel = Weight("kernel");
        _bias = layer.UseBias ? Weight("bias") : null;
        _activation = layer.Activation;
    }

    public override void ForwardInference(ReadOnlySpan<T> input, Span<T> output, int count, ReadOnlySpan<T> parameters, ReadOnlySpan<T> state)
    {
        int inputs = InputSize, units = OutputSize;
        ReadOnlySpan<T> kernel = parameters.Slice(_kernel.Offset, _kernel.Length);
        ReadOnlySpan<T> bias = _bias is null ? default : parameters.Slice(_bias.Offset, _bias.Length);

        for (int n = 0; n < count; n++)
        {
            ReadOnlySpan<T> inRow = input.Slice(n * inputs, inputs);
            Span<T> outRow = output.Slice(n * units, units);
            for (int o = 0; o < units; o++)
            {
                outRow[o] = bias.IsEmpty ? T.Zero : bias[o];
            }

            for (int i = 0; i < inputs; i++)
            {
                T x = inRow[i];
                ReadOnlySpan<T> kernelRow = kernel.Slice(i * units, units);
                for (int o = 0; o < units; o++)
                {
                    outRow[o] += x * kernelRow[o];
                }
            }
        }

        ActivationFunctions.Apply(_activation, output[..(count * units)]);
    }

    public override void Backward(ReadOnlySpan<T> input, ReadOnlySpan<T> output, Span<T> outputGradient, Span<T> inputGradient, int count, ReadOnlySpan<T> parameters, Span<T> gradients)
    {
        int inputs = InputSize, units = OutputSize;
        ReadOnlySpan<T> kernel = parameters.Slice(_kernel.Offset, _kernel.Length);
        Span<T> kernelGradient = gradients.Slice(_kernel.Offset, _kernel.Length);
        Span<T> biasGradient = _bias is null ? default : gradients.Slice(_bias.Offset, _bias.Length);
        bool needInputGradient = !inputGradient.IsEmpty;

        Span<T> dz = outputGradient[..(count * units)];
        ActivationFunctions.MultiplyByDerivative(_activation, output, dz);

        for (int n = 0; n < count; n++)
        {
            ReadOnlySpan<T> inRow = input.Slice(n * inputs, inputs);
            ReadOnlySpan<T> dzRow = dz.Slice(n * units, units);
            if (!biasGradient.IsEmpty)
            {
                for (int o = 0; o < units; o++)
                {
                    biasGradient[o] += dzRow[o];
                }
            }

            for (int i = 0; i < inputs; i++)
            {
                ReadOnlySpan<T> kernelRow = kernel.Slice(i * units, units);
                Span<T> kernelGradientRow = kernelGradient.Slice(i * units, units);
                T x = inRow[i];
                T dx = T.Zero;
                for (int o = 0; o < units; o++)
                {
                    kernelGradientRow[o] += x * dzRow[o];
                    dx += kernelRow[o] * dzRow[o];
                }

                if (needInputGradient)
                {
                    inputGradient[(n * inputs) + i] = dx;
                }
            }
        }
    }
}
