namespace ConvGen.Tests.Data;

/// <summary><see cref="Mnist.Load(string)"/>: users' own idx files, in any of the accepted names.</summary>
public sealed class MnistDirectoryTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void LoadsImagesAsZeroToOneFloatsWithTheHeaderShape()
    {
        IdxBytes.WriteAll(_temp.Path, IdxBytes.SmallSet());

        (Dataset train, Dataset test) = Mnist.Load(_temp.Path);

        Assert.Equal(3, train.Count);
        Assert.Equal(2, test.Count);
        Assert.Equal(Shape.Image(4, 5, 1), train.Shape);
        Assert.Equal(Shape.Image(4, 5, 1), test.Shape);
        Assert.Equal([5, 0, 4], train.Labels.ToArray());
        Assert.Equal([7, 2], test.Labels.ToArray());
        for (int i = 0; i < train.Count; i++)
        {
            ReadOnlySpan<float> image = train.ImageSpan(i);
            for (int j = 0; j < image.Length; j++)
            {
                Assert.Equal(IdxBytes.Pixel(i, j) / 255f, image[j]);
            }
        }
    }

    [Fact]
    public void ExtremePixelsMapToZeroAndOne()
    {
        IdxBytes.WriteAll(_temp.Path, IdxBytes.SmallSet());
        _temp.Write("train-images-idx3-ubyte", [.. IdxBytes.Header(0x00000803, 3, 1, 2), 0, 255, 0, 255, 128, 1]);

        (Dataset train, _) = Mnist.Load(_temp.Path);

        Assert.Equal([0f, 1f, 0f, 1f, 128 / 255f, 1 / 255f], train.Images.ToArray());
        Assert.Equal(Shape.Image(1, 2, 1), train.Shape);
    }

    [Theory]
    [InlineData("{0}")]
    [InlineData("{1}")]
    [InlineData("{0}.gz")]
    [InlineData("{1}.gz")]
    public void AcceptsEveryNamingVariant(string pattern)
    {
        foreach ((string name, byte[] bytes) in IdxBytes.SmallSet())
        {
            string dotted = name.Replace("-idx", ".idx", StringComparison.Ordinal);
            string fileName = string.Format(System.Globalization.CultureInfo.InvariantCulture, pattern, name, dotted);
            _temp.Write(fileName, fileName.EndsWith(".gz", StringComparison.Ordinal) ? IdxBytes.Gzip(bytes) : bytes);
        }

        (Dataset train, Dataset test) = Mnist.Load(_temp.Path);

        Assert.Equal([5, 0, 4], train.Labels.ToArray());
        Assert.Equal([7, 2], test.Labels.ToArray());
        Assert.Equal(IdxBytes.Pixel(2, 19) / 255f, train.ImageSpan(2)[19]);
    }

    [Fact]
    public void PrefersTheUncompressedFileOverItsArchive()
    {
        IdxBytes.WriteAll(_temp.Path, IdxBytes.SmallSet());
        _temp.Write("train-labels-idx1-ubyte.gz", IdxBytes.Gzip(IdxBytes.Labels(1, 1, 1)));

        (Dataset train, _) = Mnist.Load(_temp.Path);

        Assert.Equal([5, 0, 4], train.Labels.ToArray());
    }

    [Fact]
    public void MissingFileListsTheNamesTried()
    {
        IdxBytes.WriteAll(_temp.Path, IdxBytes.SmallSet());
        File.Delete(_temp.File("t10k-labels-idx1-ubyte"));

        var error = Assert.Throws<FileNotFoundException>(() => Mnist.Load(_temp.Path));

        Assert.Equal(
            $"'{_temp.Path}': no MNIST file t10k-labels-idx1-ubyte: looked for t10k-labels-idx1-ubyte, t10k-labels.idx1-ubyte, t10k-labels-idx1-ubyte.gz, t10k-labels.idx1-ubyte.gz.",
            error.Message);
    }

    [Fact]
    public void MissingDirectory()
    {
        string missing = _temp.File("nowhere");

        var error = Assert.Throws<DirectoryNotFoundException>(() => Mnist.Load(missing));

        Assert.Contains(missing, error.Message);
    }

    [Fact]
    public void ImageAndLabelCountsMustAgree()
    {
        IdxBytes.WriteAll(_temp.Path, IdxBytes.SmallSet());
        _temp.Write("t10k-labels-idx1-ubyte", IdxBytes.Labels(7, 2, 1));

        var error = Assert.Throws<InvalidDataException>(() => Mnist.Load(_temp.Path));

        Assert.Equal(
            $"'{_temp.File("t10k-images-idx3-ubyte")}': 2 images, but '{_temp.File("t10k-labels-idx1-ubyte")}' has 3 labels",
            error.Message);
    }

    [Fact]
    public void MalformedFileIsReportedWithItsPath()
    {
        IdxBytes.WriteAll(_temp.Path, IdxBytes.SmallSet());
        _temp.Write("t10k-images-idx3-ubyte", IdxBytes.Images(2, 4, 5)[..^7]);

        var error = Assert.Throws<InvalidDataException>(() => Mnist.Load(_temp.Path));

        Assert.Equal(
            $"'{_temp.File("t10k-images-idx3-ubyte")}': truncated data: expected 40 bytes of data (2 × 4 × 5, from the header), found 33 bytes",
            error.Message);
    }

    [Fact]
    public void CorruptArchiveIsReportedWithItsPath()
    {
        IdxBytes.WriteAll(_temp.Path, IdxBytes.SmallSet());
        File.Delete(_temp.File("train-labels-idx1-ubyte"));
        byte[] gzip = IdxBytes.Gzip(IdxBytes.Labels(5, 0, 4));
        string path = _temp.Write("train-labels.idx1-ubyte.gz", gzip[..^3]);

        var error = Assert.Throws<InvalidDataException>(() => Mnist.Load(_temp.Path));

        Assert.StartsWith($"'{path}': corrupt gzip stream", error.Message);
    }
}
