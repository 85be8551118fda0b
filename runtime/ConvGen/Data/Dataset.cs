using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ConvGen;

/// <summary>
/// Labelled images (or flat samples) in memory: the pixels of sample <c>i</c> are the <see cref="SampleSize"/> floats
/// starting at <c>i * SampleSize</c>, in height-width-channel order; labels are class indices. Pixels are used as
/// given (MNIST loads as 0–1 floats, like the notebooks' <c>/= 255</c>). The arrays are shared, not copied: slices
/// are views, and a dataset never modifies them.
/// </summary>
/// <remarks>
/// Every value must be a finite number: a NaN or infinity in one sample turns the loss, the gradients and then every
/// weight into NaN, and the batch normalisation statistics with them. The constructors check, and throw an
/// <see cref="ArgumentException"/> naming the first sample that holds one, unless given
/// <c>allowNonFinite: true</c>. The arrays are not copied, so a value written into them afterwards is not checked.
/// </remarks>
public sealed class Dataset
{
    private readonly float[] _images;
    private readonly int[] _labels;
    private readonly int _first;

    /// <summary>A dataset of images of <paramref name="height"/> × <paramref name="width"/> × <paramref name="channels"/>.</summary>
    /// <param name="images">The pixels of every image, one after another.</param>
    /// <param name="labels">The class of every image.</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    /// <param name="channels">Channels per pixel.</param>
    /// <param name="allowNonFinite">Accept NaN and infinite pixels instead of refusing the first sample holding one.</param>
    public Dataset(float[] images, int[] labels, int height, int width, int channels, bool allowNonFinite = false)
        : this(images, labels, Shape.Image(height, width, channels), allowNonFinite)
    {
    }

    /// <summary>A dataset of flat samples of <paramref name="features"/> values.</summary>
    /// <param name="images">The values of every sample, one after another.</param>
    /// <param name="labels">The class of every sample.</param>
    /// <param name="features">Values per sample.</param>
    /// <param name="allowNonFinite">Accept NaN and infinite values instead of refusing the first sample holding one.</param>
    public Dataset(float[] images, int[] labels, int features, bool allowNonFinite = false)
        : this(images, labels, Shape.Flat(features), allowNonFinite)
    {
    }

    /// <summary>A dataset whose samples have <paramref name="shape"/>.</summary>
    /// <param name="images">The values of every sample, one after another.</param>
    /// <param name="labels">The class of every sample.</param>
    /// <param name="shape">The shape of one sample.</param>
    /// <param name="allowNonFinite">Accept NaN and infinite values instead of refusing the first sample holding one.</param>
    public Dataset(float[] images, int[] labels, Shape shape, bool allowNonFinite = false)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (shape.Height <= 0 || shape.Width <= 0 || shape.Channels <= 0)
        {
            throw new ArgumentException($"Every dimension of a sample must be positive; got {shape}.", nameof(shape));
        }

        if ((long)labels.Length * shape.Size != images.Length)
        {
            throw new ArgumentException(
                $"{labels.Length} labels need {(long)labels.Length * shape.Size} values of {shape} samples; images holds {images.Length}.",
                nameof(images));
        }

        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0)
            {
                throw new ArgumentException($"Label {i} is {labels[i]}; class indices start at 0.", nameof(labels));
            }
        }

        if (!allowNonFinite && FirstNonFinite(images) is int bad)
        {
            int size = shape.Size;
            throw new ArgumentException(
                $"Sample {bad / size} holds {images[bad].ToString(System.Globalization.CultureInfo.InvariantCulture)} (value {bad % size} of its {size}); every value must be a finite number. " +
                "Clean or drop the sample, or pass allowNonFinite: true to keep it.",
                nameof(images));
        }

        _images = images;
        _labels = labels;
        _first = 0;
        Count = labels.Length;
        Shape = shape;
        AllowsNonFinite = allowNonFinite;
    }

    private Dataset(Dataset source, int first, int count)
    {
        _images = source._images;
        _labels = source._labels;
        _first = source._first + first;
        Count = count;
        Shape = source.Shape;
        AllowsNonFinite = source.AllowsNonFinite;
    }

    /// <summary>Whether the dataset was created with <c>allowNonFinite: true</c> (its slices and selections inherit it).</summary>
    public bool AllowsNonFinite { get; }

    /// <summary>Number of samples.</summary>
    public int Count { get; }

    /// <summary>Shape of one sample.</summary>
    public Shape Shape { get; }

    /// <summary>Image height (1 for flat samples).</summary>
    public int Height => Shape.Height;

    /// <summary>Image width (1 for flat samples).</summary>
    public int Width => Shape.Width;

    /// <summary>Channels (the feature count for flat samples).</summary>
    public int Channels => Shape.Channels;

    /// <summary>Floats per sample.</summary>
    public int SampleSize => Shape.Size;

    /// <summary>All samples' values, one sample after another.</summary>
    public ReadOnlySpan<float> Images => _images.AsSpan(_first * SampleSize, Count * SampleSize);

    /// <summary>All labels.</summary>
    public ReadOnlySpan<int> Labels => _labels.AsSpan(_first, Count);

    /// <summary>The number of classes the labels imply: the largest label plus one.</summary>
    public int Classes
    {
        get
        {
            int max = -1;
            foreach (int label in Labels)
            {
                max = Math.Max(max, label);
            }

            return max + 1;
        }
    }

    /// <summary>A copy of sample <paramref name="index"/>'s values, ready for <see cref="Model.Predict(ReadOnlySpan{float})"/>.</summary>
    public float[] Image(int index) => ImageSpan(index).ToArray();

    /// <summary>The values of samples <paramref name="start"/> ... start + count - 1, contiguous, without a copy or a
    /// new dataset (a batch of a training or evaluation loop).</summary>
    internal ReadOnlySpan<float> ImageRows(int start, int count) => Images.Slice(start * SampleSize, count * SampleSize);

    /// <summary>Sample <paramref name="index"/>'s values, without a copy.</summary>
    public ReadOnlySpan<float> ImageSpan(int index)
    {
        CheckIndex(index);
        return _images.AsSpan((_first + index) * SampleSize, SampleSize);
    }

    /// <summary>The label of sample <paramref name="index"/>.</summary>
    public int Label(int index)
    {
        CheckIndex(index);
        return _labels[_first + index];
    }

    /// <summary>Samples <paramref name="start"/> ... <paramref name="start"/> + <paramref name="count"/> - 1, as a view.</summary>
    public Dataset Slice(int start, int count)
    {
        if (start < 0 || count < 0 || start > Count - count)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"Samples {start}..{start + count - 1} are outside a dataset of {Count}.");
        }

        return new Dataset(this, start, count);
    }

    /// <summary>The first <paramref name="count"/> samples (all of them when there are fewer), as a view.</summary>
    public Dataset Take(int count) => Slice(0, Math.Clamp(count, 0, Count));

    /// <summary>
    /// Splits off the last <paramref name="fraction"/> of the samples as Keras' <c>validation_split</c> does (before any
    /// shuffling): the first floor(n · (1 - fraction)) samples, then the rest, as views.
    /// </summary>
    public (Dataset First, Dataset Last) Split(double fraction)
    {
        if (!(fraction > 0 && fraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The fraction split off must be strictly between 0 and 1.");
        }

        int splitAt = SplitPoint(Count, fraction);
        if (splitAt <= 0 || splitAt >= Count)
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, $"Splitting {fraction} off {Count} samples leaves {Math.Max(splitAt, 0)} and {Count - Math.Max(splitAt, 0)}; both parts need at least one.");
        }

        return (Slice(0, splitAt), Slice(splitAt, Count - splitAt));
    }

    /// <summary>Keras' split point: the first floor(n · (1 - fraction)) samples form the first part.</summary>
    internal static int SplitPoint(int count, double fraction) => (int)Math.Floor(count * (1.0 - fraction));

    /// <summary>A new dataset of the samples at <paramref name="indices"/>, in that order (copied).</summary>
    public Dataset Select(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var images = new float[indices.Count * SampleSize];
        var labels = new int[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            ImageSpan(indices[i]).CopyTo(images.AsSpan(i * SampleSize, SampleSize));
            labels[i] = Label(indices[i]);
        }

        return new Dataset(images, labels, Shape, AllowsNonFinite);
    }

    /// <summary>A new dataset of this one's samples followed by <paramref name="others"/>' (copied); all must have the
    /// same sample shape.</summary>
    public Dataset Concat(params Dataset[] others)
    {
        ArgumentNullException.ThrowIfNull(others);
        return Concatenate([this, .. others]);
    }

    /// <summary>A new dataset of the samples of <paramref name="datasets"/>, in order (copied); all must have the same
    /// sample shape.</summary>
    public static Dataset Concatenate(IReadOnlyList<Dataset> datasets)
    {
        ArgumentNullException.ThrowIfNull(datasets);
        if (datasets.Count == 0)
        {
            throw new ArgumentException("Nothing to concatenate.", nameof(datasets));
        }

        Shape shape = datasets[0]?.Shape ?? throw new ArgumentException("Dataset 0 is null.", nameof(datasets));
        for (int i = 0; i < datasets.Count; i++)
        {
            if (datasets[i] is null || datasets[i].Shape != shape)
            {
                throw new ArgumentException($"Dataset {i} has samples of shape {datasets[i]?.Shape.ToString() ?? "null"}; dataset 0 has {shape}. Concatenated datasets must agree.", nameof(datasets));
            }
        }

        long count = datasets.Sum(d => (long)d.Count);
        if (count * shape.Size > Array.MaxLength)
        {
            throw new ArgumentException($"{count} samples of {shape} do not fit in one array.", nameof(datasets));
        }

        var images = new float[count * shape.Size];
        var labels = new int[count];
        int at = 0;
        foreach (Dataset data in datasets)
        {
            data.Images.CopyTo(images.AsSpan(at * shape.Size));
            data.Labels.CopyTo(labels.AsSpan(at));
            at += data.Count;
        }

        return new Dataset(images, labels, shape);
    }

    /// <summary>One-hot rows for the labels, as Keras' <c>to_categorical</c>.</summary>
    public float[][] ToCategorical(int classes) => ToCategorical(Labels, classes);

    /// <summary>One-hot rows for <paramref name="labels"/>, as Keras' <c>to_categorical(y, num_classes)</c>.</summary>
    public static float[][] ToCategorical(ReadOnlySpan<int> labels, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        var rows = new float[labels.Length][];
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classes)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), $"Label {labels[i]} of sample {i} is outside [0, {classes - 1}].");
            }

            rows[i] = new float[classes];
            rows[i][labels[i]] = 1f;
        }

        return rows;
    }

    /// <summary>Class indices of one-hot (or probability) rows: the arg-max of each, the first on ties.</summary>
    public static int[] FromCategorical(IReadOnlyList<float[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var labels = new int[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            float[] row = rows[i];
            if (row is null || row.Length == 0)
            {
                throw new ArgumentException($"Row {i} is empty.", nameof(rows));
            }

            int best = 0;
            for (int c = 1; c < row.Length; c++)
            {
                if (row[c] > row[best])
                {
                    best = c;
                }
            }

            labels[i] = best;
        }

        return labels;
    }

    /// <summary>The index of the first NaN or infinity in <paramref name="values"/>, or null: x - x is 0 for every
    /// finite x and NaN otherwise, checked a vector at a time.</summary>
    internal static int? FirstNonFinite(ReadOnlySpan<float> values)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= values.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                Vector512<float> v = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(values), (nuint)i);
                if (!Vector512.EqualsAll(v - v, Vector512<float>.Zero))
                {
                    break;
                }
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= values.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> v = Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(values), (nuint)i);
                if (!Vector256.EqualsAll(v - v, Vector256<float>.Zero))
                {
                    break;
                }
            }
        }

        for (; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }

        return null;
    }

    private void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Sample {index} is outside a dataset of {Count}.");
        }
    }
}
