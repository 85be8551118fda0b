namespace ConvGen.Benchmarks.Comparison;

/// <summary>
/// The images batch-1 inference is timed on, the same for ConvGen and PyTorch: the first <see cref="DigitCount"/> digits
/// of MNIST's test set, which every seed network classifies, taken in turn; and, as the tables before 2026-11-22 timed
/// it, the first image of the random training batch (uniform noise in [0, 1)). ConvGen's time depends on the image: a
/// Dense layer given one sample skips the kernel rows of its zero inputs, which a digit's blank background and a
/// ReLU leave many of and noise none of; PyTorch's dense kernels read every row whatever the values.
/// </summary>
internal sealed class InferenceImages
{
    /// <summary>How many test digits are cycled through: enough that no one digit's strokes decide the time.</summary>
    public const int DigitCount = 100;

    private InferenceImages(IReadOnlyList<float[]> digits, float[] noise)
    {
        Digits = digits;
        Noise = noise;
    }

    /// <summary>The test digits, each in height-width-channel order.</summary>
    public IReadOnlyList<float[]> Digits { get; }

    /// <summary>The noise image.</summary>
    public float[] Noise { get; }

    /// <summary>The digits of <paramref name="test"/> and the first image of <paramref name="batch"/>, for a network
    /// taking <paramref name="inputSize"/> floats (MNIST's 784).</summary>
    public static InferenceImages From(Dataset test, TrainingBatch batch, int inputSize)
    {
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(batch);
        if (test.SampleSize != inputSize)
        {
            throw new ArgumentException($"The network takes {inputSize} inputs; an MNIST digit has {test.SampleSize}.", nameof(inputSize));
        }

        float[][] digits = Enumerable.Range(0, DigitCount).Select(test.Image).ToArray();
        return new InferenceImages(digits, batch.Images.AsSpan(0, inputSize).ToArray());
    }
}
