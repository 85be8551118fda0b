namespace ConvGen;

/// <summary>Flattens an image to a vector in height-width-channel order (Keras' <c>Flatten</c>); costs nothing.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class FlattenAttribute : LayerAttribute
{
}

/// <summary>A fully connected layer on a flat input (Keras' <c>Dense</c>): kernel [in, units] plus a bias.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : LayerAttribute
{
    /// <summary>A layer of <paramref name="units"/> outputs.</summary>
    public DenseAttribute(int units)
    {
        Units = units;
    }

    /// <summary>Number of outputs.</summary>
    public int Units { get; }

    /// <summary>Activation applied to the output; <see cref="Activation.Linear"/> by default.</summary>
    public Activation Activation { get; set; } = Activation.Linear;

    /// <summary>Whether the layer has a bias; true by default.</summary>
    public bool UseBias { get; set; } = true;

    /// <summary>How the kernel is initialised; <see cref="Initializer.GlorotUniform"/> by default (the bias starts at zero).</summary>
    public Initializer KernelInitializer { get; set; } = Initializer.GlorotUniform;
}

/// <summary>An activation as a layer of its own, as the notebooks write <c>model.add(Activation('relu'))</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ActivationAttribute : LayerAttribute
{
    /// <summary>Applies <paramref name="activation"/> element-wise.</summary>
    public ActivationAttribute(Activation activation)
    {
        Activation = activation;
    }

    /// <summary>The activation applied.</summary>
    public Activation Activation { get; }
}

/// <summary>Inverted dropout (Keras' <c>Dropout</c>): in training, zeroes each value with probability <see cref="Rate"/>
/// and scales the rest by 1 / (1 - rate); the identity in inference.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute : LayerAttribute
{
    /// <summary>Drops values with probability <paramref name="rate"/>, in [0, 1).</summary>
    public DropoutAttribute(double rate)
    {
        Rate = rate;
    }

    /// <summary>The probability of dropping a value.</summary>
    public double Rate { get; }
}

/// <summary>
/// Batch normalisation per channel (Keras' <c>BatchNormalization</c>): batch statistics in training, moving
/// statistics in inference. Weights in Keras order: gamma, beta (trainable), moving mean, moving variance.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BatchNormalizationAttribute : LayerAttribute
{
    /// <summary>Momentum of the moving statistics; 0.99 as Keras.</summary>
    public double Momentum { get; set; } = 0.99;

    /// <summary>Added to the variance before the square root; 1e-3 as Keras.</summary>
    public double Epsilon { get; set; } = 1e-3;
}

/// <summary>Rescales the input: <c>x * scale + offset</c> (Keras' <c>Rescaling</c>), e.g. <c>Rescaling(1.0 / 255)</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class RescalingAttribute : LayerAttribute
{
    /// <summary>Multiplies by <paramref name="scale"/> and adds <paramref name="offset"/>.</summary>
    public RescalingAttribute(double scale, double offset = 0)
    {
        Scale = scale;
        Offset = offset;
    }

    /// <summary>The factor.</summary>
    public double Scale { get; }

    /// <summary>The offset added after scaling.</summary>
    public double Offset { get; }
}

/// <summary>
/// Standardises the input with a fixed mean and standard deviation: <c>(x - mean) / std</c>, as "Beating MNIST"
/// does with <c>Normalization(33.32, 78.57)</c> on 0–255 pixels.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class NormalizationAttribute : LayerAttribute
{
    /// <summary>Subtracts <paramref name="mean"/> and divides by <paramref name="std"/>.</summary>
    public NormalizationAttribute(double mean, double std)
    {
        Mean = mean;
        Std = std;
    }

    /// <summary>The mean subtracted.</summary>
    public double Mean { get; }

    /// <summary>The standard deviation divided by; must be positive.</summary>
    public double Std { get; }
}
