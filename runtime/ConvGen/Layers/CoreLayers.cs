using System.Globalization;

namespace ConvGen.Layers;

/// <summary>Flattens an image in height-width-channel order (Keras' <c>Flatten</c>).</summary>
public sealed class FlattenLayer : Layer
{
    /// <summary>Creates the layer.</summary>
    public FlattenLayer(string? name = null)
        : base(name)
    {
    }

    /// <inheritdoc/>
    public override string KerasType => "Flatten";

    internal override Shape ComputeOutputShape(Shape input) => Shape.Flat(input.Size);
}

/// <summary>A fully connected layer (Keras' <c>Dense</c>); kernel [in, units], then a bias of [units].</summary>
public sealed class DenseLayer : Layer
{
    /// <summary>Creates the layer; see <see cref="DenseAttribute"/> for the meaning of each setting.</summary>
    public DenseLayer(int units, Activation activation = Activation.Linear, bool useBias = true, Initializer kernelInitializer = Initializer.GlorotUniform, string? name = null)
        : base(name)
    {
        Units = units;
        Activation = activation;
        UseBias = useBias;
        KernelInitializer = kernelInitializer;
    }

    /// <inheritdoc/>
    public override string KerasType => "Dense";

    /// <summary>Number of outputs.</summary>
    public int Units { get; }

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
        RequirePositive(Units, "units");
        if (!input.IsFlat)
        {
            throw new ArgumentException($"Dense needs a flat input; got the image {input}. Add a Flatten layer before it.");
        }

        return Shape.Flat(Units);
    }

    internal override IEnumerable<WeightDeclaration> DeclareWeights(Shape input)
    {
        yield return new WeightDeclaration("kernel", [input.Size, Units], Trainable: true, KernelInitializer, FanIn: input.Size, FanOut: Units);
        if (UseBias)
        {
            yield return new WeightDeclaration("bias", [Units], Trainable: true, Initializer.Zeros);
        }
    }
}

/// <summary>An activation as a layer of its own (Keras' <c>Activation</c>).</summary>
public sealed class ActivationLayer : Layer
{
    /// <summary>Creates the layer.</summary>
    public ActivationLayer(Activation activation, string? name = null)
        : base(name)
    {
        Activation = activation;
    }

    /// <inheritdoc/>
    public override string KerasType => "Activation";

    /// <summary>The activation applied.</summary>
    public Activation Activation { get; }

    /// <inheritdoc/>
    public override Activation? OutputActivation => Activation;

    internal override Shape ComputeOutputShape(Shape input) => input;
}

/// <summary>Inverted dropout (Keras' <c>Dropout</c>).</summary>
public sealed class DropoutLayer : Layer
{
    /// <summary>Creates the layer; <paramref name="rate"/> must be in [0, 1).</summary>
    public DropoutLayer(double rate, string? name = null)
        : base(name)
    {
        Rate = rate;
    }

    /// <inheritdoc/>
    public override string KerasType => "Dropout";

    /// <summary>The probability of dropping a value.</summary>
    public double Rate { get; }

    internal override Shape ComputeOutputShape(Shape input)
    {
        if (!(Rate >= 0 && Rate < 1))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"the dropout rate must be in [0, 1); got {Rate}."));
        }

        return input;
    }
}

/// <summary>Batch normalisation per channel (Keras' <c>BatchNormalization</c>).</summary>
public sealed class BatchNormalizationLayer : Layer
{
    /// <summary>Creates the layer with Keras' defaults (momentum 0.99, epsilon 1e-3).</summary>
    public BatchNormalizationLayer(double momentum = 0.99, double epsilon = 1e-3, string? name = null)
        : base(name)
    {
        Momentum = momentum;
        Epsilon = epsilon;
    }

    /// <inheritdoc/>
    public override string KerasType => "BatchNormalization";

    /// <summary>Momentum of the moving statistics.</summary>
    public double Momentum { get; }

    /// <summary>Added to the variance before the square root.</summary>
    public double Epsilon { get; }

    internal override Shape ComputeOutputShape(Shape input)
    {
        if (!(Momentum >= 0 && Momentum <= 1))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"the momentum must be in [0, 1]; got {Momentum}."));
        }

        if (!(Epsilon > 0))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"epsilon must be positive; got {Epsilon}."));
        }

        return input;
    }

    internal override IEnumerable<WeightDeclaration> DeclareWeights(Shape input)
    {
        int channels = input.Channels;
        yield return new WeightDeclaration("gamma", [channels], Trainable: true, Initializer.Ones);
        yield return new WeightDeclaration("beta", [channels], Trainable: true, Initializer.Zeros);
        yield return new WeightDeclaration("moving_mean", [channels], Trainable: false, Initializer.Zeros);
        yield return new WeightDeclaration("moving_variance", [channels], Trainable: false, Initializer.Ones);
    }
}

/// <summary>Rescales the input: <c>x * scale + offset</c> (Keras' <c>Rescaling</c>).</summary>
public sealed class RescalingLayer : Layer
{
    /// <summary>Creates the layer.</summary>
    public RescalingLayer(double scale, double offset = 0, string? name = null)
        : base(name)
    {
        Scale = scale;
        Offset = offset;
    }

    /// <inheritdoc/>
    public override string KerasType => "Rescaling";

    /// <summary>The factor.</summary>
    public double Scale { get; }

    /// <summary>The offset added after scaling.</summary>
    public double Offset { get; }

    internal override Shape ComputeOutputShape(Shape input)
    {
        if (!double.IsFinite(Scale) || !double.IsFinite(Offset))
        {
            throw new ArgumentException("scale and offset must be finite numbers.");
        }

        return input;
    }
}

/// <summary>Standardises the input with a fixed mean and standard deviation: <c>(x - mean) / std</c>.</summary>
public sealed class NormalizationLayer : Layer
{
    /// <summary>Creates the layer; <paramref name="std"/> must be positive.</summary>
    public NormalizationLayer(double mean, double std, string? name = null)
        : base(name)
    {
        Mean = mean;
        Std = std;
    }

    /// <inheritdoc/>
    public override string KerasType => "Normalization";

    /// <summary>The mean subtracted.</summary>
    public double Mean { get; }

    /// <summary>The standard deviation divided by.</summary>
    public double Std { get; }

    internal override Shape ComputeOutputShape(Shape input)
    {
        if (!double.IsFinite(Mean) || !(Std > 0) || !double.IsFinite(Std))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"the standard deviation must be a positive number and the mean finite; got mean {Mean}, std {Std}."));
        }

        return input;
    }
}
