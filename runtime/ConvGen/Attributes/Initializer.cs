namespace ConvGen;

/// <summary>How a kernel's weights are drawn when a model is created; fans are computed as Keras does.</summary>
public enum Initializer
{
    /// <summary>Keras' default: uniform in ±sqrt(6 / (fan_in + fan_out)).</summary>
    GlorotUniform,

    /// <summary>Truncated normal (two standard deviations) with stddev sqrt(2 / (fan_in + fan_out)).</summary>
    GlorotNormal,

    /// <summary>Truncated normal (two standard deviations) with stddev sqrt(2 / fan_in).</summary>
    HeNormal,

    /// <summary>Uniform in ±sqrt(6 / fan_in).</summary>
    HeUniform,

    /// <summary>Truncated normal (two standard deviations) with stddev sqrt(1 / fan_in).</summary>
    LecunNormal,

    /// <summary>Uniform in ±sqrt(3 / fan_in).</summary>
    LecunUniform,

    /// <summary>Normal with mean 0 and stddev 0.05: Keras' <c>'normal'</c> / <c>RandomNormal()</c>.</summary>
    RandomNormal,

    /// <summary>Uniform in ±0.05: Keras' <c>'uniform'</c> / <c>RandomUniform()</c>.</summary>
    RandomUniform,

    /// <summary>All zeros.</summary>
    Zeros,

    /// <summary>All ones.</summary>
    Ones,

    /// <summary>Keras' string <c>'normal'</c>: the same as <see cref="RandomNormal"/>.</summary>
    Normal = RandomNormal,

    /// <summary>Keras' string <c>'uniform'</c>: the same as <see cref="RandomUniform"/>.</summary>
    Uniform = RandomUniform,
}
