namespace ConvGen.Layers;

/// <summary>A 2-D convolution (Keras' <c>Conv2D</c>); kernel [kh, kw, in, filters], then a bias of [filters].</summary>
public sealed class Conv2DLayer : Layer
{
    /// <summary>Creates the layer; see <see cref="Conv2DAttribute"/> for the meaning of each setting.</summary>
    public Conv2DLayer(
        int filters,
        int kernelHeight,
        int kernelWidth,
        int strideHeight = 1,
        int strideWidth = 1,
        Padding padding = Padding.Valid,
        Activation activation = Activation.Linear,
        bool useBias = true,
        Initializer kernelInitializer = Initializer.GlorotUniform,
        string? name = null)
        : base(name)
    {
        Filters = filters;
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
        StrideHeight = strideHeight;
        StrideWidth = strideWidth;
        Padding = padding;
        Activation = activation;
        UseBias = useBias;
        KernelInitializer = kernelInitializer;
    }

    /// <inheritdoc/>
    public override string KerasType => "Conv2D";

    /// <summary>Number of output channels.</summary>
    public int Filters { get; }

    /// <summary>Kernel height.</summary>
    public int KernelHeight { get; }

    /// <summary>Kernel width.</summary>
    public int KernelWidth { get; }

    /// <summary>Vertical stride.</summary>
    public int StrideHeight { get; }

    /// <summary>Horizontal stride.</summary>
    public int StrideWidth { get; }

    /// <summary>Border handling.</summary>
    public Padding Padding { get; }

    /// <summary>Activation of the output.</summary>
    public Activation Activation { get; }

    /// <summary>Whether the layer has a bias.</summary>
    public bool UseBias { get; }

    /// <summary>Kernel initialiser.</summary>
    public Initializer KernelInitializer { get; }

    /// <inheritdoc/>
    public override Activation? OutputActivation => Activation;

    internal override Shape ComputeOutputShape(Shape input)
    {
        RequireImage(input, KerasType);
        RequirePositive(Filters, "filters");
        RequirePositive(KernelHeight, "kernel height");
        RequirePositive(KernelWidth, "kernel width");
        RequirePositive(StrideHeight, "strides");
        RequirePositive(StrideWidth, "strides");
        bool same = Padding == Padding.Same;
        if (!same && (KernelHeight > input.Height || KernelWidth > input.Width))
        {
            throw new ArgumentException(
                $"the {KernelHeight}×{KernelWidth} kernel is larger than its {input.Height}×{input.Width} input; use a smaller kernel or Padding.Same.");
        }

        return Shape.Image(
            KerasConventions.OutputSize(input.Height, KernelHeight, StrideHeight, same),
            KerasConventions.OutputSize(input.Width, KernelWidth, StrideWidth, same),
            Filters);
    }

    internal override IEnumerable<WeightDeclaration> DeclareWeights(Shape input)
    {
        int receptiveField = KernelHeight * KernelWidth;
        yield return new WeightDeclaration(
            "kernel",
            [KernelHeight, KernelWidth, input.Channels, Filters],
            Trainable: true,
            KernelInitializer,
            FanIn: receptiveField * input.Channels,
            FanOut: receptiveField * Filters);
        if (UseBias)
        {
            yield return new WeightDeclaration("bias", [Filters], Trainable: true, Initializer.Zeros);
        }
    }
}
