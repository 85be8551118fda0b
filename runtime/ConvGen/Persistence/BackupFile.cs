using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using ConvGen.Engines;

namespace ConvGen.Persistence;

/// <summary>
/// Everything a <see cref="Model.Fit"/> needs to carry on exactly where it was: where training stands (epoch, step
/// within it, the epoch's running metrics), the model's counters that seed every random stream (shuffling, dropout,
/// augmentation), the weights and moving statistics, the optimizer's state, the callbacks' states and the history so far.
/// </summary>
internal sealed record TrainingBackup(
    string ModelName,
    string Signature,
    int Seed,
    int BatchSize,
    int TrainSamples,
    int Epoch,
    int Step,
    BatchMetrics Running,
    int Seen,
    bool StopTraining,
    ulong StepsTrained,
    ulong EpochsTrained,
    float[] Parameters,
    float[] State,
    OptimizerState Optimizer,
    IReadOnlyList<(string Kind, CallbackState State)> Callbacks,
    IReadOnlyList<EpochLogs> History);

/// <summary>
/// ConvGen's training backup, version 1 (integers little-endian), written by <see cref="BackupAndRestore"/>:
/// <list type="number">
/// <item>8 bytes: the magic <c>CGBACKUP</c>;</item>
/// <item>4 bytes: format version (1);</item>
/// <item>4 bytes: length H of the header;</item>
/// <item>H bytes: UTF-8 JSON header (docs/backup-format.md lists its fields), which names the float arrays that follow
/// and their lengths;</item>
/// <item>the arrays, float32, in the header's order;</item>
/// <item>32 bytes: SHA-256 of everything before it.</item>
/// </list>
/// Written atomically (<see cref="AtomicFile"/>); read in full and checked before anything is used.
/// </summary>
internal static class BackupFile
{
    public const int Version = 1;
    private const int HashLength = 32;
    private static readonly byte[] Magic = "CGBACKUP"u8.ToArray();

    public static void Write(string path, TrainingBackup backup) => AtomicFile.Write(path, "the training backup", stream =>
    {
        var arrays = new List<(string Name, float[] Values)>
        {
            ("parameters", backup.Parameters),
            ("state", backup.State),
        };
        for (int i = 0; i < backup.Optimizer.Arrays.Count; i++)
        {
            arrays.Add(($"optimizer/{i}", backup.Optimizer.Arrays[i]));
        }

        for (int c = 0; c < backup.Callbacks.Count; c++)
        {
            foreach ((string name, float[] values) in backup.Callbacks[c].State.Arrays)
            {
                arrays.Add(($"callback/{c}/{name}", values));
            }
        }

        byte[] header = Header(backup, arrays);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var prefix = new byte[Magic.Length + 8];
        Magic.CopyTo(prefix, 0);
        BinaryPrimitives.WriteInt32LittleEndian(prefix.AsSpan(Magic.Length), Version);
        BinaryPrimitives.WriteInt32LittleEndian(prefix.AsSpan(Magic.Length + 4), header.Length);
        Append(stream, hash, prefix);
        Append(stream, hash, header);
        foreach ((_, float[] values) in arrays)
        {
            Append(stream, hash, LittleEndianBytes(values));
        }

        stream.Write(hash.GetHashAndReset());
    });

    /// <summary>Reads a backup; throws <see cref="InvalidDataException"/> naming the file and the problem.</summary>
    public static TrainingBackup Read(string path)
    {
        string fullPath = Path.GetFullPath(path);
        byte[] file = File.ReadAllBytes(fullPath);
        int prefixLength = Magic.Length + 8;
        if (file.Length < prefixLength + HashLength || !file.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw Invalid(fullPath, "it is not a ConvGen training backup (it does not start with CGBACKUP, or is truncated)");
        }

        int version = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(Magic.Length));
        if (version != Version)
        {
            throw Invalid(fullPath, $"it is a version-{version} backup; this ConvGen reads version {Version}");
        }

        int headerLength = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(Magic.Length + 4));
        if (headerLength < 2 || headerLength > file.Length - prefixLength - HashLength)
        {
            throw Invalid(fullPath, "it is truncated or corrupted (its header does not fit)");
        }

        if (!SHA256.HashData(file.AsSpan(0, file.Length - HashLength)).AsSpan().SequenceEqual(file.AsSpan(file.Length - HashLength)))
        {
            throw Invalid(fullPath, "it is truncated or corrupted (its SHA-256 checksum does not match)");
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(file.AsMemory(prefixLength, headerLength));
            JsonElement root = document.RootElement;
            var arrays = new Dictionary<string, float[]>(StringComparer.Ordinal);
            int position = prefixLength + headerLength;
            foreach (JsonElement array in root.GetProperty("arrays").EnumerateArray())
            {
                string name = array.GetProperty("name").GetString()!;
                int length = array.GetProperty("length").GetInt32();
                if (length < 0 || (long)position + ((long)length * sizeof(float)) > file.Length - HashLength)
                {
                    throw Invalid(fullPath, $"its array '{name}' does not fit in the file");
                }

                arrays[name] = FromLittleEndian(file.AsSpan(position, length * sizeof(float)));
                position += length * sizeof(float);
            }

            if (position != file.Length - HashLength)
            {
                throw Invalid(fullPath, "its size does not match its header");
            }

            JsonElement optimizer = root.GetProperty("optimizer");
            int optimizerArrays = optimizer.GetProperty("arrays").GetInt32();
            var callbacks = new List<(string, CallbackState)>();
            int index = 0;
            foreach (JsonElement callback in root.GetProperty("callbacks").EnumerateArray())
            {
                var state = new CallbackState();
                foreach (JsonProperty value in callback.GetProperty("values").EnumerateObject())
                {
                    state.Set(value.Name, ReadDouble(value.Value));
                }

                string arrayPrefix = $"callback/{index}/";
                foreach ((string name, float[] values) in arrays.Where(a => a.Key.StartsWith(arrayPrefix, StringComparison.Ordinal)))
                {
                    state.Set(name[arrayPrefix.Length..], values);
                }

                callbacks.Add((callback.GetProperty("kind").GetString()!, state));
                index++;
            }

            var history = new List<EpochLogs>();
            foreach (JsonElement epoch in root.GetProperty("history").EnumerateArray())
            {
                history.Add(new EpochLogs(
                    epoch.GetProperty("epoch").GetInt32(),
                    (float)ReadDouble(epoch.GetProperty("loss")),
                    (float)ReadDouble(epoch.GetProperty("accuracy")),
                    epoch.TryGetProperty("val_loss", out JsonElement valLoss) ? (float)ReadDouble(valLoss) : null,
                    epoch.TryGetProperty("val_accuracy", out JsonElement valAccuracy) ? (float)ReadDouble(valAccuracy) : null,
                    ReadDouble(epoch.GetProperty("learning_rate")),
                    ReadDouble(epoch.GetProperty("seconds"))));
            }

            JsonElement at = root.GetProperty("position");
            return new TrainingBackup(
                root.GetProperty("model").GetString()!,
                root.GetProperty("signature").GetString()!,
                root.GetProperty("seed").GetInt32(),
                root.GetProperty("batch_size").GetInt32(),
                root.GetProperty("train_samples").GetInt32(),
                at.GetProperty("epoch").GetInt32(),
                at.GetProperty("step").GetInt32(),
                new BatchMetrics(ReadDouble(at.GetProperty("loss_sum")), at.GetProperty("correct").GetInt32()),
                at.GetProperty("seen").GetInt32(),
                at.GetProperty("stop_training").GetBoolean(),
                root.GetProperty("steps_trained").GetUInt64(),
                root.GetProperty("epochs_trained").GetUInt64(),
                Required(arrays, "parameters", fullPath),
                Required(arrays, "state", fullPath),
                new OptimizerState(
                    optimizer.GetProperty("kind").GetString()!,
                    optimizer.GetProperty("iterations").GetInt64(),
                    optimizer.GetProperty("length").GetInt32(),
                    ReadDouble(optimizer.GetProperty("rate_or_scale")),
                    [.. Enumerable.Range(0, optimizerArrays).Select(i => Required(arrays, $"optimizer/{i}", fullPath))]),
                callbacks,
                history);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw Invalid(fullPath, "its header is not valid: " + e.Message);
        }
    }

    private static byte[] Header(TrainingBackup backup, List<(string Name, float[] Values)> arrays)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("model", backup.ModelName);
            json.WriteString("signature", backup.Signature);
            json.WriteNumber("seed", backup.Seed);
            json.WriteNumber("batch_size", backup.BatchSize);
            json.WriteNumber("train_samples", backup.TrainSamples);
            json.WriteStartObject("position");
            json.WriteNumber("epoch", backup.Epoch);
            json.WriteNumber("step", backup.Step);
            WriteDouble(json, "loss_sum", backup.Running.LossSum);
            json.WriteNumber("correct", backup.Running.Correct);
            json.WriteNumber("seen", backup.Seen);
            json.WriteBoolean("stop_training", backup.StopTraining);
            json.WriteEndObject();
            json.WriteNumber("steps_trained", backup.StepsTrained);
            json.WriteNumber("epochs_trained", backup.EpochsTrained);
            json.WriteStartObject("optimizer");
            json.WriteString("kind", backup.Optimizer.Kind);
            json.WriteNumber("iterations", backup.Optimizer.Iterations);
            json.WriteNumber("length", backup.Optimizer.Length);
            WriteDouble(json, "rate_or_scale", backup.Optimizer.RateOrScale);
            json.WriteNumber("arrays", backup.Optimizer.Arrays.Count);
            json.WriteEndObject();
            json.WriteStartArray("callbacks");
            foreach ((string kind, CallbackState state) in backup.Callbacks)
            {
                json.WriteStartObject();
                json.WriteString("kind", kind);
                json.WriteStartObject("values");
                foreach ((string name, double value) in state.Values)
                {
                    WriteDouble(json, name, value);
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("history");
            foreach (EpochLogs epoch in backup.History)
            {
                json.WriteStartObject();
                json.WriteNumber("epoch", epoch.Epoch);
                WriteDouble(json, "loss", epoch.Loss);
                WriteDouble(json, "accuracy", epoch.Accuracy);
                if (epoch.ValLoss is float valLoss && epoch.ValAccuracy is float valAccuracy)
                {
                    WriteDouble(json, "val_loss", valLoss);
                    WriteDouble(json, "val_accuracy", valAccuracy);
                }

                WriteDouble(json, "learning_rate", epoch.LearningRate);
                WriteDouble(json, "seconds", epoch.Seconds);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("arrays");
            foreach ((string name, float[] values) in arrays)
            {
                json.WriteStartObject();
                json.WriteString("name", name);
                json.WriteNumber("length", values.Length);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    // JSON has no infinities or NaN (a callback's best value starts at ±infinity, a diverged loss is NaN): those are
    // written as strings, every finite value as its shortest round-trip form.
    private static void WriteDouble(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteString(name, double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private static double ReadDouble(JsonElement element) => element.ValueKind == JsonValueKind.String
        ? element.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            string other => throw new FormatException($"'{other}' is not a number."),
            null => throw new FormatException("A number is missing."),
        }
        : element.GetDouble();

    private static float[] Required(Dictionary<string, float[]> arrays, string name, string path) =>
        arrays.TryGetValue(name, out float[]? values) ? values : throw Invalid(path, $"it has no array '{name}'");

    private static byte[] LittleEndianBytes(float[] values)
    {
        byte[] bytes = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        if (!BitConverter.IsLittleEndian)
        {
            for (int i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
            }
        }

        return bytes;
    }

    private static float[] FromLittleEndian(ReadOnlySpan<byte> bytes)
    {
        var values = new float[bytes.Length / sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * sizeof(float))..]);
        }

        return values;
    }

    private static void Append(Stream stream, IncrementalHash hash, byte[] bytes)
    {
        stream.Write(bytes);
        hash.AppendData(bytes);
    }

    private static InvalidDataException Invalid(string path, string problem) => new($"Cannot restore training from '{path}': {problem}.");
}
