using System.Numerics;
using ConvGen.Layers;

namespace ConvGen.Engines.Interpreted;

// AveragePooling2D.
//   input  in[n, y, x, c]      at ((n*H + y)*W + x)*C + c
//   output out[n, oy, ox, c]   at ((n*OH + oy)*OW + ox)*C + c          OH, OW = KerasConventions.OutputSize
//   window(oy, ox) = rows oy*sh - padTop + [0, PH) × columns ox*sw - padLeft + [0, PW), clipped to the input;
//   cells(oy, ox) = the number of cells in the clipped window (padded cells are not counted)
//
// Forward:  out[n,oy,ox,c] = Σ_{(y,x) in window(oy,ox)} in[n,y,x,c] / cells(oy,ox)
// Backward: dIn[n,y,x,c] = Σ_{windows (oy,ox) containing (y,x)} dOut[n,oy,ox,c] / cells(oy,ox)

/// <summary>Keras' <c>AveragePooling2D</c>; see the comment atop the file for shapes and formulas.</summary>
internal sealed class InterpretedAveragePooling2D<T> : InterpretedPooling2D<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public InterpretedAveragePooling2D(LayerInfo info, AveragePooling2DLayer layer)
        : base(info, layer)
    {
    }

    public override void ForwardInference(ReadOnlySpan<T> input, Span<T> output, int count, ReadOnlySpan<T> parameters, ReadOnlySpan<T> state)
    {
        int inHeight = InputShape.Height, inWidth = InputShape.Width, channels = InputShape.Channels;
        int outHeight = OutputShape.Height, outWidth = OutputShape.Width;
        for (int n = 0; n < count; n++)
        {
            for (int oy = 0; oy < outHeight; oy++)
            {
                WindowRows(oy, out int y0, out int y1);
                for (int ox = 0; ox < outWidth; ox++)
                {
                    WindowColumns(ox, out int x0, out int x1);
                    T cells = T.CreateChecked((y1 - y0) * (x1 - x0));
                    int outPixel = ((((n * outHeight) + oy) * outWidth) + ox) * channels;
                    for (int c = 0; c < channels; c++)
                    {
                        T sum = T.Zero;
                        for (int y = y0; y < y1; y++)
                        {
                            for (int x = x0; x < x1; x++)
                            {
                                sum += input[((((n * inHeight) + y) * inWidth) + x) * channels + c];
                            }
                        }

                        output[outPixel + c] = sum / cells;
                    }
                }
            }
        }
    }

    public override void Backward(ReadOnlySpan<T> input, ReadOnlySpan<T> output, Span<T> outputGradient, Span<T> inputGradient, int count, ReadOnlySpan<T> parameters, Span<T> gradients)
    {
        if (inputGradient.IsEmpty)
        {
            return;
        }

        int inHeight = InputShape.Height, inWidth = InputShape.Width, channels = InputShape.Channels;
        int outHeight = OutputShape.Height, outWidth = OutputShape.Width;
        inputGradient[..(count * InputSize)].Clear();
        for (int n = 0; n < count; n++)
        {
            for (int oy = 0; oy < outHeight; oy++)
            {
                WindowRows(oy, out int y0, out int y1);
                for (int ox = 0; ox < outWidth; ox++)
                {
                    WindowColumns(ox, out int x0, out int x1);
                    T cells = T.CreateChecked((y1 - y0) * (x1 - x0));
                    int outPixel = ((((n * outHeight) + oy) * outWidth) + ox) * channels;
                    for (int c = 0; c < channels; c++)
                    {
                        T share = outputGradient[outPixel + c] / cells;
                        for (int y = y0; y < y1; y++)
                        {
                            for (int x = x0; x < x1; x++)
                            {
                                inputGradient[((((n * inHeight) + y) * inWidth) + x) * channels + c] += share;
                            }
                        }
                    }
                }
            }
        }
    }
}
