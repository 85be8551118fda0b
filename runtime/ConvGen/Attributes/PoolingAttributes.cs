namespace ConvGen;

/// <summary>Base of the 2-D pooling attributes: a window, its strides and its padding.</summary>
public abstract class Pooling2DAttribute : LayerAttribute
{
    private protected Pooling2DAttribute(int poolHeight, int poolWidth)
    {
        PoolHeight = poolHeight;
        PoolWidth = poolWidth;
    }

    /// <summary>Window height.</summary>
    public int PoolHeight { get; }

    /// <summary>Window width.</summary>
    public int PoolWidth { get; }

    /// <summary>Stride in both directions; 0 (the default) means the pool size, as Keras' <c>strides=None</c>.</summary>
    public int Strides { get; set; }

    /// <summary><see cref="Padding.Valid"/> (the default) or <see cref="Padding.Same"/>.</summary>
    public Padding Padding { get; set; } = Padding.Valid;
}

/// <summary>Maximum over each window (Keras' <c>MaxPooling2D</c>); padded cells never win.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPooling2DAttribute : Pooling2DAttribute
{
    /// <summary>A square window: <c>MaxPooling2D(2)</c> halves height and width.</summary>
    public MaxPooling2DAttribute(int poolSize)
        : base(poolSize, poolSize)
    {
    }

    /// <summary>A window of <paramref name="poolHeight"/> × <paramref name="poolWidth"/>.</summary>
    public MaxPooling2DAttribute(int poolHeight, int poolWidth)
        : base(poolHeight, poolWidth)
    {
    }
}

/// <summary>Mean over each window (Keras' <c>AveragePooling2D</c>); padded cells are not counted.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AveragePooling2DAttribute : Pooling2DAttribute
{
    /// <summary>A square window.</summary>
    public AveragePooling2DAttribute(int poolSize)
        : base(poolSize, poolSize)
    {
    }

    /// <summary>A window of <paramref name="poolHeight"/> × <paramref name="poolWidth"/>.</summary>
    public AveragePooling2DAttribute(int poolHeight, int poolWidth)
        : base(poolHeight, poolWidth)
    {
    }
}
