namespace ConvGen.Generator.Model;

/// <summary>
/// One layer with every shape inferred: plain values only (no symbols, syntax or locations), so two runs of the
/// parser over equivalent source compare equal and the emitter — a pure function of these records — is skipped.
/// </summary>
internal abstract record LayerSpec(int Index, string Name, ShapeSpec Input, ShapeSpec Output)
{
    /// <summary>The Keras class: Conv2D, Dense, ...</summary>
    public abstract string KerasType { get; }

    /// <summary>The activation the layer applies to its output, if any.</summary>
    public virtual ActivationKind? OutputActivation => null;

    /// <summary>Whether the layer has trainable weights.</summary>
    public virtual bool IsTrainable => false;
}

/// <summary>A 2-D convolution; pads follow TensorFlow's 'same' rule (the odd cell after).</summary>
internal sealed record Conv2DSpec(
    int Index,
    string Name,
    ShapeSpec Input,
    ShapeSpec Output,
    int Filters,
    int KernelHeight,
    int KernelWidth,
    int StrideHeight,
    int StrideWidth,
    bool Same,
    int PadTop,
    int PadLeft,
    int PadBottom,
    int PadRight,
    ActivationKind Activation,
    bool UseBias,
    InitializerKind KernelInitializer)
    : LayerSpec(Index, Name, Input, Output)
{
    public override string KerasType => "Conv2D";

    public override ActivationKind? OutputActivation => Activation;

    public override bool IsTrainable => true;

    public bool IsPadded => PadTop + PadLeft + PadBottom + PadRight > 0;
}

/// <summary>Max or average pooling.</summary>
internal sealed record Pooling2DSpec(
    int Index,
    string Name,
    ShapeSpec Input,
    ShapeSpec Output,
    bool IsMax,
    int PoolHeight,
    int PoolWidth,
    int StrideHeight,
    int StrideWidth,
    bool Same,
    int PadTop,
    int PadLeft)
    : LayerSpec(Index, Name, Input, Output)
{
    public override string KerasType => IsMax ? "MaxPooling2D" : "AveragePooling2D";
}

internal sealed record FlattenSpec(int Index, string Name, ShapeSpec Input, ShapeSpec Output)
    : LayerSpec(Index, Name, Input, Output)
{
    public override string KerasType => "Flatten";
}

internal sealed record DenseSpec(
    int Index,
    string Name,
    ShapeSpec Input,
    ShapeSpec Output,
    int Units,
    ActivationKind Activation,
    bool UseBias,
    InitializerKind KernelInitializer)
    : LayerSpec(Index, Name, Input, Output)
{
    public override string KerasType => "Dense";

    public override ActivationKind? OutputActivation => Activation;

    public override bool IsTrainable => true;
}

internal sealed record ActivationSpec(int Index, string Name, ShapeSpec Input, ShapeSpec Output, ActivationKind Activation)
    : LayerSpec(Index, Name, Input, Output)
{
    public override string KerasType => "Activation";

    /// <summary>The name of the Conv2D or Dense right before that applies this activation as it writes its output
    /// (set by the emitter's folding, never by the parser); null when the layer runs its own kernels.</summary>
    public string? AppliedBy { get; init; }

    /// <summary>Whether the layer changes nothing the engine sees: a linear activation, or one the layer before
    /// applies. Its input is its output.</summary>
    public bool HandsInputOn => Activation == ActivationKind.Linear || AppliedBy is not null;

    public override ActivationKind? OutputActivation => Activation;
}

internal sealed record DropoutSpec(int Index, string Name, ShapeSpec Input, ShapeSpec Output, double Rate)
    : LayerSpec(Index, Name, Input, Output)
{
    public override string KerasType => "Dropout";
}

internal sealed record BatchNormalizationSpec(int Index, string Name, ShapeSpec Input, ShapeSpec Output, double Momentum, double Epsilon)
    : LayerSpec(Index, Name, Input, Output)
{
    public override string KerasType => "BatchNormalization";

    public override bool IsTrainable => true;
}

/// <summary>Rescaling (<c>x * scale + offset</c>) or Normalization (<c>(x - mean) / std</c>): an affine map with no weights.</summary>
internal sealed record AffineSpec(int Index, string Name, ShapeSpec Input, ShapeSpec Output, bool IsNormalization, double First, double Second)
    : LayerSpec(Index, Name, Input, Output)
{
    public override string KerasType => IsNormalization ? "Normalization" : "Rescaling";

    /// <summary>The factor applied: scale, or 1 / std.</summary>
    public double Scale => IsNormalization ? 1.0 / Second : First;

    /// <summary>What an input of zero becomes: -mean / std, or the offset.</summary>
    public double OfZero => IsNormalization ? -First / Second : Second;
}
