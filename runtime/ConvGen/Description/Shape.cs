using System.Globalization;

namespace ConvGen;

/// <summary>The shape of one sample: an image (height, width, channels; channels last, as Keras) or a flat vector.</summary>
public readonly record struct Shape
{
    private Shape(int height, int width, int channels, bool isFlat)
    {
        Height = height;
        Width = width;
        Channels = channels;
        IsFlat = isFlat;
    }

    /// <summary>An image of <paramref name="height"/> × <paramref name="width"/> × <paramref name="channels"/>.</summary>
    public static Shape Image(int height, int width, int channels) => new(height, width, channels, isFlat: false);

    /// <summary>A flat vector of <paramref name="features"/> values.</summary>
    public static Shape Flat(int features) => new(1, 1, features, isFlat: true);

    /// <summary>Height (1 for a flat shape).</summary>
    public int Height { get; }

    /// <summary>Width (1 for a flat shape).</summary>
    public int Width { get; }

    /// <summary>Channels, or the number of features of a flat shape.</summary>
    public int Channels { get; }

    /// <summary>Whether this is a flat vector.</summary>
    public bool IsFlat { get; }

    /// <summary>Number of values in one sample.</summary>
    public int Size => Height * Width * Channels;

    /// <summary>Keras' notation with the batch axis: <c>(None, 26, 26, 32)</c> or <c>(None, 128)</c>.</summary>
    public string ToBatchString() => IsFlat
        ? string.Create(CultureInfo.InvariantCulture, $"(None, {Channels})")
        : string.Create(CultureInfo.InvariantCulture, $"(None, {Height}, {Width}, {Channels})");

    /// <summary><c>(26, 26, 32)</c> or <c>(128,)</c>, as Python prints a shape.</summary>
    public override string ToString() => IsFlat
        ? string.Create(CultureInfo.InvariantCulture, $"({Channels},)")
        : string.Create(CultureInfo.InvariantCulture, $"({Height}, {Width}, {Channels})");
}
