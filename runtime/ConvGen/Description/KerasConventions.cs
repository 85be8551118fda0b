// This file is compiled into both the runtime and the generator (linked from ConvGen.Generator.csproj), so the
// shapes, paddings, layer names and parameter offsets the generator bakes into constants are, by construction,
// the ones the runtime computes. Keep it free of dependencies beyond the base library of netstandard2.0.
namespace ConvGen;

/// <summary>Keras' rules for output sizes, 'same' padding, automatic layer names and ConvGen's buffer alignment.</summary>
internal static class KerasConventions
{
    /// <summary>Offsets into the parameter, state and workspace buffers are multiples of this many floats (64 bytes).</summary>
    public const int Alignment = 16;

    /// <summary>Output size along one axis: 'valid' gives floor((input - window) / stride) + 1 (0 when the window does
    /// not fit); 'same' gives ceil(input / stride). Any positive sizes, up to int.MaxValue, give the exact result: the
    /// sums are taken in long, so a stride near int.MaxValue gives 1, not an overflow.</summary>
    public static int OutputSize(int input, int window, int stride, bool same)
    {
        if (same)
        {
            return (int)(((long)input + stride - 1) / stride);
        }

        return input < window ? 0 : ((input - window) / stride) + 1;
    }

    /// <summary>Padding before (top or left) along one axis. TensorFlow pads max((out - 1) * stride + window - input, 0)
    /// in total and puts the odd cell after (bottom or right).</summary>
    public static int PaddingBefore(int input, int window, int stride, bool same) =>
        same ? TotalSamePadding(input, window, stride) / 2 : 0;

    /// <summary>Padding after (bottom or right) along one axis.</summary>
    public static int PaddingAfter(int input, int window, int stride, bool same) =>
        same ? TotalSamePadding(input, window, stride) - (TotalSamePadding(input, window, stride) / 2) : 0;

    // (output - 1) * stride is below input, so the total is below window: it fits in int whatever the sizes, but its
    // terms are added in long (a window near int.MaxValue would overflow them).
    private static int TotalSamePadding(int input, int window, int stride)
    {
        long output = OutputSize(input, window, stride, same: true);
        long total = ((output - 1) * stride) + window - input;
        return total > 0 ? (int)total : 0;
    }

    /// <summary>Keras' automatic name for the <paramref name="ordinal"/>-th layer (0-based) of a kind within one model:
    /// <c>conv2d</c>, <c>conv2d_1</c>, <c>conv2d_2</c>, ...</summary>
    public static string AutomaticName(string kerasType, int ordinal)
    {
        string baseName = kerasType switch
        {
            "Conv2D" => "conv2d",
            "MaxPooling2D" => "max_pooling2d",
            "AveragePooling2D" => "average_pooling2d",
            "Flatten" => "flatten",
            "Dense" => "dense",
            "Activation" => "activation",
            "Dropout" => "dropout",
            "BatchNormalization" => "batch_normalization",
            "Rescaling" => "rescaling",
            "Normalization" => "normalization",
            _ => kerasType.ToLowerInvariant(),
        };
        return ordinal == 0 ? baseName : baseName + "_" + ordinal.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Rounds <paramref name="offset"/> up to the next multiple of <see cref="Alignment"/>.</summary>
    public static int Align(int offset) => (offset + Alignment - 1) / Alignment * Alignment;
}
