namespace ConvGen;

/// <summary>
/// Turns a pair of idx files, images (3 dimensions: count, rows, columns) and labels (1 dimension: count), into a
/// <see cref="Dataset"/> of single-channel images with pixels scaled to 0–1 (<c>byte / 255f</c>, as the notebooks'
/// <c>/= 255</c>).
/// </summary>
internal static class IdxDataset
{
    /// <summary>Dimensions of an idx file of images.</summary>
    public const int ImageDimensions = 3;

    /// <summary>Dimensions of an idx file of labels.</summary>
    public const int LabelDimensions = 1;

    // byte / 255f for every byte, so the conversion loop is a table look-up.
    private static readonly float[] Scaled = Enumerable.Range(0, 256).Select(b => b / 255f).ToArray();

    /// <summary>Reads, validates and pairs the idx files at <paramref name="imagesPath"/> and <paramref name="labelsPath"/>.</summary>
    public static Dataset Read(string imagesPath, string labelsPath) =>
        Create(IdxFile.Read(imagesPath, ImageDimensions), IdxFile.Read(labelsPath, LabelDimensions));

    /// <summary>Pairs already validated files; their sample counts must agree.</summary>
    public static Dataset Create(IdxFile images, IdxFile labels)
    {
        if (images.Dimensions.Count != ImageDimensions)
        {
            throw new ArgumentException($"'{images.Path}' has {images.Dimensions.Count} dimensions; images have {ImageDimensions}.", nameof(images));
        }

        if (labels.Dimensions.Count != LabelDimensions)
        {
            throw new ArgumentException($"'{labels.Path}' has {labels.Dimensions.Count} dimensions; labels have {LabelDimensions}.", nameof(labels));
        }

        int count = images.Dimensions[0];
        if (labels.Dimensions[0] != count)
        {
            throw IdxFile.Invalid(images.Path, $"{count} images, but '{labels.Path}' has {labels.Dimensions[0]} labels");
        }

        ReadOnlySpan<byte> pixels = images.Data;
        var values = new float[pixels.Length];
        float[] scaled = Scaled;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = scaled[pixels[i]];
        }

        ReadOnlySpan<byte> classes = labels.Data;
        var labelValues = new int[classes.Length];
        for (int i = 0; i < labelValues.Length; i++)
        {
            labelValues[i] = classes[i];
        }

        return new Dataset(values, labelValues, images.Dimensions[1], images.Dimensions[2], channels: 1);
    }
}
