namespace ConvGen;

/// <summary>A 2-D convolution over an image input (Keras' <c>Conv2D</c>): kernel [kh, kw, in, filters] plus a bias.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv2DAttribute : LayerAttribute
{
    /// <summary>A square kernel: <c>Conv2D(32, 3)</c> is 32 filters of 3×3.</summary>
    public Conv2DAttribute(int filters, int kernelSize)
        : this(filters, kernelSize, kernelSize)
    {
    }

    /// <summary>A kernel of <paramref name="kernelHeight"/> × <paramref name="kernelWidth"/>.</summary>
    public Conv2DAttribute(int filters, int kernelHeight, int kernelWidth)
    {
        Filters = filters;
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
    }

    /// <summary>Number of output channels.</summary>
    public int Filters { get; }

    /// <summary>Kernel height.</summary>
    public int KernelHeight { get; }

    /// <summary>Kernel width.</summary>
    public int KernelWidth { get; }

    /// <summary>Stride in both directions; 1 by default.</summary>
    public int Strides { get; set; } = 1;

    /// <summary><see cref="Padding.Valid"/> (the default) or <see cref="Padding.Same"/>.</summary>
    public Padding Padding { get; set; } = Padding.Valid;

    /// <summary>Activation applied to the output; <see cref="Activation.Linear"/> by default.</summary>
    public Activation Activation { get; set; } = Activation.Linear;

    /// <summary>Whether the layer has a bias; true by default.</summary>
    public bool UseBias { get; set; } = true;

    /// <summary>How the kernel is initialised; <see cref="Initializer.GlorotUniform"/> by default (the bias starts at zero).</summary>
    public Initializer KernelInitializer { get; set; } = Initializer.GlorotUniform;
}
