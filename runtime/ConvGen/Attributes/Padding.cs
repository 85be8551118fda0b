namespace ConvGen;

/// <summary>How a convolution or pooling window treats the border, exactly as TensorFlow/Keras do.</summary>
public enum Padding
{
    /// <summary>No padding: the output has floor((input - window) / stride) + 1 positions.</summary>
    Valid,

    /// <summary>
    /// Pad so the output has ceil(input / stride) positions; when the total padding is odd the extra row or column
    /// goes at the bottom or right. Padded cells count as zeros in a convolution, never win a max-pool and never
    /// count in an average.
    /// </summary>
    Same,
}
