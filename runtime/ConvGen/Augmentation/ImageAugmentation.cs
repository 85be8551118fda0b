using System.Globalization;
using ConvGen.Augmentation;
using ConvGen.Randomness;

namespace ConvGen;

/// <summary>
/// Random affine augmentation of training images, as Keras' <c>ImageDataGenerator</c>: each image gets a fresh random
/// rotation, zoom, shear, shift (and flips, when asked) composed into one transform and applied in one bilinear
/// resampling pass. Give it to <see cref="Model.Fit"/> (<c>augmentation:</c>): the engine's threads then augment
/// their own part of every batch, a new transform per image per epoch, drawn from the model's seed, so the same seed
/// gives the same images whatever the thread count. <see cref="Apply"/> returns augmented copies to look at.
/// </summary>
/// <remarks>
/// Conventions (see <see cref="ImageTransform"/>): angles in degrees, as today's Keras documents
/// <c>rotation_range</c> and <c>shear_range</c> (Keras 1, which the "Beating MNIST" notebook ran, read
/// <c>shear_range</c> in radians: its <c>shear_range=0.1</c> is <c>shearRange: 5.73</c> here); zoom factors drawn
/// independently per axis from [1 - zoomRange, 1 + zoomRange], a factor above 1 showing the image smaller, as Keras;
/// shift ranges as fractions of the height and width below 1 and as pixels from 1 on, as Keras; the transform is
/// centred on the centre of the pixel grid.
/// </remarks>
public sealed class ImageAugmentation
{
    // A stream of the seed given to Apply, and of the model's seed in Fit: fixed so that images depend on nothing else.
    internal const ulong Stream = 0x4155_474D;

    private PixelGrid? _grid;

    /// <summary>An augmentation drawing, for every image, a rotation in [-<paramref name="rotationRange"/>,
    /// <paramref name="rotationRange"/>] degrees, zoom factors in [1 - <paramref name="zoomRange"/>, 1 +
    /// <paramref name="zoomRange"/>] per axis, a shear in [-<paramref name="shearRange"/>, <paramref name="shearRange"/>]
    /// degrees, and shifts up to <paramref name="widthShiftRange"/> of the width and <paramref name="heightShiftRange"/>
    /// of the height either way; with <paramref name="horizontalFlip"/> or <paramref name="verticalFlip"/>, a mirror
    /// image half of the time. Every range 0 (the default) leaves images unchanged.</summary>
    /// <param name="rotationRange">Degrees, 0 to 180.</param>
    /// <param name="zoomRange">0 up to (not including) 1.</param>
    /// <param name="shearRange">Degrees, 0 up to (not including) 90.</param>
    /// <param name="widthShiftRange">A fraction of the width below 1; a number of pixels from 1 on.</param>
    /// <param name="heightShiftRange">A fraction of the height below 1; a number of pixels from 1 on.</param>
    /// <param name="fillMode">What is shown where the transform samples outside the image.</param>
    /// <param name="fillValue">The value of <see cref="FillMode.Constant"/> (Keras' <c>cval</c>).</param>
    /// <param name="horizontalFlip">Mirror left and right half of the time.</param>
    /// <param name="verticalFlip">Mirror top and bottom half of the time.</param>
    public ImageAugmentation(
        double rotationRange = 0,
        double zoomRange = 0,
        double shearRange = 0,
        double widthShiftRange = 0,
        double heightShiftRange = 0,
        FillMode fillMode = FillMode.Nearest,
        float fillValue = 0,
        bool horizontalFlip = false,
        bool verticalFlip = false)
    {
        Check(rotationRange, 180, inclusive: true, nameof(rotationRange), "degrees");
        Check(zoomRange, 1, inclusive: false, nameof(zoomRange), "a fraction: zoom factors are drawn from [1 - zoomRange, 1 + zoomRange]");
        Check(shearRange, 90, inclusive: false, nameof(shearRange), "degrees");
        Check(widthShiftRange, double.MaxValue, inclusive: true, nameof(widthShiftRange), "a fraction of the width below 1, pixels from 1 on");
        Check(heightShiftRange, double.MaxValue, inclusive: true, nameof(heightShiftRange), "a fraction of the height below 1, pixels from 1 on");
        if (!Enum.IsDefined(fillMode))
        {
            throw new ArgumentOutOfRangeException(nameof(fillMode), fillMode, "fillMode is Nearest, Constant, Reflect or Wrap.");
        }

        if (!float.IsFinite(fillValue))
        {
            throw new ArgumentOutOfRangeException(nameof(fillValue), fillValue, "fillValue must be a finite number.");
        }

        RotationRange = rotationRange;
        ZoomRange = zoomRange;
        ShearRange = shearRange;
        WidthShiftRange = widthShiftRange;
        HeightShiftRange = heightShiftRange;
        FillMode = fillMode;
        FillValue = fillValue;
        HorizontalFlip = horizontalFlip;
        VerticalFlip = verticalFlip;
    }

    /// <summary>Largest rotation either way, in degrees.</summary>
    public double RotationRange { get; }

    /// <summary>Zoom factors are drawn from [1 - ZoomRange, 1 + ZoomRange], per axis.</summary>
    public double ZoomRange { get; }

    /// <summary>Largest shear either way, in degrees.</summary>
    public double ShearRange { get; }

    /// <summary>Largest horizontal shift either way: a fraction of the width below 1, pixels from 1 on.</summary>
    public double WidthShiftRange { get; }

    /// <summary>Largest vertical shift either way: a fraction of the height below 1, pixels from 1 on.</summary>
    public double HeightShiftRange { get; }

    /// <summary>What is shown where a transform samples outside the image.</summary>
    public FillMode FillMode { get; }

    /// <summary>The value of <see cref="FillMode.Constant"/>.</summary>
    public float FillValue { get; }

    /// <summary>Whether half the images are mirrored left to right.</summary>
    public bool HorizontalFlip { get; }

    /// <summary>Whether half the images are mirrored top to bottom.</summary>
    public bool VerticalFlip { get; }

    /// <summary>
    /// Augmented copies of <paramref name="data"/>'s images (labels unchanged): image <c>i</c> gets the transform drawn
    /// from (<paramref name="seed"/>, <c>i</c>), so the same seed gives the same images.
    /// </summary>
    public Dataset Apply(Dataset data, int seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        Shape shape = CheckImages(data.Shape, nameof(data));
        var images = new float[data.Count * shape.Size];
        ulong stream = SplitMix64.Derive((ulong)(uint)seed, Stream);
        for (int i = 0; i < data.Count; i++)
        {
            Augment(data.ImageSpan(i), images.AsSpan(i * shape.Size, shape.Size), shape, SplitMix64.Derive(stream, (ulong)i));
        }

        return new Dataset(images, data.Labels.ToArray(), shape);
    }

    /// <summary>A random transform for an image of <paramref name="shape"/>, drawn from <paramref name="seed"/> as
    /// Keras' <c>get_random_transform</c> draws it.</summary>
    public ImageTransform RandomTransform(Shape shape, int seed) =>
        RandomTransform(CheckImages(shape, nameof(shape)), SplitMix64.Derive((ulong)(uint)seed, Stream));

    /// <summary>
    /// <paramref name="image"/> (of <paramref name="shape"/>, height-width-channel order) through
    /// <paramref name="transform"/>, resampled bilinearly with this augmentation's fill mode, as Keras'
    /// <c>apply_transform</c>.
    /// </summary>
    public float[] ApplyTransform(ReadOnlySpan<float> image, Shape shape, ImageTransform transform)
    {
        var output = new float[CheckImages(shape, nameof(shape)).Size];
        ApplyTransform(image, output, shape, transform);
        return output;
    }

    /// <summary>Writes <paramref name="image"/> through <paramref name="transform"/> into <paramref name="output"/>
    /// (both of <paramref name="shape"/>; they must not overlap).</summary>
    public void ApplyTransform(ReadOnlySpan<float> image, Span<float> output, Shape shape, ImageTransform transform)
    {
        CheckImages(shape, nameof(shape));
        if (image.Length != shape.Size || output.Length != shape.Size)
        {
            throw new ArgumentException($"An image of {shape} has {shape.Size} values; got {image.Length} in and room for {output.Length} out.", nameof(image));
        }

        if (image.Overlaps(output))
        {
            throw new ArgumentException("The output must not overlap the image.", nameof(output));
        }

        AffineResampler.Resample(image, output, Grid(shape), shape.Channels, transform.ToMap(shape.Height, shape.Width), FillMode, FillValue);
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"ImageAugmentation(rotation {RotationRange}°, zoom {ZoomRange}, shear {ShearRange}°, shift {WidthShiftRange} × {HeightShiftRange}, {FillMode}{(FillMode == FillMode.Constant ? $" {FillValue}" : "")}{(HorizontalFlip ? ", horizontal flips" : "")}{(VerticalFlip ? ", vertical flips" : "")})");

    /// <summary>Augments one image with the transform drawn from <paramref name="seed"/> (the training loop's per-image
    /// seed); allocates nothing once the image size has been seen.</summary>
    internal void Augment(ReadOnlySpan<float> image, Span<float> output, Shape shape, ulong seed) =>
        AffineResampler.Resample(image, output, Grid(shape), shape.Channels, RandomTransform(shape, seed).ToMap(shape.Height, shape.Width), FillMode, FillValue);

    /// <summary>Checks that <paramref name="shape"/> is an image this augmentation can transform.</summary>
    internal static Shape CheckImages(Shape shape, string parameter)
    {
        if (shape.IsFlat)
        {
            throw new ArgumentException($"Augmentation transforms images; samples of shape {shape} are flat (give the model's input as [Sequential(height, width, channels)]).", parameter);
        }

        return shape;
    }

    // Keras' order of draws: rotation, shifts (height, then width), shear, zooms, flips.
    private ImageTransform RandomTransform(Shape shape, ulong seed)
    {
        var random = new SplitMix64(seed);
        double Uniform(double range) => range == 0 ? 0 : ((2 * random.NextDouble()) - 1) * range;
        double rotation = Uniform(RotationRange);
        double shiftRows = Uniform(HeightShiftRange) * (HeightShiftRange < 1 ? shape.Height : 1);
        double shiftColumns = Uniform(WidthShiftRange) * (WidthShiftRange < 1 ? shape.Width : 1);
        double shear = Uniform(ShearRange);
        double zoomRows = 1 + Uniform(ZoomRange);
        double zoomColumns = 1 + Uniform(ZoomRange);
        bool flipHorizontal = HorizontalFlip && random.NextDouble() < 0.5;
        bool flipVertical = VerticalFlip && random.NextDouble() < 0.5;
        return new ImageTransform(rotation, shiftRows, shiftColumns, shear, zoomRows, zoomColumns, flipHorizontal, flipVertical);
    }

    // One grid per image size, kept: a shared instance may be read by several threads, which at worst build it twice.
    private PixelGrid Grid(Shape shape)
    {
        PixelGrid? grid = _grid;
        if (grid is null || grid.Height != shape.Height || grid.Width != shape.Width)
        {
            grid = new PixelGrid(shape.Height, shape.Width);
            _grid = grid;
        }

        return grid;
    }

    private static void Check(double value, double limit, bool inclusive, string parameter, string unit)
    {
        bool valid = value >= 0 && (inclusive ? value <= limit : value < limit) && double.IsFinite(value);
        if (!valid)
        {
            string bound = limit == double.MaxValue ? "a finite number, 0 or more" : $"in [0, {limit.ToString(CultureInfo.InvariantCulture)}{(inclusive ? "]" : ")")}";
            throw new ArgumentOutOfRangeException(parameter, value, $"{parameter} must be {bound} ({unit}).");
        }
    }
}
