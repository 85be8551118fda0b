using System.Globalization;
using ConvGen.Generator.Model;

namespace ConvGen.Generator.Parsing;

/// <summary>One builder per layer attribute: reads its arguments, checks them against the input shape and infers
/// the output shape (Keras' rules, from KerasConventions). A builder returns null when the output shape cannot be
/// known; problems that leave the shape known are reported and parsing goes on.</summary>
internal sealed partial class ModelParser
{
    private LayerSpec? ParseLayer(LayerInput layer) => layer.Attribute.MetadataName switch
    {
        AttributeNames.Conv2D => ParseConv2D(layer),
        AttributeNames.MaxPooling2D => ParsePooling(layer, isMax: true),
        AttributeNames.AveragePooling2D => ParsePooling(layer, isMax: false),
        AttributeNames.Flatten => new FlattenSpec(layer.Index, layer.Name, layer.Input, ShapeSpec.Flat((int)layer.Input.Size)),
        AttributeNames.Dense => ParseDense(layer),
        AttributeNames.Activation => new ActivationSpec(layer.Index, layer.Name, layer.Input, layer.Input, Defined<ActivationKind>(layer, layer.Attribute.Int("activation"), "Activation")),
        AttributeNames.Dropout => ParseDropout(layer),
        AttributeNames.BatchNormalization => ParseBatchNormalization(layer),
        AttributeNames.Rescaling => ParseAffine(layer, isNormalization: false),
        AttributeNames.Normalization => ParseAffine(layer, isNormalization: true),
        _ => null,
    };

    private Conv2DSpec? ParseConv2D(LayerInput layer)
    {
        AttributeReader a = layer.Attribute;
        int filters = a.Int("filters");
        bool square = a.HasParameter("kernelSize");
        int kernelHeight = square ? a.Int("kernelSize") : a.Int("kernelHeight");
        int kernelWidth = square ? a.Int("kernelSize") : a.Int("kernelWidth");
        int strides = a.NamedInt("Strides", 1);
        bool same = Defined<PaddingKind>(layer, a.NamedInt("Padding", 0), "Padding") == PaddingKind.Same;
        if (!RequireImage(layer, "Conv2D")
            | !(RequirePositive(a, layer.Name, "the number of filters", filters)
                & RequireWindow(a, layer.Name, "kernel", square, kernelHeight, kernelWidth)
                & RequirePositive(a, layer.Name, "Strides", strides))
            || !WindowFits(layer, "kernel", kernelHeight, kernelWidth, same)
            || !StrideFits(layer, strides, strides)
            || !KernelFits(layer, kernelHeight, kernelWidth, layer.Input.Channels, filters)
            || !WindowFitsInWorkspace(layer, isConvolution: true, kernelHeight, kernelWidth, strides, strides, same, filters))
        {
            return null;
        }

        ShapeSpec input = layer.Input;
        return new Conv2DSpec(
            layer.Index,
            layer.Name,
            input,
            ShapeSpec.Image(
                KerasConventions.OutputSize(input.Height, kernelHeight, strides, same),
                KerasConventions.OutputSize(input.Width, kernelWidth, strides, same),
                filters),
            filters,
            kernelHeight,
            kernelWidth,
            strides,
            strides,
            same,
            KerasConventions.PaddingBefore(input.Height, kernelHeight, strides, same),
            KerasConventions.PaddingBefore(input.Width, kernelWidth, strides, same),
            KerasConventions.PaddingAfter(input.Height, kernelHeight, strides, same),
            KerasConventions.PaddingAfter(input.Width, kernelWidth, strides, same),
            Defined<ActivationKind>(layer, a.NamedInt("Activation", 0), "Activation"),
            a.NamedBool("UseBias", true),
            Defined<InitializerKind>(layer, a.NamedInt("KernelInitializer", 0), "KernelInitializer"));
    }

    private Pooling2DSpec? ParsePooling(LayerInput layer, bool isMax)
    {
        AttributeReader a = layer.Attribute;
        string kerasType = isMax ? "MaxPooling2D" : "AveragePooling2D";
        bool square = a.HasParameter("poolSize");
        int poolHeight = square ? a.Int("poolSize") : a.Int("poolHeight");
        int poolWidth = square ? a.Int("poolSize") : a.Int("poolWidth");
        int strides = a.NamedInt("Strides", 0);
        bool same = Defined<PaddingKind>(layer, a.NamedInt("Padding", 0), "Padding") == PaddingKind.Same;
        bool stridesValid = strides >= 0 || RequirePositive(a, layer.Name, "Strides", strides);
        if (!RequireImage(layer, kerasType)
            | !(RequireWindow(a, layer.Name, "pool", square, poolHeight, poolWidth)
                & stridesValid)
            || !WindowFits(layer, "pool", poolHeight, poolWidth, same))
        {
            return null;
        }

        int strideHeight = strides == 0 ? poolHeight : strides;
        int strideWidth = strides == 0 ? poolWidth : strides;
        if (!StrideFits(layer, strideHeight, strideWidth) || !WindowFitsInWorkspace(layer, isConvolution: false, poolHeight, poolWidth, strideHeight, strideWidth, same, layer.Input.Channels))
        {
            return null;
        }
        ShapeSpec input = layer.Input;
        return new Pooling2DSpec(
            layer.Index,
            layer.Name,
            input,
            ShapeSpec.Image(
                KerasConventions.OutputSize(input.Height, poolHeight, strideHeight, same),
                KerasConventions.OutputSize(input.Width, poolWidth, strideWidth, same),
                input.Channels),
            isMax,
            poolHeight,
            poolWidth,
            strideHeight,
            strideWidth,
            same,
            KerasConventions.PaddingBefore(input.Height, poolHeight, strideHeight, same),
            KerasConventions.PaddingBefore(input.Width, poolWidth, strideWidth, same));
    }

    private DenseSpec? ParseDense(LayerInput layer)
    {
        AttributeReader a = layer.Attribute;
        int units = a.Int("units");
        bool flat = layer.Input.IsFlat;
        if (!flat)
        {
            Report(DiagnosticDescriptors.DenseNeedsFlatInput, a.Location, layer.Name, layer.Input);
        }

        if (!RequirePositive(a, layer.Name, "the number of units", units) || !flat)
        {
            return null;
        }

        if (!KernelFits(layer, layer.Input.Channels, units))
        {
            return null;
        }

        return new DenseSpec(
            layer.Index,
            layer.Name,
            layer.Input,
            ShapeSpec.Flat(units),
            units,
            Defined<ActivationKind>(layer, a.NamedInt("Activation", 0), "Activation"),
            a.NamedBool("UseBias", true),
            Defined<InitializerKind>(layer, a.NamedInt("KernelInitializer", 0), "KernelInitializer"));
    }

    private DropoutSpec ParseDropout(LayerInput layer)
    {
        double rate = layer.Attribute.Double("rate");
        // The kernels compute in float, where a rate just below 1 rounds to 1 and the kept values' scale 1 / (1 - rate)
        // to infinity.
        if (!(rate >= 0 && rate < 1) || (float)rate >= 1f)
        {
            string rounding = rate < 1 && (float)rate >= 1f ? ", which is 1 in single precision" : "";
            Report(DiagnosticDescriptors.DropoutRateOutOfRange, layer.Attribute.Location, layer.Name, rate.ToString("R", CultureInfo.InvariantCulture), rounding);
        }

        return new DropoutSpec(layer.Index, layer.Name, layer.Input, layer.Input, rate);
    }

    private BatchNormalizationSpec ParseBatchNormalization(LayerInput layer)
    {
        AttributeReader a = layer.Attribute;
        double momentum = a.NamedDouble("Momentum", 0.99);
        double epsilon = a.NamedDouble("Epsilon", 1e-3);
        if (!(momentum >= 0 && momentum <= 1))
        {
            Report(DiagnosticDescriptors.InvalidArgument, a.Location, layer.Name, $"Momentum must be between 0 and 1, but it is {momentum.ToString("R", CultureInfo.InvariantCulture)}");
        }

        if (!(epsilon > 0) || double.IsInfinity(epsilon))
        {
            Report(DiagnosticDescriptors.InvalidArgument, a.Location, layer.Name, $"Epsilon must be a positive number, but it is {epsilon.ToString("R", CultureInfo.InvariantCulture)}");
        }
        else if ((float)epsilon == 0f)
        {
            Report(DiagnosticDescriptors.InvalidArgument, a.Location, layer.Name, $"Epsilon must be at least 1.4E-45, the smallest positive float, but it is {epsilon.ToString("R", CultureInfo.InvariantCulture)}");
        }
        else if (float.IsInfinity((float)epsilon))
        {
            // The kernels compute in float: a value beyond float's range would be emitted as an infinite constant.
            Report(DiagnosticDescriptors.InvalidArgument, a.Location, layer.Name, $"Epsilon must be within the range of float (at most 3.4E+38), but it is {epsilon.ToString("R", CultureInfo.InvariantCulture)}");
        }

        return new BatchNormalizationSpec(layer.Index, layer.Name, layer.Input, layer.Input, momentum, epsilon);
    }

    private AffineSpec ParseAffine(LayerInput layer, bool isNormalization)
    {
        AttributeReader a = layer.Attribute;
        double first = a.Double(isNormalization ? "mean" : "scale");
        double second = a.Double(isNormalization ? "std" : "offset");
        if (isNormalization && !(second > 0 && !double.IsInfinity(second)))
        {
            Report(DiagnosticDescriptors.InvalidArgument, a.Location, layer.Name, $"the standard deviation must be a positive number, but it is {second.ToString("R", CultureInfo.InvariantCulture)}");
        }

        if (double.IsNaN(first) || double.IsInfinity(first) || double.IsNaN(second) || double.IsInfinity(second))
        {
            Report(DiagnosticDescriptors.InvalidArgument, a.Location, layer.Name, isNormalization ? "the mean and standard deviation must be finite numbers" : "the scale and offset must be finite numbers");
        }
        else if (float.IsInfinity((float)first) || float.IsInfinity((float)second) || (isNormalization && second > 0 && float.IsInfinity((float)(1.0 / second))))
        {
            // The kernels compute in float: a value beyond float's range would be emitted as an infinite constant.
            Report(DiagnosticDescriptors.InvalidArgument, a.Location, layer.Name, isNormalization
                ? "the mean and 1 / std must be within the range of float (at most 3.4E+38 in magnitude); use a larger standard deviation or a smaller mean"
                : "the scale and offset must be within the range of float (at most 3.4E+38 in magnitude)");
        }

        return new AffineSpec(layer.Index, layer.Name, layer.Input, layer.Input, isNormalization, first, second);
    }

    /// <summary>An enum argument's value, reported when it names no member (e.g. <c>(Activation)42</c>).</summary>
    private T Defined<T>(LayerInput layer, int value, string argument)
        where T : struct, System.Enum
    {
        if (!System.Enum.IsDefined(typeof(T), value))
        {
            Report(DiagnosticDescriptors.InvalidArgument, layer.Attribute.Location, layer.Name, $"{value} is not a valid {argument}");
        }

        return (T)(object)value;
    }

    /// <summary>A kernel or pool size: one check for a square size, one per side otherwise.</summary>
    private bool RequireWindow(AttributeReader a, string owner, string window, bool square, int height, int width) => square
        ? RequirePositive(a, owner, $"the {window} size", height)
        : RequirePositive(a, owner, $"the {window} height", height) & RequirePositive(a, owner, $"the {window} width", width);

    private bool RequireImage(LayerInput layer, string kerasType)
    {
        if (!layer.Input.IsFlat)
        {
            return true;
        }

        Report(DiagnosticDescriptors.ImageLayerOnFlatInput, layer.Attribute.Location, layer.Name, kerasType, layer.Input);
        return false;
    }

    private bool WindowFits(LayerInput layer, string window, int height, int width, bool same)
    {
        if (same || (height <= layer.Input.Height && width <= layer.Input.Width))
        {
            return true;
        }

        Report(DiagnosticDescriptors.WindowLargerThanInput, layer.Attribute.Location, layer.Name, window, height, width, layer.Input.Height, layer.Input.Width);
        return false;
    }
}
