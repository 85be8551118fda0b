namespace ConvGen.Layers;

/// <summary>
/// A layer's configuration, as the attributes describe it. A <see cref="ModelDescription"/> places layers in sequence,
/// infers their shapes and lays out their weights; the engines run them.
/// </summary>
public abstract class Layer
{
    private protected Layer(string? name)
    {
        Name = name;
    }

    /// <summary>The configured name, or null for Keras' automatic one.</summary>
    public string? Name { get; }

    /// <summary>The Keras class this layer corresponds to: <c>Conv2D</c>, <c>Dense</c>, ...</summary>
    public abstract string KerasType { get; }

    /// <summary>The activation this layer applies to its output, if it applies one.</summary>
    public virtual Activation? OutputActivation => null;

    /// <summary>The output shape for <paramref name="input"/>; throws <see cref="ArgumentException"/> with a message a
    /// person can act on when the layer cannot take that input.</summary>
    internal abstract Shape ComputeOutputShape(Shape input);

    /// <summary>The weight arrays of this layer for <paramref name="input"/>, in Keras order.</summary>
    internal virtual IEnumerable<WeightDeclaration> DeclareWeights(Shape input) => [];

    private protected static void RequirePositive(int value, string what)
    {
        if (value <= 0)
        {
            throw new ArgumentException($"{what} must be positive; got {value}.");
        }
    }

    private protected static void RequireImage(Shape input, string kerasType)
    {
        if (input.IsFlat)
        {
            throw new ArgumentException($"{kerasType} needs an image input (height, width, channels); got the flat input {input}.");
        }
    }
}

/// <summary>One weight array a layer declares: its variable name, Keras shape, trainability and initialiser.</summary>
internal sealed record WeightDeclaration(string Variable, int[] Shape, bool Trainable, Initializer Initializer, int FanIn = 0, int FanOut = 0);
