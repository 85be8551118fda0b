namespace ConvGen.Benchmarks.Comparison;

/// <summary>One fixed batch of random images (uniform in [0, 1), as MNIST's pixels) and labels cycling through the
/// classes, packed as ConvGen's engines take them.</summary>
internal sealed class TrainingBatch
{
    private TrainingBatch(float[] images, int[] labels)
    {
        Images = images;
        Labels = labels;
    }

    /// <summary>The images, one after another, each in height-width-channel order.</summary>
    public float[] Images { get; }

    /// <summary>The class of each image.</summary>
    public int[] Labels { get; }

    /// <summary>Number of samples.</summary>
    public int Count => Labels.Length;

    /// <summary>A batch of <paramref name="count"/> samples for <paramref name="description"/>, drawn from <paramref name="seed"/>.</summary>
    public static TrainingBatch Random(ModelDescription description, int count, int seed)
    {
        ArgumentNullException.ThrowIfNull(description);
        var random = new Random(seed);
        var images = new float[count * description.InputShape.Size];
        for (int i = 0; i < images.Length; i++)
        {
            images[i] = random.NextSingle();
        }

        int[] labels = Enumerable.Range(0, count).Select(i => i % description.Classes).ToArray();
        return new TrainingBatch(images, labels);
    }
}
