using System.Text.Json.Nodes;
using ConvGen.Layers;

namespace ConvGen.Benchmarks.Comparison;

/// <summary>
/// A model's architecture as benchmarks/pytorch/train_step.py builds it, written from its <see cref="ModelDescription"/>:
/// each layer's kind, sizes, strides, activation, explicit padding (TensorFlow's 'same': the odd cell after), dropout
/// rate and batch-normalisation settings, and its output shape, which the script checks against its own.
/// </summary>
internal static class PyTorchArchitecture
{
    /// <summary>The description as JSON: name, input shape, classes, trainable parameter count and layers.</summary>
    public static JsonObject Describe(ModelDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        var layers = new JsonArray();
        foreach (LayerInfo layer in description.Layers)
        {
            layers.Add(Describe(layer));
        }

        return new JsonObject
        {
            ["name"] = description.Name,
            ["input"] = Describe(description.InputShape),
            ["classes"] = description.Classes,
            ["trainable_parameters"] = description.TrainableParameterCount,
            ["layers"] = layers,
        };
    }

    private static JsonObject Describe(LayerInfo info)
    {
        JsonObject layer = info.Layer switch
        {
            Conv2DLayer conv => new JsonObject
            {
                ["type"] = "conv2d",
                ["filters"] = conv.Filters,
                ["kernel"] = Pair(conv.KernelHeight, conv.KernelWidth),
                ["strides"] = Pair(conv.StrideHeight, conv.StrideWidth),
                ["padding"] = Padding(info, conv.KernelHeight, conv.KernelWidth, conv.StrideHeight, conv.StrideWidth, conv.Padding),
                ["activation"] = Name(conv.Activation),
                ["use_bias"] = conv.UseBias,
            },
            Pooling2DLayer pool => new JsonObject
            {
                ["type"] = pool is MaxPooling2DLayer ? "max_pooling2d" : "average_pooling2d",
                ["pool"] = Pair(pool.PoolHeight, pool.PoolWidth),
                ["strides"] = Pair(pool.StrideHeight, pool.StrideWidth),
                ["padding"] = Padding(info, pool.PoolHeight, pool.PoolWidth, pool.StrideHeight, pool.StrideWidth, pool.Padding),
            },
            FlattenLayer => new JsonObject { ["type"] = "flatten" },
            DenseLayer dense => new JsonObject
            {
                ["type"] = "dense",
                ["units"] = dense.Units,
                ["activation"] = Name(dense.Activation),
                ["use_bias"] = dense.UseBias,
            },
            ActivationLayer activation => new JsonObject { ["type"] = "activation", ["activation"] = Name(activation.Activation) },
            DropoutLayer dropout => new JsonObject { ["type"] = "dropout", ["rate"] = dropout.Rate },
            BatchNormalizationLayer norm => new JsonObject
            {
                ["type"] = "batch_normalization",
                // Keras moves the statistics by m = momentum · m + (1 − momentum) · batch; PyTorch by
                // m = (1 − momentum) · m + momentum · batch: Keras' 0.99 is PyTorch's 0.01.
                ["torch_momentum"] = 1 - norm.Momentum,
                ["epsilon"] = norm.Epsilon,
            },
            NormalizationLayer norm => new JsonObject { ["type"] = "normalization", ["mean"] = norm.Mean, ["std"] = norm.Std },
            RescalingLayer rescaling => new JsonObject { ["type"] = "rescaling", ["scale"] = rescaling.Scale, ["offset"] = rescaling.Offset },
            _ => throw new NotSupportedException($"The PyTorch side has no equivalent of layer '{info.Name}' ({info.Layer.KerasType})."),
        };
        layer["name"] = info.Name;
        layer["output"] = Describe(info.OutputShape);
        return layer;
    }

    private static JsonObject Describe(Shape shape) => new()
    {
        ["height"] = shape.Height,
        ["width"] = shape.Width,
        ["channels"] = shape.Channels,
        ["flat"] = shape.IsFlat,
    };

    private static JsonArray Pair(int height, int width) => [height, width];

    /// <summary>[top, bottom, left, right], by the runtime's own rule (TensorFlow's: the odd cell of 'same' padding at
    /// the bottom or right; 'valid' pads nothing).</summary>
    private static JsonArray Padding(LayerInfo info, int windowHeight, int windowWidth, int strideHeight, int strideWidth, Padding padding)
    {
        bool same = padding == ConvGen.Padding.Same;
        int height = info.InputShape.Height;
        int width = info.InputShape.Width;
        return
        [
            KerasConventions.PaddingBefore(height, windowHeight, strideHeight, same),
            KerasConventions.PaddingAfter(height, windowHeight, strideHeight, same),
            KerasConventions.PaddingBefore(width, windowWidth, strideWidth, same),
            KerasConventions.PaddingAfter(width, windowWidth, strideWidth, same),
        ];
    }

    private static string Name(Activation activation) => activation.ToString().ToLowerInvariant();
}
