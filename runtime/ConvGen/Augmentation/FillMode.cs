namespace ConvGen;

/// <summary>
/// What an augmented image shows where its transform samples outside the original, as Keras' <c>fill_mode</c>
/// (for a row <c>abcd</c>).
/// </summary>
public enum FillMode
{
    /// <summary><c>aaaaaaaa|abcd|dddddddd</c>: the nearest edge pixel (Keras' default).</summary>
    Nearest,

    /// <summary><c>kkkkkkkk|abcd|kkkkkkkk</c>: a constant value <c>k</c> (<see cref="ImageAugmentation.FillValue"/>,
    /// Keras' <c>cval</c>).</summary>
    Constant,

    /// <summary><c>abcddcba|abcd|dcbaabcd</c>: the image mirrored about its edges.</summary>
    Reflect,

    /// <summary><c>abcdabcd|abcd|abcdabcd</c>: the image repeated.</summary>
    Wrap,
}
