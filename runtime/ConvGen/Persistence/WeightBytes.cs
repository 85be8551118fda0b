using System.Buffers.Binary;

namespace ConvGen.Persistence;

/// <summary>What the weight file formats share: reading a whole file with the checks every load starts with, and
/// float32 values to and from little-endian bytes, bit for bit (NaN payloads, negative zero and subnormals kept).</summary>
internal static class WeightBytes
{
    /// <summary>The whole file at <paramref name="fullPath"/>; throws <see cref="FileNotFoundException"/> when it does not
    /// exist and <see cref="InvalidDataException"/> when it is a directory or empty, naming the path.</summary>
    public static byte[] ReadFile(string fullPath)
    {
        if (Directory.Exists(fullPath))
        {
            throw Invalid(fullPath, "it is a directory, not a weights file");
        }

        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"Cannot load weights from '{fullPath}': the file does not exist.", fullPath);
        }

        byte[] file = File.ReadAllBytes(fullPath);
        return file.Length > 0 ? file : throw Invalid(fullPath, "the file is empty");
    }

    /// <summary>The error every failed load throws: the file's full path and the problem.</summary>
    public static InvalidDataException Invalid(string fullPath, string problem) =>
        new($"Cannot load weights from '{fullPath}': {problem}.");

    /// <summary><paramref name="values"/> as little-endian float32 bytes.</summary>
    public static byte[] LittleEndian(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }

        return bytes;
    }

    /// <summary>The <paramref name="count"/> little-endian float32 values at the start of <paramref name="bytes"/>.</summary>
    public static float[] ReadFloats(ReadOnlySpan<byte> bytes, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * sizeof(float))..]);
        }

        return values;
    }
}
