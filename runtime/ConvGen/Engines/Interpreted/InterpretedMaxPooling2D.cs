using System.Numerics;
using ConvGen.Layers;

namespace ConvGen.Engines.Interpreted;

// MaxPooling2D.
//   input  in[n, y, x, c]      at ((n*H + y)*W + x)*C + c
//   output out[n, oy, ox, c]   at ((n*OH + oy)*OW + ox)*C + c          OH, OW = KerasConventions.OutputSize
//   window(oy, ox) = rows oy*sh - padTop + [0, PH) × columns ox*sw - padLeft + [0, PW), clipped to the input
//
// Forward:  out[n,oy,ox,c] = max_{(y,x) in window(oy,ox)} in[n,y,x,c]    (padded cells are outside every window,
//           so they never win, even over negative values)
// Backward: the whole dOut[n,oy,ox,c] goes to the FIRST cell of the window in scan order (y outer, x inner) whose
//           value equals out[n,oy,ox,c]; overlapping windows accumulate: dIn[n,y,x,c] = Σ over the windows it won.

/// <summary>Keras' <c>MaxPooling2D</c>; see the comment atop the file for shapes and formulas.</summary>
internal sealed class InterpretedMaxPooling2D<T> : InterpretedPooling2D<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public InterpretedMaxPooling2D(LayerInfo info, MaxPooling2DLayer layer)
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
                    int outPixel = ((((n * outHeight) + oy) * outWidth) + ox) * channels;
                    for (int c = 0; c < channels; c++)
                    {
                        T best = input[((((n * inHeight) + y0) * inWidth) + x0) * channels + c];
                        for (int y = y0; y < y1; y++)
                        {
                            for (int x = x0; x < x1; x++)
                            {
                                T value = input[((((n * inHeight) + y) * inWidth) + x) * channels + c];
                                if (value > best)
                                {
                                    best = value;
                                }
                            }
                        }

                        output[outPixel + c] = best;
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
                    int outPixel = ((((n * outHeight) + oy) * outWidth) + ox) * channels;
                    for (int c = 0; c < channels; c++)
                    {
                        int winner = FirstMatch(input, output[outPixel + c], n, c, y0, y1, x0, x1);

                        // -1 only when the maximum is NaN: nothing equals it and no gradient flows.
                        if (winner >= 0)
                        {
                            inputGradient[winner] += outputGradient[outPixel + c];
                        }
                    }
                }
            }
        }
    }

    // The index of the first cell of the window, in scan order, holding the maximum; -1 when none does.
    private int FirstMatch(ReadOnlySpan<T> input, T maximum, int n, int c, int y0, int y1, int x0, int x1)
    {
        int inHeight = InputShape.Height, inWidth = InputShape.Width, channels = InputShape.Channels;
        for (int y = y0; y < y1; y++)
        {
            for (int x = x0; x < x1; x++)
            {
                int index = ((((n * inHeight) + y) * inWidth) + x) * channels + c;
                if (input[index] == maximum)
                {
                    return index;
                }
            }
        }

        return -1;
    }
}
