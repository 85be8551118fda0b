using System.Buffers.Binary;
using System.IO.Compression;

namespace ConvGen.Tests.Data;

/// <summary>Builds idx files (MNIST's format) in memory, valid or deliberately malformed.</summary>
internal static class IdxBytes
{
    /// <summary>A header: the magic number, then each dimension size, all big-endian 32-bit.</summary>
    public static byte[] Header(uint magic, params uint[] dimensions)
    {
        var bytes = new byte[4 + 4 * dimensions.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, magic);
        for (int i = 0; i < dimensions.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4 + 4 * i), dimensions[i]);
        }

        return bytes;
    }

    /// <summary>An idx3 file of <paramref name="count"/> images, pixel <c>j</c> of image <c>i</c> being <c>(i * 31 + j * 7) % 256</c>.</summary>
    public static byte[] Images(int count, int rows, int columns)
    {
        byte[] header = Header(0x00000803, (uint)count, (uint)rows, (uint)columns);
        var data = new byte[count * rows * columns];
        for (int i = 0; i < count; i++)
        {
            for (int j = 0; j < rows * columns; j++)
            {
                data[i * rows * columns + j] = Pixel(i, j);
            }
        }

        return [.. header, .. data];
    }

    /// <summary>The value <see cref="Images"/> gives pixel <paramref name="pixel"/> of image <paramref name="image"/>.</summary>
    public static byte Pixel(int image, int pixel) => (byte)((image * 31 + pixel * 7) % 256);

    /// <summary>An idx1 file of labels.</summary>
    public static byte[] Labels(params byte[] labels) => [.. Header(0x00000801, (uint)labels.Length), .. labels];

    /// <summary><paramref name="bytes"/> gzip-compressed.</summary>
    public static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }

    /// <summary>
    /// A small, valid set of the four files by standard name: 3 training and 2 test images of 4 × 5,
    /// training labels 5 0 4, test labels 7 2.
    /// </summary>
    public static Dictionary<string, byte[]> SmallSet() => new()
    {
        ["train-images-idx3-ubyte"] = Images(3, 4, 5),
        ["train-labels-idx1-ubyte"] = Labels(5, 0, 4),
        ["t10k-images-idx3-ubyte"] = Images(2, 4, 5),
        ["t10k-labels-idx1-ubyte"] = Labels(7, 2),
    };

    /// <summary>Writes every file of <paramref name="files"/> into <paramref name="directory"/>.</summary>
    public static void WriteAll(string directory, IReadOnlyDictionary<string, byte[]> files)
    {
        foreach ((string name, byte[] bytes) in files)
        {
            File.WriteAllBytes(Path.Combine(directory, name), bytes);
        }
    }
}
