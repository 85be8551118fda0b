using System;
using System.Numerics;
using ConvGen.Generator.Model;

namespace ConvGen.Generator.Parsing;

/// <summary>
/// The sizes the emitted code may hold. Every offset, length and loop bound of the generated engine is an int built
/// from the model's sizes by sums and products; the limits below keep each of them far inside int (the workspace of a
/// sample sums a few regions per layer, the shared buffer a few copies of the kernels), so no emitted constant can
/// overflow. Each check multiplies in <see cref="BigInteger"/>: attribute arguments reach int.MaxValue, and a product of
/// four of them overflows even a long.
/// </summary>
internal sealed partial class ModelParser
{
    /// <summary>Largest per-sample output a layer may have (values): an input, a layer's output, a convolution's input
    /// with its 'same' border, its output gradient dilated for the input gradient.</summary>
    public const int MaxValuesPerSample = 1 << 24;

    /// <summary>Largest sum of the per-sample outputs of all layers (and the bordered inputs of 'same' convolutions):
    /// one sample's share of a thread's workspace holds each of them once, plus masks and two gradient buffers.</summary>
    public const int MaxActivationsPerSample = 1 << 26;

    /// <summary>Largest number of weights of one kernel, and of all the weights of a model together (each array aligned
    /// as the runtime lays it out): the shared buffer holds transposed and transformed copies of the kernels.</summary>
    public const int MaxWeights = 1 << 28;

    private static BigInteger Product(params int[] factors)
    {
        BigInteger product = BigInteger.One;
        foreach (int factor in factors)
        {
            product *= factor;
        }

        return product;
    }

    /// <summary>Reports <see cref="DiagnosticDescriptors.ModelTooLarge"/> on the layer when <paramref name="shape"/>,
    /// given as its sides, holds more than <see cref="MaxValuesPerSample"/> values.</summary>
    private bool FitsPerSample(LayerInput layer, string what, int height, int width, int channels)
    {
        BigInteger size = Product(height, width, channels);
        if (size <= MaxValuesPerSample)
        {
            return true;
        }

        Report(DiagnosticDescriptors.ModelTooLarge, layer.Attribute.Location, layer.Name, $"{what} ({height}, {width}, {channels})", size, MaxValuesPerSample);
        return false;
    }

    /// <summary>Checks what a convolution or pooling window allocates beyond its output: the input with its 'same'
    /// border (a pooling's window reaches as far), and for a convolution its output and its output gradient dilated by
    /// the strides inside a border of kernel - 1, from which its input gradient is computed.</summary>
    private bool WindowFitsInWorkspace(LayerInput layer, bool isConvolution, int windowHeight, int windowWidth, int strideHeight, int strideWidth, bool same, int channels)
    {
        ShapeSpec input = layer.Input;
        if (same)
        {
            long paddedHeight = (long)input.Height + KerasConventions.PaddingBefore(input.Height, windowHeight, strideHeight, same) + KerasConventions.PaddingAfter(input.Height, windowHeight, strideHeight, same);
            long paddedWidth = (long)input.Width + KerasConventions.PaddingBefore(input.Width, windowWidth, strideWidth, same) + KerasConventions.PaddingAfter(input.Width, windowWidth, strideWidth, same);
            if (!FitsPerSample(layer, "the input with its 'same' border", Saturate(paddedHeight), Saturate(paddedWidth), input.Channels))
            {
                return false;
            }
        }

        if (!isConvolution)
        {
            return true;
        }

        // The output first: when it is too large, that is what to change.
        int outputHeight = KerasConventions.OutputSize(input.Height, windowHeight, strideHeight, same);
        int outputWidth = KerasConventions.OutputSize(input.Width, windowWidth, strideWidth, same);
        if (!FitsPerSample(layer, "the output", outputHeight, outputWidth, channels))
        {
            return false;
        }

        long dilatedHeight = (((long)outputHeight - 1) * strideHeight) + 1 + (2 * ((long)windowHeight - 1));
        long dilatedWidth = (((long)outputWidth - 1) * strideWidth) + 1 + (2 * ((long)windowWidth - 1));
        return FitsPerSample(layer, "its output gradient dilated by the strides and bordered by kernel - 1 (for its input gradient)", Saturate(dilatedHeight), Saturate(dilatedWidth), channels);
    }

    /// <summary>
    /// The generated loops step through the input by whole rows of the stride: a stride times the input's row (width ×
    /// channels) must stay a per-sample offset. Keras accepts any stride; one of the input's larger side or more gives
    /// a 1 × 1 output, so only a stride far beyond the input is refused.
    /// </summary>
    private bool StrideFits(LayerInput layer, int strideHeight, int strideWidth)
    {
        ShapeSpec input = layer.Input;
        int stride = Math.Max(strideHeight, strideWidth);
        BigInteger span = Product(stride, input.Width, input.Channels);
        if (span <= MaxValuesPerSample)
        {
            return true;
        }

        Report(
            DiagnosticDescriptors.InvalidArgument,
            layer.Attribute.Location,
            layer.Name,
            $"Strides = {stride} steps over {span} values of the input {input}, more than ConvGen supports ({MaxValuesPerSample}); any stride from {Math.Max(input.Height, input.Width)} on gives a 1 × 1 output");
        return false;
    }

    /// <summary>A side beyond int is reported as int.MaxValue: the product it enters is too large either way.</summary>
    private static int Saturate(long side) => side > int.MaxValue ? int.MaxValue : (int)side;

    /// <summary>Reports <see cref="DiagnosticDescriptors.TooManyWeights"/> when a kernel of the given sides holds more
    /// than <see cref="MaxWeights"/> values.</summary>
    private bool KernelFits(LayerInput layer, params int[] sides)
    {
        BigInteger size = Product(sides);
        if (size <= MaxWeights)
        {
            return true;
        }

        Report(DiagnosticDescriptors.TooManyWeights, layer.Attribute.Location, layer.Name, $"the kernel ({string.Join(", ", sides)})", size, MaxWeights);
        return false;
    }

    /// <summary>The floats <paramref name="layer"/>'s weights take in the parameter and state buffers, each array
    /// aligned as the runtime lays it out.</summary>
    private static long AlignedWeights(LayerSpec layer)
    {
        static long Aligned(long length) => (length + KerasConventions.Alignment - 1) / KerasConventions.Alignment * KerasConventions.Alignment;

        return layer switch
        {
            Conv2DSpec conv => Aligned((long)conv.KernelHeight * conv.KernelWidth * conv.Input.Channels * conv.Filters) + (conv.UseBias ? Aligned(conv.Filters) : 0),
            DenseSpec dense => Aligned(dense.Input.Size * dense.Units) + (dense.UseBias ? Aligned(dense.Units) : 0),
            BatchNormalizationSpec norm => 4 * Aligned(norm.Input.Channels),
            _ => 0,
        };
    }

    /// <summary>The per-sample values <paramref name="layer"/> adds to a thread's workspace: its output, and the
    /// bordered input of a 'same' convolution.</summary>
    private static long Activations(LayerSpec layer) => layer.Output.Size + (layer is Conv2DSpec { IsPadded: true } conv
        ? ((long)conv.Input.Height + conv.PadTop + conv.PadBottom) * ((long)conv.Input.Width + conv.PadLeft + conv.PadRight) * conv.Input.Channels
        : 0);
}
