using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ConvGen.Persistence;

/// <summary>
/// ConvGen's weight file, version 1 (all integers little-endian):
/// <list type="number">
/// <item>8 bytes: the magic <c>CGWEIGHT</c>;</item>
/// <item>4 bytes: format version (1);</item>
/// <item>4 bytes: length H of the header;</item>
/// <item>H bytes: UTF-8 JSON header: <c>{"model": name, "signature": architecture, "weights": [{"name", "shape", "trainable"}, ...]}</c>,
/// the weights in Keras order (the order of <see cref="Model.GetWeights"/>);</item>
/// <item>the values of every weight in that order, float32, in Keras layout;</item>
/// <item>32 bytes: SHA-256 of everything before it.</item>
/// </list>
/// Loading checks every part (magic, version, sizes, checksum, header, and each weight's shape and trainability
/// against the model) and reports the first problem with the file's path; saving goes through <see cref="AtomicFile"/>
/// (a temporary file next to the target, renamed over it only when complete), so an existing file is never
/// half-replaced; a failed save removes its temporary file, and one left by a process killed mid-save is removed by the
/// next save to the target.
/// docs/weights-format.md describes the format in full.
/// </summary>
internal static class WeightsFile
{
    public const int Version = 1;
    private const int HashLength = 32;
    private static readonly byte[] Magic = "CGWEIGHT"u8.ToArray();

    /// <summary>Writes <paramref name="values"/> (the model's weights in Keras order) to <paramref name="path"/>
    /// through a temporary file in the same directory, renamed over the target once complete and flushed.</summary>
    /// <param name="path">The target file.</param>
    /// <param name="description">The model the weights belong to.</param>
    /// <param name="values">One array per weight of <paramref name="description"/>, in order.</param>
    /// <param name="wrapTemporary">For tests: wraps the temporary file's stream (to simulate a failing disk).</param>
    public static void Save(string path, ModelDescription description, float[][] values, Func<Stream, Stream>? wrapTemporary = null)
    {
        IReadOnlyList<WeightInfo> weights = description.Weights;
        if (values.Length != weights.Count || weights.Where((w, i) => values[i] is null || values[i].Length != w.Length).Any())
        {
            throw new ArgumentException($"The values do not match the {weights.Count} weights of model '{description.Name}'.", nameof(values));
        }

        AtomicFile.Write(path, "weights", stream =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            byte[] header = Header(description);
            var prefix = new byte[Magic.Length + 8];
            Magic.CopyTo(prefix, 0);
            BinaryPrimitives.WriteInt32LittleEndian(prefix.AsSpan(Magic.Length), Version);
            BinaryPrimitives.WriteInt32LittleEndian(prefix.AsSpan(Magic.Length + 4), header.Length);
            Write(stream, hash, prefix);
            Write(stream, hash, header);
            foreach (float[] weight in values)
            {
                Write(stream, hash, WeightBytes.LittleEndian(weight));
            }

            stream.Write(hash.GetHashAndReset());
        }, wrapTemporary);
    }

    public static float[][] Load(string path, ModelDescription description)
    {
        string fullPath = Path.GetFullPath(path);
        byte[] file = WeightBytes.ReadFile(fullPath);
        int prefixLength = Magic.Length + 8;
        if (!file.AsSpan(0, Math.Min(file.Length, Magic.Length)).SequenceEqual(Magic.AsSpan(0, Math.Min(file.Length, Magic.Length))))
        {
            string hint = SafetensorsFile.LooksLikeSafetensors(file) ? $"; it looks like a safetensors file: name it *{SafetensorsFile.Extension} to load it as one" : "";
            throw Invalid(fullPath, "it is not a ConvGen weights file (it does not start with CGWEIGHT)" + hint);
        }

        if (file.Length < prefixLength)
        {
            throw Invalid(fullPath, $"it is truncated ({file.Length} bytes, shorter than the {prefixLength}-byte prefix)");
        }

        int version = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(Magic.Length));
        if (version != Version)
        {
            throw Invalid(fullPath, $"it is a version-{version} weights file; this ConvGen reads version {Version}");
        }

        int headerLength = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(Magic.Length + 4));
        if (headerLength < 2 || headerLength > file.Length - prefixLength - HashLength)
        {
            throw Invalid(fullPath, $"it is truncated or corrupted (its {headerLength}-byte header does not fit in its {file.Length} bytes)");
        }

        byte[] expectedHash = SHA256.HashData(file.AsSpan(0, file.Length - HashLength));
        if (!expectedHash.AsSpan().SequenceEqual(file.AsSpan(file.Length - HashLength)))
        {
            throw Invalid(fullPath, "it is truncated or corrupted (its SHA-256 checksum does not match)");
        }

        List<(string Name, int[] Shape, bool Trainable)> stored = ReadHeader(fullPath, file.AsSpan(prefixLength, headerLength));
        IReadOnlyList<WeightInfo> expected = description.Weights;
        if (stored.Count != expected.Count)
        {
            throw Invalid(fullPath, $"it holds {stored.Count} weight arrays but model '{description.Name}' has {expected.Count}");
        }

        for (int i = 0; i < expected.Count; i++)
        {
            if (!stored[i].Shape.SequenceEqual(expected[i].Shape) || stored[i].Trainable != expected[i].Trainable)
            {
                throw Invalid(fullPath, $"it holds weights of a different model: weight {i} is {stored[i].Name} {ShapeText(stored[i].Shape)} ({Kind(stored[i].Trainable)}) in the file but {expected[i].Name} {expected[i].ShapeString} ({Kind(expected[i].Trainable)}) in model '{description.Name}'");
            }
        }

        long payload = expected.Sum(w => (long)w.Length) * sizeof(float);
        if (prefixLength + headerLength + payload + HashLength != file.Length)
        {
            throw Invalid(fullPath, $"its size ({file.Length} bytes) does not match its header ({prefixLength + headerLength + payload + HashLength} bytes)");
        }

        var values = new float[expected.Count][];
        int position = prefixLength + headerLength;
        for (int i = 0; i < expected.Count; i++)
        {
            values[i] = WeightBytes.ReadFloats(file.AsSpan(position), expected[i].Length);
            position += expected[i].Length * sizeof(float);
        }

        return values;
    }

    private static byte[] Header(ModelDescription description)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model", description.Name);
            json.WriteString("signature", description.Signature);
            json.WriteStartArray("weights");
            foreach (WeightInfo weight in description.Weights)
            {
                json.WriteStartObject();
                json.WriteString("name", weight.Name);
                json.WriteStartArray("shape");
                foreach (int dimension in weight.Shape)
                {
                    json.WriteNumberValue(dimension);
                }

                json.WriteEndArray();
                json.WriteBoolean("trainable", weight.Trainable);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static List<(string Name, int[] Shape, bool Trainable)> ReadHeader(string path, ReadOnlySpan<byte> header)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(header.ToArray());
            var weights = new List<(string, int[], bool)>();
            foreach (JsonElement weight in document.RootElement.GetProperty("weights").EnumerateArray())
            {
                string name = weight.GetProperty("name").GetString() ?? "";
                int[] shape = weight.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
                bool trainable = weight.GetProperty("trainable").GetBoolean();
                weights.Add((name, shape, trainable));
            }

            return weights;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw Invalid(path, "its header is not valid: " + e.Message);
        }
    }

    private static string ShapeText(int[] shape) => "(" + string.Join(", ", shape) + (shape.Length == 1 ? ",)" : ")");

    private static string Kind(bool trainable) => trainable ? "trainable" : "non-trainable";

    private static void Write(Stream stream, IncrementalHash hash, byte[] bytes)
    {
        stream.Write(bytes);
        hash.AppendData(bytes);
    }

    private static InvalidDataException Invalid(string path, string problem) => WeightBytes.Invalid(path, problem);
}
