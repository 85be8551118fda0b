namespace ConvGen;

/// <summary>
/// Marks a <c>partial class</c> as a sequential model with the given input shape (Keras' <c>input_shape</c>).
/// The layer attributes on the same declaration, in source order, are its layers; at build time the ConvGen
/// generator emits forward and backward code specialised to every shape, and a constructor <c>(int seed = 0)</c>.
/// </summary>
/// <example>
/// <code>
/// [Sequential(28, 28, 1)]
/// [Conv2D(32, 3, Activation = Activation.Relu)]
/// [MaxPooling2D(2)]
/// [Flatten]
/// [Dense(10, Activation = Activation.Softmax)]
/// public partial class MnistCnn;
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class SequentialAttribute : Attribute
{
    /// <summary>An image input: height, width and channels (channels last, as Keras).</summary>
    public SequentialAttribute(int height, int width, int channels)
    {
        Height = height;
        Width = width;
        Channels = channels;
    }

    /// <summary>A flat input of <paramref name="features"/> values (Keras' <c>input_dim</c>).</summary>
    public SequentialAttribute(int features)
    {
        Height = 1;
        Width = 1;
        Channels = features;
        IsFlat = true;
    }

    /// <summary>Input height (1 for a flat input).</summary>
    public int Height { get; }

    /// <summary>Input width (1 for a flat input).</summary>
    public int Width { get; }

    /// <summary>Input channels, or the number of features of a flat input.</summary>
    public int Channels { get; }

    /// <summary>Whether the input is a flat vector rather than an image.</summary>
    public bool IsFlat { get; }

    /// <summary>The model's name in summaries and weight files; the class name when not set.</summary>
    public string? Name { get; set; }
}
