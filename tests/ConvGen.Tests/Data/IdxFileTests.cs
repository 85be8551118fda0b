namespace ConvGen.Tests.Data;

public sealed class IdxFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void ReadsHeaderAndData()
    {
        string path = _temp.Write("images", IdxBytes.Images(2, 4, 5));

        IdxFile file = IdxFile.Read(path, 3);

        Assert.Equal([2, 4, 5], file.Dimensions);
        Assert.Equal(40, file.Data.Length);
        Assert.Equal(IdxBytes.Pixel(1, 3), file.Data[20 + 3]);
    }

    [Fact]
    public void ADirectoryIsNamedAsSuch()
    {
        // Before: "Access to the path ... is denied".
        string path = _temp.File("train-images-idx3-ubyte");
        Directory.CreateDirectory(path);

        var error = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path, 3));

        Assert.Equal($"'{path}': it is a directory, not an idx file", error.Message);
    }

    [Fact]
    public void FileShorterThanTheMagicNumber()
    {
        AssertInvalid([0, 0, 8], 3, "the file is 3 bytes long, shorter than the 4-byte idx magic number");
    }

    [Fact]
    public void EmptyFile()
    {
        AssertInvalid([], 1, "the file is 0 bytes long, shorter than the 4-byte idx magic number");
    }

    [Fact]
    public void FileShorterThanItsHeader()
    {
        AssertInvalid(
            IdxBytes.Header(0x00000803, 2, 4),
            3,
            "the file is 12 bytes long, shorter than its 16-byte header (the magic number and 3 dimension sizes)");
    }

    [Fact]
    public void LabelsMagicWhereImagesAreExpected()
    {
        AssertInvalid(
            IdxBytes.Labels(1, 2),
            3,
            "the magic number is 0x00000801 (unsigned bytes, 1 dimension: labels); expected 0x00000803 (unsigned bytes, 3 dimensions: images)");
    }

    [Fact]
    public void ImagesMagicWhereLabelsAreExpected()
    {
        AssertInvalid(
            IdxBytes.Images(1, 2, 2),
            1,
            "the magic number is 0x00000803 (unsigned bytes, 3 dimensions: images); expected 0x00000801 (unsigned bytes, 1 dimension: labels)");
    }

    [Fact]
    public void MagicOfAnotherElementType()
    {
        AssertInvalid(
            [.. IdxBytes.Header(0x00000D03, 1, 1, 1), 0, 0, 0, 0],
            3,
            "the magic number is 0x00000D03 (32-bit floats, 3 dimensions: images); expected 0x00000803 (unsigned bytes, 3 dimensions: images)");
    }

    [Fact]
    public void NotAnIdxFileAtAll()
    {
        AssertInvalid(
            [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],
            3,
            "the magic number is 0x89504E47 (not an idx file: its first two bytes must be zero); expected 0x00000803 (unsigned bytes, 3 dimensions: images)");
    }

    [Fact]
    public void ZeroSampleCount()
    {
        AssertInvalid(IdxBytes.Header(0x00000803, 0, 28, 28), 3, "dimension 1 of 3 (the sample count) is 0");
    }

    [Fact]
    public void ZeroRows()
    {
        AssertInvalid(IdxBytes.Header(0x00000803, 10, 0, 28), 3, "dimension 2 of 3 (rows) is 0");
    }

    [Fact]
    public void ZeroColumns()
    {
        AssertInvalid(IdxBytes.Header(0x00000803, 10, 28, 0), 3, "dimension 3 of 3 (columns) is 0");
    }

    [Fact]
    public void ZeroLabels()
    {
        AssertInvalid(IdxBytes.Header(0x00000801, 0), 1, "dimension 1 of 1 (the sample count) is 0");
    }

    [Fact]
    public void TruncatedData()
    {
        byte[] images = IdxBytes.Images(2, 4, 5);
        AssertInvalid(images[..^1], 3, "truncated data: expected 40 bytes of data (2 × 4 × 5, from the header), found 39 bytes");
    }

    [Fact]
    public void HeaderAlone()
    {
        AssertInvalid(IdxBytes.Header(0x00000801, 3), 1, "truncated data: expected 3 bytes of data (3, from the header), found 0 bytes");
    }

    [Fact]
    public void DimensionsWhoseProductOverflowsSixtyFourBits()
    {
        AssertInvalid(
            [.. IdxBytes.Header(0x00000803, uint.MaxValue, uint.MaxValue, uint.MaxValue), 1, 2],
            3,
            "truncated data: expected 79228162458924105385300197375 bytes of data (4294967295 × 4294967295 × 4294967295, from the header), found 2 bytes");
    }

    [Fact]
    public void TrailingBytes()
    {
        AssertInvalid(
            [.. IdxBytes.Images(2, 4, 5), 9, 9, 9],
            3,
            "3 bytes trailing after the 40 bytes of data the header (2 × 4 × 5) describes");
    }

    [Fact]
    public void OneTrailingByte()
    {
        AssertInvalid([.. IdxBytes.Labels(1, 2), 0], 1, "1 byte trailing after the 2 bytes of data the header (2) describes");
    }

    [Fact]
    public void ReadsGzipCompressedFile()
    {
        byte[] images = IdxBytes.Images(2, 4, 5);
        string path = _temp.Write("images.gz", IdxBytes.Gzip(images));

        IdxFile file = IdxFile.Read(path, 3);

        Assert.Equal(images[16..], file.Data.ToArray());
    }

    [Fact]
    public void TruncatedGzipStream()
    {
        byte[] gzip = IdxBytes.Gzip(IdxBytes.Images(50, 28, 28));
        string path = _temp.Write("images.gz", gzip[..(gzip.Length / 2)]);

        var error = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path, 3));

        Assert.StartsWith($"'{path}': corrupt gzip stream: ", error.Message);
        Assert.Contains("probably truncated", error.Message);
    }

    [Fact]
    public void GzipStreamMissingItsTrailer()
    {
        byte[] gzip = IdxBytes.Gzip(IdxBytes.Images(50, 28, 28));
        string path = _temp.Write("images.gz", gzip[..^8]);

        var error = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path, 3));

        Assert.StartsWith($"'{path}': corrupt gzip stream: ", error.Message);
    }

    [Fact]
    public void DamagedGzipStream()
    {
        byte[] gzip = IdxBytes.Gzip(IdxBytes.Images(50, 28, 28));
        for (int i = 20; i < 60; i++)
        {
            gzip[i] ^= 0x5A;
        }

        string path = _temp.Write("images.gz", gzip);

        var error = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path, 3));

        Assert.StartsWith($"'{path}': corrupt gzip stream", error.Message);
    }

    [Fact]
    public void GzipTrailerClaimingFourGigabytes()
    {
        byte[] gzip = IdxBytes.Gzip(IdxBytes.Labels(1, 2, 3));
        gzip.AsSpan(gzip.Length - 4).Fill(0xFF);
        string path = _temp.Write("labels.gz", gzip);

        var error = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path, 1));

        Assert.StartsWith($"'{path}': corrupt gzip stream", error.Message);
    }

    [Fact]
    public void GzipSuffixOnAnUncompressedFile()
    {
        string path = _temp.Write("labels.gz", IdxBytes.Labels(1, 2, 3));

        var error = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path, 1));

        Assert.Equal($"'{path}': corrupt gzip stream: the file does not start with the gzip signature 0x1F 0x8B", error.Message);
    }

    [Fact]
    public void TooShortForGzip()
    {
        string path = _temp.Write("labels.gz", [0x1F, 0x8B, 8, 0]);

        var error = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path, 1));

        Assert.Equal($"'{path}': corrupt gzip stream: the file is 4 bytes long, shorter than the smallest gzip stream (18 bytes)", error.Message);
    }

    [Fact]
    public void MalformedContentInsideGzipNamesTheCompressedFile()
    {
        string path = _temp.Write("labels.gz", IdxBytes.Gzip([.. IdxBytes.Labels(1, 2), 7]));

        var error = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path, 1));

        Assert.Equal($"'{path}': 1 byte trailing after the 2 bytes of data the header (2) describes", error.Message);
    }

    private void AssertInvalid(byte[] bytes, int dimensions, string problem)
    {
        string path = _temp.Write("file-idx-ubyte", bytes);

        var error = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path, dimensions));

        Assert.Equal($"'{path}': {problem}", error.Message);
    }
}
