using System.Numerics;
using ConvGen.Layers;

namespace ConvGen.Engines.Interpreted;

// Conv2D.
//   input  in[n, y, x, ci]       at ((n*H + y)*W + x)*Cin + ci          n < N, y < H, x < W, ci < Cin
//   kernel K[ky, kx, ci, co]     at ((ky*KW + kx)*Cin + ci)*Cout + co
//   bias   b[co]                 (absent when UseBias is false: b = 0)
//   output out[n, oy, ox, co]    at ((n*OH + oy)*OW + ox)*Cout + co      OH, OW = KerasConventions.OutputSize
//   padTop = KerasConventions.PaddingBefore(H, KH, sh, same), padLeft = KerasConventions.PaddingBefore(W, KW, sw, same)
//
// Forward:  out[n,oy,ox,co] = act(b[co] + Σ_{ky,kx,ci} in[n, oy*sh + ky - padTop, ox*sw + kx - padLeft, ci] · K[ky,kx,ci,co]),
//           taps outside the input counting as 0 (they are skipped).
// Backward: dz = dOut · act'(out), then
//           db[co]          = Σ_{n,oy,ox} dz[n,oy,ox,co]
//           dK[ky,kx,ci,co] = Σ_{n,oy,ox} in[n, iy, ix, ci] · dz[n,oy,ox,co]
//           dIn[n,iy,ix,ci] = Σ_{oy,ox,ky,kx,co} K[ky,kx,ci,co] · dz[n,oy,ox,co]
//           with iy = oy*sh + ky - padTop and ix = ox*sw + kx - padLeft inside the input.

/// <summary>Keras' <c>Conv2D</c>; see the comment atop the file for shapes and formulas.</summary>
internal sealed class InterpretedConv2D<T> : InterpretedLayer<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly WeightInfo _kernel;
    private readonly WeightInfo? _bias;
    private readonly Activation _activation;
    private readonly int _kernelHeight;
    private readonly int _kernelWidth;
    private readonly int _strideHeight;
    private readonly int _strideWidth;
    private readonly int _padTop;
    private readonly int _padLeft;

    public InterpretedConv2D(LayerInfo info, Conv2DLayer layer)
        : base(info)
    {
        _kernel = Weight("kernel");
        _bias = layer.UseBias ? Weight("bias") : null;
        _activation = layer.Activation;
        _kernelHeight = layer.KernelHeight;
        _kernelWidth = layer.KernelWidth;
        _strideHeight = layer.StrideHeight;
        _strideWidth = layer.StrideWidth;
        bool same = layer.Padding == Padding.Same;
        _padTop = KerasConventions.PaddingBefore(InputShape.Height, _kernelHeight, _strideHeight, same);
        _padLeft = KerasConventions.PaddingBefore(InputShape.Width, _kernelWidth, _strideWidth, same);
    }

    public override void ForwardInference(ReadOnlySpan<T> input, Span<T> output, int count, ReadOnlySpan<T> parameters, ReadOnlySpan<T> state)
    {
        int inHeight = InputShape.Height, inWidth = InputShape.Width, inChannels = InputShape.Channels;
        int outHeight = OutputShape.Height, outWidth = OutputShape.Width, filters = OutputShape.Channels;
        ReadOnlySpan<T> kernel = parameters.Slice(_kernel.Offset, _kernel.Length);
        ReadOnlySpan<T> bias = _bias is null ? default : parameters.Slice(_bias.Offset, _bias.Length);

        for (int n = 0; n < count; n++)
        {
            for (int oy = 0; oy < outHeight; oy++)
            {
                for (int ox = 0; ox < outWidth; ox++)
                {
                    Span<T> outPixel = output.Slice(((((n * outHeight) + oy) * outWidth) + ox) * filters, filters);
                    for (int co = 0; co < filters; co++)
                    {
                        outPixel[co] = bias.IsEmpty ? T.Zero : bias[co];
                    }

                    for (int ky = 0; ky < _kernelHeight; ky++)
                    {
                        int iy = (oy * _strideHeight) + ky - _padTop;
                        if (iy < 0 || iy >= inHeight)
                        {
                            continue;
                        }

                        for (int kx = 0; kx < _kernelWidth; kx++)
                        {
                            int ix = (ox * _strideWidth) + kx - _padLeft;
                            if (ix < 0 || ix >= inWidth)
                            {
                                continue;
                            }

                            int inPixel = (((n * inHeight) + iy) * inWidth + ix) * inChannels;
                            for (int ci = 0; ci < inChannels; ci++)
                            {
                                T x = input[inPixel + ci];
                                ReadOnlySpan<T> kernelRow = kernel.Slice(((((ky * _kernelWidth) + kx) * inChannels) + ci) * filters, filters);
                                for (int co = 0; co < filters; co++)
                                {
                                    outPixel[co] += x * kernelRow[co];
                                }
                            }
                        }
                    }
                }
            }
        }

        ActivationFunctions.Apply(_activation, output[..(count * OutputSize)]);
    }

    public override void Backward(ReadOnlySpan<T> input, ReadOnlySpan<T> output, Span<T> outputGradient, Span<T> inputGradient, int count, ReadOnlySpan<T> parameters, Span<T> gradients)
    {
        int inHeight = InputShape.Height, inWidth = InputShape.Width, inChannels = InputShape.Channels;
        int outHeight = OutputShape.Height, outWidth = OutputShape.Width, filters = OutputShape.Channels;
        ReadOnlySpan<T> kernel = parameters.Slice(_kernel.Offset, _kernel.Length);
        Span<T> kernelGradient = gradients.Slice(_kernel.Offset, _kernel.Length);
        Span<T> biasGradient = _bias is null ? default : gradients.Slice(_bias.Offset, _bias.Length);
        bool needInputGradient = !inputGradient.IsEmpty;

        Span<T> dz = outputGradient[..(count * OutputSize)];
        ActivationFunctions.MultiplyByDerivative(_activation, output, dz);
        if (needInputGradient)
        {
            inputGradient[..(count * InputSize)].Clear();
        }

        for (int n = 0; n < count; n++)
        {
            for (int oy = 0; oy < outHeight; oy++)
            {
                for (int ox = 0; ox < outWidth; ox++)
                {
                    ReadOnlySpan<T> dzPixel = dz.Slice(((((n * outHeight) + oy) * outWidth) + ox) * filters, filters);
                    if (!biasGradient.IsEmpty)
                    {
                        for (int co = 0; co < filters; co++)
                        {
                            biasGradient[co] += dzPixel[co];
                        }
                    }

                    for (int ky = 0; ky < _kernelHeight; ky++)
                    {
                        int iy = (oy * _strideHeight) + ky - _padTop;
                        if (iy < 0 || iy >= inHeight)
                        {
                            continue;
                        }

                        for (int kx = 0; kx < _kernelWidth; kx++)
                        {
                            int ix = (ox * _strideWidth) + kx - _padLeft;
                            if (ix < 0 || ix >= inWidth)
                            {
                                continue;
                            }

                            int inPixel = (((n * inHeight) + iy) * inWidth + ix) * inChannels;
                            for (int ci = 0; ci < inChannels; ci++)
                            {
                                int row = ((((ky * _kernelWidth) + kx) * inChannels) + ci) * filters;
                                ReadOnlySpan<T> kernelRow = kernel.Slice(row, filters);
                                Span<T> kernelGradientRow = kernelGradient.Slice(row, filters);
                                T x = input[inPixel + ci];
                                T dx = T.Zero;
                                for (int co = 0; co < filters; co++)
                                {
                                    kernelGradientRow[co] += x * dzPixel[co];
                                    dx += kernelRow[co] * dzPixel[co];
                                }

                                if (needInputGradient)
                                {
                                    inputGradient[inPixel + ci] += dx;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
