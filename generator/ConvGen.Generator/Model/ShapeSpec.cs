using System;

namespace ConvGen.Generator.Model;

/// <summary>The shape of one sample: an image (height, width, channels; channels last) or a flat vector.</summary>
internal readonly record struct ShapeSpec(int Height, int Width, int Channels, bool IsFlat)
{
    public static ShapeSpec Image(int height, int width, int channels) => new(height, width, channels, IsFlat: false);

    public static ShapeSpec Flat(int features) => new(1, 1, features, IsFlat: true);

    /// <summary>Number of values in one sample (as a long: a generator guards against sizes that overflow int).</summary>
    public long Size => (long)Height * Width * Channels;

    /// <summary>Keras' notation: (26, 26, 32) or (128,).</summary>
    public override string ToString() => IsFlat ? $"({Channels},)" : $"({Height}, {Width}, {Channels})";

    /// <summary>Shape in the notation of shape comments atop emitted kernels: [N,26,26,32] or [N,128].</summary>
    public string ToBatchComment() => IsFlat ? $"[N,{Channels}]" : $"[N,{Height},{Width},{Channels}]";

    /// <summary>The shape of one sample, as the emitted comments write it.</summary>
    public string ToImageComment() => IsFlat ? $"[{Channels}]" : $"[{Height},{Width},{Channels}]";

    public bool Equals(ShapeSpec other) =>
        Height == other.Height && Width == other.Width && Channels == other.Channels && IsFlat == other.IsFlat;

    public override int GetHashCode() => unchecked((((((Height * 397) ^ Width) * 397) ^ Channels) * 2) + (IsFlat ? 1 : 0));
}

/// <summary>Activations, with the numeric values of <c>ConvGen.Activation</c> (checked by a test).</summary>
internal enum ActivationKind
{
    Linear = 0,
    Relu = 1,
    Sigmoid = 2,
    Tanh = 3,
    Softmax = 4,
}

/// <summary>Border handling, with the numeric values of <c>ConvGen.Padding</c> (checked by a test).</summary>
internal enum PaddingKind
{
    Valid = 0,
    Same = 1,
}

/// <summary>Kernel initialisers, with the numeric values of <c>ConvGen.Initializer</c> (checked by a test).</summary>
internal enum InitializerKind
{
    GlorotUniform = 0,
    GlorotNormal = 1,
    HeNormal = 2,
    HeUniform = 3,
    LecunNormal = 4,
    LecunUniform = 5,
    RandomNormal = 6,
    RandomUniform = 7,
    Zeros = 8,
    Ones = 9,
}
