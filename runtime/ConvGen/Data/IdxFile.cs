using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;

namespace ConvGen;

/// <summary>
/// An idx file of unsigned bytes (the format MNIST is published in), validated: a 4-byte magic number
/// <c>0x000008NN</c> (type 0x08 = unsigned byte, NN dimensions), NN big-endian 32-bit dimension sizes, then exactly
/// the product of the sizes in bytes of data. A path ending in <c>.gz</c> is decompressed first. Every problem is an
/// <see cref="InvalidDataException"/> whose message is <c>'&lt;path&gt;': &lt;problem&gt;</c>.
/// </summary>
internal sealed class IdxFile
{
    /// <summary>The idx type code for unsigned bytes, the only element type MNIST uses.</summary>
    private const byte UnsignedByte = 0x08;

    private readonly byte[] _bytes;
    private readonly int _dataOffset;

    private IdxFile(string path, byte[] bytes, int[] dimensions, int dataOffset)
    {
        Path = path;
        _bytes = bytes;
        Dimensions = dimensions;
        _dataOffset = dataOffset;
    }

    /// <summary>The file's path, as used in error messages.</summary>
    public string Path { get; }

    /// <summary>The dimension sizes from the header, outermost (the sample count) first.</summary>
    public IReadOnlyList<int> Dimensions { get; }

    /// <summary>The data: every element, in row-major order.</summary>
    public ReadOnlySpan<byte> Data => _bytes.AsSpan(_dataOffset);

    /// <summary>Reads and validates the idx file at <paramref name="path"/> of <paramref name="dimensions"/> dimensions.</summary>
    public static IdxFile Read(string path, int dimensions) => Parse(path, ReadBytes(path), dimensions);

    /// <summary>
    /// The contents of <paramref name="path"/>, decompressed when the name ends in <c>.gz</c>. A damaged or truncated
    /// gzip stream is an <see cref="InvalidDataException"/>; .NET's decompressor accepts a truncated stream silently,
    /// so the length recorded in the gzip trailer is checked too (which assumes a single gzip member, as gzip writes).
    /// </summary>
    public static byte[] ReadBytes(string path)
    {
        if (Directory.Exists(path))
        {
            throw Invalid(path, "it is a directory, not an idx file");
        }

        byte[] bytes = File.ReadAllBytes(path);
        return path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? Gunzip(path, bytes) : bytes;
    }

    /// <summary>Validates <paramref name="bytes"/>, the contents of <paramref name="path"/>, as an idx file of unsigned bytes.</summary>
    public static IdxFile Parse(string path, byte[] bytes, int dimensions)
    {
        if (bytes.Length < 4)
        {
            throw Invalid(path, $"the file is {Bytes(bytes.Length)} long, shorter than the 4-byte idx magic number");
        }

        uint magic = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        uint expected = (uint)(UnsignedByte << 8 | dimensions);
        if (magic != expected)
        {
            throw Invalid(path, $"the magic number is {Hex(magic)} ({DescribeMagic(magic)}); expected {Hex(expected)} ({DescribeMagic(expected)})");
        }

        int headerLength = 4 + 4 * dimensions;
        if (bytes.Length < headerLength)
        {
            throw Invalid(path, $"the file is {Bytes(bytes.Length)} long, shorter than its {headerLength}-byte header (the magic number and {dimensions} dimension sizes)");
        }

        var sizes = new uint[dimensions];
        UInt128 dataLength = 1;
        for (int d = 0; d < dimensions; d++)
        {
            sizes[d] = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(4 + 4 * d));
            if (sizes[d] == 0)
            {
                throw Invalid(path, $"dimension {d + 1} of {dimensions} ({DimensionName(dimensions, d)}) is 0");
            }

            dataLength *= sizes[d];
        }

        int found = bytes.Length - headerLength;
        string promised = string.Join(" × ", sizes.Select(s => s.ToString(CultureInfo.InvariantCulture)));
        if (dataLength > (UInt128)found)
        {
            throw Invalid(path, $"truncated data: expected {Bytes(dataLength)} of data ({promised}, from the header), found {Bytes(found)}");
        }

        if (dataLength < (UInt128)found)
        {
            throw Invalid(path, $"{Bytes((UInt128)found - dataLength)} trailing after the {Bytes(dataLength)} of data the header ({promised}) describes");
        }

        // Every size is at most the data length, itself below 2^31, so the conversions are exact.
        return new IdxFile(path, bytes, sizes.Select(s => (int)s).ToArray(), headerLength);
    }

    /// <summary>An <see cref="InvalidDataException"/> reading <c>'&lt;path&gt;': &lt;problem&gt;</c>.</summary>
    public static InvalidDataException Invalid(string path, string problem) => new($"'{path}': {problem}");

    private static byte[] Gunzip(string path, byte[] compressed)
    {
        // 10-byte header, at least 2 bytes of deflate data, 8-byte trailer (CRC-32, then the length modulo 2^32).
        const int smallest = 18;
        if (compressed.Length < 2 || compressed[0] != 0x1F || compressed[1] != 0x8B)
        {
            throw Invalid(path, "corrupt gzip stream: the file does not start with the gzip signature 0x1F 0x8B");
        }

        if (compressed.Length < smallest)
        {
            throw Invalid(path, $"corrupt gzip stream: the file is {Bytes(compressed.Length)} long, shorter than the smallest gzip stream ({smallest} bytes)");
        }

        uint recordedLength = BinaryPrimitives.ReadUInt32LittleEndian(compressed.AsSpan(compressed.Length - 4));

        // Size the buffer from the trailer so MNIST decompresses without copies, but never trust a damaged trailer
        // with a huge allocation: deflate expands at most about 1032-fold, and beyond 256 MiB the stream just grows.
        const long maximumRatio = 1032, maximumInitialCapacity = 256 << 20;
        long capacity = Math.Min(recordedLength, Math.Min(compressed.Length * maximumRatio, maximumInitialCapacity));
        using var output = new MemoryStream((int)capacity);
        try
        {
            using var gzip = new GZipStream(new MemoryStream(compressed, writable: false), CompressionMode.Decompress);
            gzip.CopyTo(output);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}': corrupt gzip stream ({e.Message})", e);
        }

        if ((uint)output.Length != recordedLength)
        {
            throw Invalid(path, $"corrupt gzip stream: {Bytes(output.Length)} decompressed but the gzip trailer records {Bytes((long)recordedLength)} (modulo 2^32); the file is probably truncated");
        }

        return output.Length == output.Capacity ? output.GetBuffer() : output.ToArray();
    }

    private static string DescribeMagic(uint magic)
    {
        if (magic >> 16 != 0)
        {
            return "not an idx file: its first two bytes must be zero";
        }

        int dimensions = (int)(magic & 0xFF);
        string type = (magic >> 8 & 0xFF) switch
        {
            0x08 => "unsigned bytes",
            0x09 => "signed bytes",
            0x0B => "16-bit integers",
            0x0C => "32-bit integers",
            0x0D => "32-bit floats",
            0x0E => "64-bit floats",
            uint other => $"unknown element type 0x{other:X2}",
        };
        string plural = dimensions == 1 ? "" : "s";
        string purpose = dimensions switch
        {
            1 => ": labels",
            3 => ": images",
            _ => "",
        };
        return $"{type}, {dimensions.ToString(CultureInfo.InvariantCulture)} dimension{plural}{purpose}";
    }

    private static string DimensionName(int dimensions, int dimension) => (dimensions, dimension) switch
    {
        (_, 0) => "the sample count",
        (3, 1) => "rows",
        (3, 2) => "columns",
        _ => "size",
    };

    private static string Hex(uint value) => "0x" + value.ToString("X8", CultureInfo.InvariantCulture);

    private static string Bytes(UInt128 count) =>
        count.ToString(CultureInfo.InvariantCulture) + (count == 1 ? " byte" : " bytes");

    private static string Bytes(long count) => Bytes((UInt128)count);
}
