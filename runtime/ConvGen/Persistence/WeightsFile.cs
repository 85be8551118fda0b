using System.Buffers.Binary;
using System.Globalization;
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
/// against the model) and reports the first problem with the file's path; saving writes a temporary file next to the
/// target and renames it over the target only when complete, so an existing file is never half-replaced. A failed
/// save removes its temporary file; one left by a process killed mid-save is removed by the next save to the target.
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
        string fullPath = Path.GetFullPath(path);
        IReadOnlyList<WeightInfo> weights = description.Weights;
        if (values.Length != weights.Count || weights.Where((w, i) => values[i] is null || values[i].Length != w.Length).Any())
        {
            throw new ArgumentException($"The values do not match the {weights.Count} weights of model '{description.Name}'.", nameof(values));
        }

        if (Directory.Exists(fullPath))
        {
            throw new IOException($"Cannot save weights to '{fullPath}': it is a directory.");
        }

        string directory = Path.GetDirectoryName(fullPath) ?? throw new IOException($"Cannot save weights to '{fullPath}': it is not a file path.");

        // Short enough to be a valid name whenever the target's is (names are limited to 255 bytes), and hidden. It names
        // the writing process, so a later save can tell the file of a save that was killed from one in progress.
        string temporaryPrefix = TemporaryPrefix(fullPath);
        string temporary = Path.Combine(directory, temporaryPrefix + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        try
        {
            Directory.CreateDirectory(directory);
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                Stream stream = wrapTemporary?.Invoke(file) ?? file;
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
                    var bytes = new byte[weight.Length * sizeof(float)];
                    for (int i = 0; i < weight.Length; i++)
                    {
                        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), weight[i]);
                    }

                    Write(stream, hash, bytes);
                }

                stream.Write(hash.GetHashAndReset());
                stream.Flush();
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
            RemoveStaleTemporaries(directory, temporaryPrefix);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            string problem = $"Cannot save weights to '{fullPath}': {e.Message} The existing file, if any, is unchanged.";
            throw e is UnauthorizedAccessException ? new UnauthorizedAccessException(problem, e) : new IOException(problem, e);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    public static float[][] Load(string path, ModelDescription description)
    {
        string fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
        {
            throw Invalid(fullPath, "it is a directory, not a weights file");
        }

        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"Cannot load weights from '{fullPath}': the file does not exist.", fullPath);
        }

        byte[] file = File.ReadAllBytes(fullPath);
        int prefixLength = Magic.Length + 8;
        if (file.Length == 0)
        {
            throw Invalid(fullPath, "the file is empty");
        }

        if (!file.AsSpan(0, Math.Min(file.Length, Magic.Length)).SequenceEqual(Magic.AsSpan(0, Math.Min(file.Length, Magic.Length))))
        {
            throw Invalid(fullPath, "it is not a ConvGen weights file (it does not start with CGWEIGHT)");
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
            values[i] = new float[expected[i].Length];
            for (int j = 0; j < values[i].Length; j++, position += sizeof(float))
            {
                values[i][j] = BinaryPrimitives.ReadSingleLittleEndian(file.AsSpan(position));
            }
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

    private static InvalidDataException Invalid(string path, string problem) =>
        new($"Cannot load weights from '{path}': {problem}.");

    /// <summary>The start of the name of every temporary file a save to <paramref name="fullPath"/> writes:
    /// <c>.NAME.</c>, NAME cut to 64 characters.</summary>
    private static string TemporaryPrefix(string fullPath)
    {
        string stem = Path.GetFileName(fullPath);
        return "." + (stem.Length > 64 ? stem[..64] : stem) + ".";
    }

    /// <summary>
    /// Removes the temporary files that saves to the same target left when their process was killed (a failing save
    /// removes its own): those whose writing process no longer runs, and those of the earlier naming, without a
    /// process id, unwritten for an hour. A temporary file of a save still running, in this process or another, stays.
    /// Best effort: what cannot be removed now is tried again by the next save.
    /// </summary>
    private static void RemoveStaleTemporaries(string directory, string prefix)
    {
        try
        {
            foreach (string path in Directory.EnumerateFiles(directory, prefix + "*.tmp"))
            {
                string writer = Path.GetFileName(path)[prefix.Length..^".tmp".Length];
                int dash = writer.IndexOf('-');
                bool stale = dash > 0 && int.TryParse(writer.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out int processId)
                    ? !IsRunning(processId)
                    : writer.Length == 12 && DateTime.UtcNow - File.GetLastWriteTimeUtc(path) > TimeSpan.FromHours(1);
                if (stale)
                {
                    TryDelete(path);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The save itself succeeded; leftovers are removed by a later one.
        }
    }

    private static bool IsRunning(int processId)
    {
        if (processId == Environment.ProcessId)
        {
            return true;
        }

        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return false;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
