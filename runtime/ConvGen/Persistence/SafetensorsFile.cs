using System.Buffers.Binary;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ConvGen.Persistence;

/// <summary>
/// A model's weights as a safetensors file, the format PyTorch, Hugging Face and Keras tools exchange tensors in:
/// <list type="number">
/// <item>8 bytes: N, the header's length, an unsigned 64-bit little-endian integer;</item>
/// <item>N bytes: a UTF-8 JSON object: <c>"__metadata__"</c> (a string-to-string map), then one entry per tensor,
/// <c>"conv2d/kernel": {"dtype": "F32", "shape": [3, 3, 1, 32], "data_offsets": [begin, end]}</c>, the offsets
/// relative to the byte buffer that follows; padded with spaces so the buffer starts on a multiple of 8;</item>
/// <item>the byte buffer: each tensor's values, little-endian, row-major over its shape, no gaps.</item>
/// </list>
/// ConvGen writes every weight (trainable and not) as F32 under its Keras name and in its Keras shape, in Keras order,
/// with metadata naming the model and ConvGen's version. Loading checks the whole file against the format (sizes,
/// UTF-8, JSON, duplicate names, dtypes, that the offsets tile the buffer exactly) and against the model (every
/// weight present by name, F32, its shape; nothing else) before it returns anything. docs/weights-format.md
/// describes both formats; docs/export.md how to read these files in PyTorch and Keras.
/// </summary>
internal static class SafetensorsFile
{
    /// <summary>The file name extension that selects this format in <see cref="Model.Save"/> and <see cref="Model.Load"/>.</summary>
    public const string Extension = ".safetensors";

    /// <summary>The reference implementation's limit on the header; a larger one is an error, not an allocation.</summary>
    public const int MaximumHeaderLength = 100_000_000;

    private const string MetadataKey = "__metadata__";

    /// <summary>Whether <paramref name="path"/> names a safetensors file (by its extension, any case).</summary>
    public static bool IsSafetensorsPath(string path) => path.EndsWith(Extension, StringComparison.OrdinalIgnoreCase);

    /// <summary>The metadata ConvGen writes: the model's name, ConvGen's version and the layout of the kernels.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Metadata(ModelDescription description) =>
    [
        new("model", description.Name),
        new("producer", Producer.Name),
        new("producer_version", Producer.Version),
        new("layout", "keras"),
    ];

    /// <summary>Writes <paramref name="values"/> (the model's weights in Keras order) to <paramref name="path"/> through
    /// <see cref="AtomicFile"/>.</summary>
    public static void Save(string path, ModelDescription description, float[][] values, Func<Stream, Stream>? wrapTemporary = null)
    {
        IReadOnlyList<WeightInfo> weights = description.Weights;
        if (values.Length != weights.Count || weights.Where((w, i) => values[i] is null || values[i].Length != w.Length).Any())
        {
            throw new ArgumentException($"The values do not match the {weights.Count} weights of model '{description.Name}'.", nameof(values));
        }

        AtomicFile.Write(path, "weights", stream =>
        {
            byte[] header = Header(description);
            Span<byte> length = stackalloc byte[sizeof(ulong)];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (float[] weight in values)
            {
                stream.Write(WeightBytes.LittleEndian(weight));
            }
        }, wrapTemporary);
    }

    /// <summary>The JSON header, padded with spaces to a multiple of 8 bytes (as the reference writer does, so every
    /// tensor's data is aligned for its type).</summary>
    private static byte[] Header(ModelDescription description)
    {
        using var buffer = new MemoryStream();

        // The relaxed encoder writes '+' in a version and non-ASCII names as themselves rather than \u escapes; the
        // output is still strict JSON.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteStartObject(MetadataKey);
            foreach ((string key, string value) in Metadata(description))
            {
                json.WriteString(key, value);
            }

            json.WriteEndObject();
            long offset = 0;
            foreach (WeightInfo weight in description.Weights)
            {
                json.WriteStartObject(weight.Name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (int dimension in weight.Shape)
                {
                    json.WriteNumberValue(dimension);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += (long)weight.Length * sizeof(float);
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        int padding = (8 - (int)(buffer.Length % 8)) % 8;
        for (int i = 0; i < padding; i++)
        {
            buffer.WriteByte((byte)' ');
        }

        return buffer.ToArray();
    }

    /// <summary>Reads the weights of <paramref name="description"/> from the safetensors file at <paramref name="path"/>,
    /// in Keras order; every check passes before anything is returned.</summary>
    public static float[][] Load(string path, ModelDescription description)
    {
        string fullPath = Path.GetFullPath(path);
        byte[] file = WeightBytes.ReadFile(fullPath);
        if (file.AsSpan().StartsWith("CGWEIGHT"u8))
        {
            throw WeightBytes.Invalid(fullPath, $"it is a ConvGen weights file (it starts with CGWEIGHT), not a safetensors file; name it without the {Extension} extension to load it");
        }

        if (file.Length < sizeof(ulong))
        {
            throw WeightBytes.Invalid(fullPath, $"it is truncated ({file.Length} bytes, shorter than the 8-byte header length)");
        }

        ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (declared > MaximumHeaderLength)
        {
            throw WeightBytes.Invalid(fullPath, $"it is not a safetensors file or it is corrupted (its header length, {declared} bytes, is over the format's limit of {MaximumHeaderLength})");
        }

        int headerLength = (int)declared;
        if (headerLength > file.Length - sizeof(ulong))
        {
            throw WeightBytes.Invalid(fullPath, $"it is truncated (its {headerLength}-byte header does not fit in its {file.Length} bytes)");
        }

        Dictionary<string, TensorEntry> entries = ReadHeader(fullPath, file.AsSpan(sizeof(ulong), headerLength));
        long bufferLength = file.Length - sizeof(ulong) - headerLength;
        CheckOffsets(fullPath, entries, bufferLength);
        CheckAgainstModel(fullPath, entries, description);

        var values = new float[description.Weights.Count][];
        int bufferStart = sizeof(ulong) + headerLength;
        for (int i = 0; i < values.Length; i++)
        {
            WeightInfo weight = description.Weights[i];
            TensorEntry entry = entries[weight.Name];
            values[i] = WeightBytes.ReadFloats(file.AsSpan(bufferStart + (int)entry.Begin), weight.Length);
        }

        return values;
    }

    /// <summary>Whether <paramref name="file"/> starts as a safetensors file does: a plausible header length, then '{'.</summary>
    public static bool LooksLikeSafetensors(ReadOnlySpan<byte> file) =>
        file.Length > sizeof(ulong)
        && BinaryPrimitives.ReadUInt64LittleEndian(file) is > 1 and <= MaximumHeaderLength
        && file[sizeof(ulong)] == (byte)'{';

    /// <summary>One tensor's entry in the header.</summary>
    private sealed record TensorEntry(string Name, string Dtype, long[] Shape, long Begin, long End);

    private static Dictionary<string, TensorEntry> ReadHeader(string path, ReadOnlySpan<byte> header)
    {
        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(header);
        }
        catch (DecoderFallbackException)
        {
            throw WeightBytes.Invalid(path, "its header is not valid UTF-8");
        }

        if (!text.StartsWith('{'))
        {
            throw WeightBytes.Invalid(path, "its header is not a JSON object (it does not start with '{')");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw WeightBytes.Invalid(path, "its header is not valid JSON: " + e.Message);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw WeightBytes.Invalid(path, "its header is not a JSON object");
            }

            var entries = new Dictionary<string, TensorEntry>(StringComparer.Ordinal);
            bool metadataSeen = false;
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    if (metadataSeen)
                    {
                        throw WeightBytes.Invalid(path, $"its header has two {MetadataKey} entries");
                    }

                    metadataSeen = true;
                    CheckMetadata(path, property.Value);
                    continue;
                }

                if (entries.ContainsKey(property.Name))
                {
                    throw WeightBytes.Invalid(path, $"its header names tensor '{property.Name}' twice");
                }

                entries.Add(property.Name, ReadEntry(path, property.Name, property.Value));
            }

            return entries;
        }
    }

    private static void CheckMetadata(string path, JsonElement metadata)
    {
        if (metadata.ValueKind != JsonValueKind.Object)
        {
            throw WeightBytes.Invalid(path, $"its {MetadataKey} is not a JSON object");
        }

        foreach (JsonProperty entry in metadata.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
            {
                throw WeightBytes.Invalid(path, $"its {MetadataKey} entry '{entry.Name}' is not a string (safetensors metadata maps strings to strings)");
            }
        }
    }

    private static TensorEntry ReadEntry(string path, string name, JsonElement entry)
    {
        string Problem(string what) => $"tensor '{name}' in its header {what}";
        if (entry.ValueKind != JsonValueKind.Object)
        {
            throw WeightBytes.Invalid(path, Problem("is not a JSON object"));
        }

        if (!entry.TryGetProperty("dtype", out JsonElement dtype) || dtype.ValueKind != JsonValueKind.String)
        {
            throw WeightBytes.Invalid(path, Problem("has no \"dtype\" string"));
        }

        string type = dtype.GetString()!;
        if (ElementSize(type) == 0)
        {
            throw WeightBytes.Invalid(path, Problem($"has the unknown dtype \"{type}\""));
        }

        if (!entry.TryGetProperty("shape", out JsonElement shapeElement) || shapeElement.ValueKind != JsonValueKind.Array
            || shapeElement.EnumerateArray().Any(d => d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long v) || v < 0))
        {
            throw WeightBytes.Invalid(path, Problem("has no \"shape\" array of non-negative integers"));
        }

        if (!entry.TryGetProperty("data_offsets", out JsonElement offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2
            || offsets.EnumerateArray().Any(d => d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long v) || v < 0))
        {
            throw WeightBytes.Invalid(path, Problem("has no \"data_offsets\" pair of non-negative integers"));
        }

        long[] shape = shapeElement.EnumerateArray().Select(d => d.GetInt64()).ToArray();
        long begin = offsets[0].GetInt64();
        long end = offsets[1].GetInt64();
        if (end < begin)
        {
            throw WeightBytes.Invalid(path, Problem($"ends before it begins (data_offsets [{begin}, {end}])"));
        }

        long bytes = ElementSize(type);
        try
        {
            foreach (long dimension in shape)
            {
                bytes = checked(bytes * dimension);
            }
        }
        catch (OverflowException)
        {
            throw WeightBytes.Invalid(path, Problem($"has a shape too large to exist ({ShapeText(shape)})"));
        }

        if (end - begin != bytes)
        {
            throw WeightBytes.Invalid(path, Problem($"is {type} {ShapeText(shape)}, {bytes} bytes, but its data_offsets [{begin}, {end}] span {end - begin}"));
        }

        return new TensorEntry(name, type, shape, begin, end);
    }

    /// <summary>The tensors' byte ranges, in offset order, must tile the buffer exactly: no gap, no overlap, nothing
    /// before the first or after the last.</summary>
    private static void CheckOffsets(string path, Dictionary<string, TensorEntry> entries, long bufferLength)
    {
        long position = 0;
        foreach (TensorEntry entry in entries.Values.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.Begin != position)
            {
                string what = entry.Begin > position ? $"leaves bytes {position}..{entry.Begin - 1} of the data unused" : "overlaps the tensor before it";
                throw WeightBytes.Invalid(path, $"tensor '{entry.Name}' (data_offsets [{entry.Begin}, {entry.End}]) {what}");
            }

            position = entry.End;
        }

        if (position != bufferLength)
        {
            string what = position > bufferLength ? "it is truncated" : "it has bytes after its last tensor";
            throw WeightBytes.Invalid(path, $"{what} (its header describes {position} bytes of data; the file holds {bufferLength})");
        }
    }

    private static void CheckAgainstModel(string path, Dictionary<string, TensorEntry> entries, ModelDescription description)
    {
        IReadOnlyList<WeightInfo> weights = description.Weights;
        string[] missing = weights.Select(w => w.Name).Where(name => !entries.ContainsKey(name)).ToArray();
        if (missing.Length > 0)
        {
            string holds = entries.Count == 0 ? "no tensors" : string.Join(", ", entries.Keys.Take(12)) + (entries.Count > 12 ? ", ..." : "");
            throw WeightBytes.Invalid(path, $"it has no tensor {string.Join(", ", missing.Select(n => $"'{n}'"))} of model '{description.Name}' (it holds {holds})");
        }

        var expected = weights.Select(w => w.Name).ToHashSet(StringComparer.Ordinal);
        string[] unexpected = entries.Keys.Where(name => !expected.Contains(name)).ToArray();
        if (unexpected.Length > 0)
        {
            throw WeightBytes.Invalid(path, $"it holds tensors model '{description.Name}' does not have: {string.Join(", ", unexpected.Select(n => $"'{n}'"))}");
        }

        foreach (WeightInfo weight in weights)
        {
            TensorEntry entry = entries[weight.Name];
            if (entry.Dtype != "F32")
            {
                throw WeightBytes.Invalid(path, $"tensor '{weight.Name}' is {entry.Dtype}; ConvGen loads F32 (float32) tensors");
            }

            if (!entry.Shape.SequenceEqual(weight.Shape.Select(d => (long)d)))
            {
                throw WeightBytes.Invalid(path, $"it holds weights of a different model: tensor '{weight.Name}' is {ShapeText(entry.Shape)} in the file but {weight.ShapeString} in model '{description.Name}'");
            }
        }
    }

    /// <summary>Bytes per element of a safetensors dtype; 0 for a name the format does not define.</summary>
    private static int ElementSize(string dtype) => dtype switch
    {
        "BOOL" or "U8" or "I8" or "F8_E5M2" or "F8_E4M3" => 1,
        "I16" or "U16" or "F16" or "BF16" => 2,
        "I32" or "U32" or "F32" => 4,
        "I64" or "U64" or "F64" => 8,
        _ => 0,
    };

    private static string ShapeText(long[] shape) => "(" + string.Join(", ", shape) + (shape.Length == 1 ? ",)" : ")");
}
