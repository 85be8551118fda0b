namespace ConvGen.Layers;

/// <summary>A 2-D pooling window: its size, strides and padding.</summary>
public abstract class Pooling2DLayer : Layer
{
    private protected Pooling2DLayer(int poolHeight, int poolWidth, int strideHeight, int strideWidth, Padding padding, string? name)
        : base(name)
    {
        PoolHeight = poolHeight;
        PoolWidth = poolWidth;
        StrideHeight = strideHeight;
        StrideWidth = strideWidth;
        Padding = padding;
    }

    /// <summary>Window height.</summary>
    public int PoolHeight { get; }

    /// <summary>Window width.</summary>
    public int PoolWidth { get; }

    /// <summary>Vertical stride.</summary>
    public int StrideHeight { get; }

    /// <summary>Horizontal stride.</summary>
    public int StrideWidth { get; }

    /// <summary>Border handling.</summary>
    public Padding Padding { get; }

    internal override Shape ComputeOutputShape(Shape input)
    {
        RequireImage(input, KerasType);
        RequirePositive(PoolHeight, "pool height");
        RequirePositive(PoolWidth, "pool width");
        RequirePositive(StrideHeight, "strides");
        RequirePositive(StrideWidth, "strides");
        bool same = Padding == Padding.Same;
        if (!same && (PoolHeight > input.Height || PoolWidth > input.Width))
        {
            throw new ArgumentException(
                $"the {PoolHeight}×{PoolWidth} pool is larger than its {input.Height}×{input.Width} input; use a smaller pool or Padding.Same.");
        }

        return Shape.Image(
            KerasConventions.OutputSize(input.Height, PoolHeight, StrideHeight, same),
            KerasConventions.OutputSize(input.Width, PoolWidth, StrideWidth, same),
            input.Channels);
    }
}

/// <summary>Maximum over each window (Keras' <c>MaxPooling2D</c>).</summary>
public sealed class MaxPooling2DLayer : Pooling2DLayer
{
    /// <summary>Creates the layer; strides default to the pool size, as Keras.</summary>
    public MaxPooling2DLayer(int poolHeight, int poolWidth, int strideHeight = 0, int strideWidth = 0, Padding padding = Padding.Valid, string? name = null)
        : base(poolHeight, poolWidth, strideHeight == 0 ? poolHeight : strideHeight, strideWidth == 0 ? poolWidth : strideWidth, padding, name)
    {
    }

    /// <inheritdoc/>
    public override string KerasType => "MaxPooling2D";
}

/// <summary>Mean over each window, padded cells not counted (Keras' <c>AveragePooling2D</c>).</summary>
public sealed class AveragePooling2DLayer : Pooling2DLayer
{
    /// <summary>Creates the layer; strides default to the pool size, as Keras.</summary>
    public AveragePooling2DLayer(int poolHeight, int poolWidth, int strideHeight = 0, int strideWidth = 0, Padding padding = Padding.Valid, string? name = null)
        : base(poolHeight, poolWidth, strideHeight == 0 ? poolHeight : strideHeight, strideWidth == 0 ? poolWidth : strideWidth, padding, name)
    {
    }

    /// <inheritdoc/>
    public override string KerasType => "AveragePooling2D";
}
