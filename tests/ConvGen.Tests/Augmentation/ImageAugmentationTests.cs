namespace ConvGen.Tests.Augmentation;

/// <summary>
/// <see cref="ImageAugmentation"/>: each transform alone against a reference computed independently here (a quarter
/// turn as a transpose and flip, whole-pixel shifts as index arithmetic, zooms of linear images as the linear function
/// at the zoomed coordinates), the fill modes, the random draws' ranges and seeds, and bad arguments.
/// </summary>
public class ImageAugmentationTests
{
    private static readonly ImageAugmentation Plain = new();

    [Fact]
    public void EveryRangeZeroLeavesTheImagesAsTheyAre()
    {
        Dataset data = RandomImages(count: 20, height: 28, width: 28, channels: 1, seed: 1);
        Dataset same = new ImageAugmentation().Apply(data, seed: 7);
        Assert.Equal(data.Images.ToArray(), same.Images.ToArray());
        Assert.Equal(data.Labels.ToArray(), same.Labels.ToArray());
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(28)]
    public void AQuarterTurnMovesWholePixels(int size)
    {
        float[] image = Ramp(size, size, 1);
        float[] turned = Plain.ApplyTransform(image, Shape.Image(size, size, 1), new ImageTransform(RotationDegrees: 90));
        for (int r = 0; r < size; r++)
        {
            for (int c = 0; c < size; c++)
            {
                // The output at (r, c) samples the input at (n - 1 - c, r): a transpose, then rows reversed.
                Assert.Equal(image[((size - 1 - c) * size) + r], turned[(r * size) + c]);
            }
        }
    }

    [Theory]
    [InlineData(FillMode.Nearest)]
    [InlineData(FillMode.Constant)]
    [InlineData(FillMode.Reflect)]
    [InlineData(FillMode.Wrap)]
    public void ShiftsByWholePixelsReadTheFillModeBeyondTheEdges(FillMode mode)
    {
        const int height = 5, width = 7;
        float[] image = Ramp(height, width, 1);
        var augmentation = new ImageAugmentation(fillMode: mode, fillValue: -2.5f);
        foreach ((int down, int right) in new[] { (3, 0), (-4, 0), (0, 9), (2, -3), (-12, 15) })
        {
            float[] shifted = augmentation.ApplyTransform(image, Shape.Image(height, width, 1), new ImageTransform(ShiftRows: down, ShiftColumns: right));
            for (int r = 0; r < height; r++)
            {
                for (int c = 0; c < width; c++)
                {
                    int row = r + down, column = c + right;
                    float expected = mode == FillMode.Constant && (row < 0 || row >= height || column < 0 || column >= width)
                        ? -2.5f
                        : image[(Fold(row, height, mode) * width) + Fold(column, width, mode)];
                    Assert.Equal(expected, shifted[(r * width) + c]);
                }
            }
        }
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(0.5)]
    [InlineData(1.25)]
    public void ZoomAboutTheCentreSamplesTheScaledCoordinates(double zoom)
    {
        // Bilinear interpolation reproduces a linear image exactly, so the output is the linear function at the
        // zoomed coordinates (clamped to the image, for Nearest).
        const int size = 9;
        const double centre = 4;
        var image = new float[size * size];
        for (int r = 0; r < size; r++)
        {
            for (int c = 0; c < size; c++)
            {
                image[(r * size) + c] = Linear(r, c);
            }
        }

        float[] zoomed = Plain.ApplyTransform(image, Shape.Image(size, size, 1), new ImageTransform(ZoomRows: zoom, ZoomColumns: zoom));
        for (int r = 0; r < size; r++)
        {
            for (int c = 0; c < size; c++)
            {
                double row = Math.Clamp(centre + (zoom * (r - centre)), 0, size - 1);
                double column = Math.Clamp(centre + (zoom * (c - centre)), 0, size - 1);
                Assert.Equal(Linear(row, column), zoomed[(r * size) + c], 4);
            }
        }

        static float Linear(double r, double c) => (float)((3 * r) + (5 * c) + 1);
    }

    [Fact]
    public void FlipsMirrorTheImage()
    {
        const int height = 4, width = 6;
        float[] image = Ramp(height, width, 1);
        Shape shape = Shape.Image(height, width, 1);
        float[] horizontal = Plain.ApplyTransform(image, shape, new ImageTransform(FlipHorizontal: true));
        float[] vertical = Plain.ApplyTransform(image, shape, new ImageTransform(FlipVertical: true));
        for (int r = 0; r < height; r++)
        {
            for (int c = 0; c < width; c++)
            {
                Assert.Equal(image[(r * width) + (width - 1 - c)], horizontal[(r * width) + c]);
                Assert.Equal(image[((height - 1 - r) * width) + c], vertical[(r * width) + c]);
            }
        }
    }

    [Fact]
    public void EveryChannelGetsTheSameTransform()
    {
        const int height = 11, width = 13, channels = 3;
        Dataset rgb = RandomImages(count: 1, height, width, channels, seed: 3);
        var transform = new ImageTransform(RotationDegrees: 17, ShiftRows: 1.3, ShiftColumns: -0.6, ShearDegrees: 6, ZoomRows: 0.9, ZoomColumns: 1.1);
        var augmentation = new ImageAugmentation(fillMode: FillMode.Reflect);
        float[] whole = augmentation.ApplyTransform(rgb.ImageSpan(0), rgb.Shape, transform);
        for (int channel = 0; channel < channels; channel++)
        {
            float[] plane = Enumerable.Range(0, height * width).Select(p => rgb.ImageSpan(0)[(p * channels) + channel]).ToArray();
            float[] alone = augmentation.ApplyTransform(plane, Shape.Image(height, width, 1), transform);
            Assert.Equal(alone, Enumerable.Range(0, height * width).Select(p => whole[(p * channels) + channel]).ToArray());
        }
    }

    [Theory]
    [Trait("Category", "Gradients")]
    [InlineData(FillMode.Nearest)]
    [InlineData(FillMode.Constant)]
    [InlineData(FillMode.Reflect)]
    [InlineData(FillMode.Wrap)]
    public void TheResamplerMatchesAPlainBilinearReferenceOnEveryVectorWidth(FillMode mode)
    {
        // Category Gradients: CI reruns it with AVX-512 and AVX2 switched off, where Vector<float> is narrower.
        const int height = 28, width = 27;
        Dataset data = RandomImages(count: 1, height, width, 1, seed: 5);
        var augmentation = new ImageAugmentation(fillMode: mode, fillValue: 0.25f);
        var random = new Random(11);
        for (int trial = 0; trial < 30; trial++)
        {
            var transform = new ImageTransform(
                RotationDegrees: (random.NextDouble() * 360) - 180,
                ShiftRows: (random.NextDouble() * 20) - 10,
                ShiftColumns: (random.NextDouble() * 20) - 10,
                ShearDegrees: (random.NextDouble() * 60) - 30,
                ZoomRows: 0.5 + random.NextDouble(),
                ZoomColumns: 0.5 + random.NextDouble(),
                FlipHorizontal: trial % 3 == 0);
            float[] output = augmentation.ApplyTransform(data.ImageSpan(0), data.Shape, transform);
            float[] expected = ReferenceResample(data.Image(0), height, width, transform, mode, 0.25f);
            for (int p = 0; p < output.Length; p++)
            {
                Assert.True(Math.Abs(expected[p] - output[p]) < 2e-4, $"trial {trial}, pixel {p}: {output[p]} against {expected[p]}");
            }
        }
    }

    [Fact]
    public void RandomTransformsStayInTheirRangesAndFillThem()
    {
        var augmentation = new ImageAugmentation(rotationRange: 10, zoomRange: 0.1, shearRange: 5.7, widthShiftRange: 0.1, heightShiftRange: 2, horizontalFlip: true);
        Shape shape = Shape.Image(28, 20, 1);
        ImageTransform[] draws = Enumerable.Range(0, 2000).Select(seed => augmentation.RandomTransform(shape, seed)).ToArray();
        AssertSpans(draws.Select(t => t.RotationDegrees), -10, 10);
        AssertSpans(draws.Select(t => t.ZoomRows), 0.9, 1.1);
        AssertSpans(draws.Select(t => t.ZoomColumns), 0.9, 1.1);
        AssertSpans(draws.Select(t => t.ShearDegrees), -5.7, 5.7);
        AssertSpans(draws.Select(t => t.ShiftColumns), -2, 2);   // 0.1 of the width, 20 pixels
        AssertSpans(draws.Select(t => t.ShiftRows), -2, 2);      // 2 pixels: a range of 1 or more is in pixels
        Assert.InRange(draws.Count(t => t.FlipHorizontal), 900, 1100);
        Assert.DoesNotContain(draws, t => t.FlipVertical);
        Assert.NotEqual(draws.Select(t => t.ZoomRows), draws.Select(t => t.ZoomColumns));

        static void AssertSpans(IEnumerable<double> values, double low, double high)
        {
            double[] all = values.ToArray();
            Assert.All(all, v => Assert.InRange(v, low, high));
            Assert.True(all.Min() < low + ((high - low) * 0.02) && all.Max() > high - ((high - low) * 0.02), $"draws span [{all.Min()}, {all.Max()}] of [{low}, {high}]");
        }
    }

    [Fact]
    public void TheSameSeedGivesTheSameImagesAndAnotherSeedOthers()
    {
        Dataset data = RandomImages(count: 8, height: 28, width: 28, channels: 1, seed: 2);
        var augmentation = new ImageAugmentation(rotationRange: 10, zoomRange: 0.1, shearRange: 5.73, widthShiftRange: 0.1, heightShiftRange: 0.1);
        float[] first = augmentation.Apply(data, seed: 1).Images.ToArray();
        Assert.Equal(first, augmentation.Apply(data, seed: 1).Images.ToArray());
        Assert.NotEqual(first, augmentation.Apply(data, seed: 2).Images.ToArray());

        // Image i of Apply is image i's own draw: the first four alone give the first four of all eight.
        Assert.Equal(first.AsSpan(0, 4 * 784).ToArray(), augmentation.Apply(data.Take(4), seed: 1).Images.ToArray());
    }

    [Fact]
    public void BadArgumentsAreRejectedWithTheParameterNamed()
    {
        Assert.Equal("rotationRange", Assert.Throws<ArgumentOutOfRangeException>(() => new ImageAugmentation(rotationRange: -1)).ParamName);
        Assert.Equal("rotationRange", Assert.Throws<ArgumentOutOfRangeException>(() => new ImageAugmentation(rotationRange: double.NaN)).ParamName);
        Assert.Equal("zoomRange", Assert.Throws<ArgumentOutOfRangeException>(() => new ImageAugmentation(zoomRange: 1)).ParamName);
        Assert.Equal("zoomRange", Assert.Throws<ArgumentOutOfRangeException>(() => new ImageAugmentation(zoomRange: -0.1)).ParamName);
        Assert.Equal("shearRange", Assert.Throws<ArgumentOutOfRangeException>(() => new ImageAugmentation(shearRange: double.PositiveInfinity)).ParamName);
        Assert.Equal("widthShiftRange", Assert.Throws<ArgumentOutOfRangeException>(() => new ImageAugmentation(widthShiftRange: -0.1)).ParamName);
        Assert.Equal("heightShiftRange", Assert.Throws<ArgumentOutOfRangeException>(() => new ImageAugmentation(heightShiftRange: double.NaN)).ParamName);
        Assert.Equal("fillMode", Assert.Throws<ArgumentOutOfRangeException>(() => new ImageAugmentation(fillMode: (FillMode)9)).ParamName);
        Assert.Equal("fillValue", Assert.Throws<ArgumentOutOfRangeException>(() => new ImageAugmentation(fillValue: float.NaN)).ParamName);
        Assert.Contains("rotationRange must be in [0, 180]", Assert.Throws<ArgumentOutOfRangeException>(() => new ImageAugmentation(rotationRange: 200)).Message);

        var flat = new Dataset(new float[12], new int[3], features: 4);
        Assert.Contains("flat", Assert.Throws<ArgumentException>(() => Plain.Apply(flat, 0)).Message);
        Assert.Contains("finite", Assert.Throws<ArgumentException>(() => Plain.ApplyTransform(new float[9], Shape.Image(3, 3, 1), new ImageTransform(RotationDegrees: double.NaN))).Message);
        Assert.Throws<ArgumentException>(() => Plain.ApplyTransform(new float[8], Shape.Image(3, 3, 1), ImageTransform.Identity));
    }

    // An image whose pixels are all different, so any misplaced pixel shows.
    internal static float[] Ramp(int height, int width, int channels) =>
        Enumerable.Range(0, height * width * channels).Select(i => (float)((i * 7) % 101)).ToArray();

    /// <summary>Uniform pixels, labels cycling through <paramref name="classes"/> classes.</summary>
    internal static Dataset RandomImages(int count, int height, int width, int channels, int seed, int classes = 3)
    {
        var random = new Random(seed);
        float[] images = Enumerable.Range(0, count * height * width * channels).Select(_ => (float)random.NextDouble()).ToArray();
        return new Dataset(images, Enumerable.Range(0, count).Select(i => i % classes).ToArray(), height, width, channels);
    }

    private static int Fold(int index, int size, FillMode mode)
    {
        switch (mode)
        {
            case FillMode.Wrap:
                return ((index % size) + size) % size;
            case FillMode.Reflect:
                int m = ((index % (2 * size)) + (2 * size)) % (2 * size);
                return m < size ? m : (2 * size) - 1 - m;
            default:
                return Math.Clamp(index, 0, size - 1);
        }
    }

    // Bilinear resampling in double, one pixel at a time, from the transform's definition.
    private static float[] ReferenceResample(float[] image, int height, int width, ImageTransform t, FillMode mode, float fill)
    {
        double theta = t.RotationDegrees * Math.PI / 180, shear = t.ShearDegrees * Math.PI / 180;
        double cy = (height - 1) / 2.0, cx = (width - 1) / 2.0;
        var output = new float[height * width];
        for (int r = 0; r < height; r++)
        {
            for (int c = 0; c < width; c++)
            {
                // Flips, zoom, shear, shift, rotation: the right-to-left product of ImageTransform's definition.
                double y = (r - cy) * (t.FlipVertical ? -1 : 1), x = (c - cx) * (t.FlipHorizontal ? -1 : 1);
                (y, x) = (y * t.ZoomRows, x * t.ZoomColumns);
                (y, x) = (y - (Math.Sin(shear) * x), Math.Cos(shear) * x);
                (y, x) = (y + t.ShiftRows, x + t.ShiftColumns);
                (y, x) = ((Math.Cos(theta) * y) - (Math.Sin(theta) * x), (Math.Sin(theta) * y) + (Math.Cos(theta) * x));
                double sy = y + cy, sx = x + cx;
                int y0 = (int)Math.Floor(sy), x0 = (int)Math.Floor(sx);
                double fy = sy - y0, fx = sx - x0;
                double Pixel(int row, int column) => mode == FillMode.Constant && (row < 0 || row >= height || column < 0 || column >= width)
                    ? fill
                    : image[(Fold(row, height, mode) * width) + Fold(column, width, mode)];
                double top = Pixel(y0, x0) + (fx * (Pixel(y0, x0 + 1) - Pixel(y0, x0)));
                double bottom = Pixel(y0 + 1, x0) + (fx * (Pixel(y0 + 1, x0 + 1) - Pixel(y0 + 1, x0)));
                output[(r * width) + c] = (float)(top + (fy * (bottom - top)));
            }
        }

        return output;
    }
}
