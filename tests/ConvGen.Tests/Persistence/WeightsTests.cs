using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ConvGen.Layers;
using ConvGen.Persistence;
using ConvGen.Tests.Training;
using static ConvGen.Tests.Persistence.WeightModels;

namespace ConvGen.Tests.Persistence;

/// <summary>GetWeights / SetWeights and the weight file: round trips, the documented format, and every way a load or a
/// save can fail — each leaving the model and any existing file untouched.</summary>
public sealed class WeightsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("convgen-weights-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static float[][] Distinct(ModelDescription description, float start)
    {
        float next = start;
        return description.Weights.Select(w => Enumerable.Range(0, w.Length).Select(_ => next += 0.25f).ToArray()).ToArray();
    }

    private string PathOf(string name) => Path.Combine(_directory, name);

    [Fact]
    public void GetWeightsListsEveryArrayInKerasOrderAndLayout()
    {
        TestModel model = Model(WithBatchNorm());
        float[][] weights = model.GetWeights();

        Assert.Equal(
            ["conv2d/kernel", "conv2d/bias", "batch_normalization/gamma", "batch_normalization/beta", "batch_normalization/moving_mean", "batch_normalization/moving_variance", "dense/kernel", "dense/bias"],
            model.Description.Weights.Select(w => w.Name));
        Assert.Equal([3 * 3 * 3 * 5, 5, 5, 5, 5, 5, 2 * 2 * 5 * 3, 3], weights.Select(w => w.Length));
        Assert.Equal(["(3, 3, 3, 5)", "(5,)", "(5,)", "(5,)", "(5,)", "(5,)", "(20, 3)", "(3,)"], model.Description.Weights.Select(w => w.ShapeString));
    }

    [Fact]
    public void SetWeightsThenGetWeightsRoundTripsAndFillsTheRightBuffers()
    {
        TestModel model = Model(WithBatchNorm());
        float[][] values = Distinct(model.Description, 0f);
        model.SetWeights(values);

        Assert.Equal(values, model.GetWeights());
        foreach ((WeightInfo weight, int i) in model.Description.Weights.Select((w, i) => (w, i)))
        {
            var buffer = weight.Trainable ? model.Buffers.Parameters : model.Buffers.State;
            Assert.Equal(values[i], buffer.Span.Slice(weight.Offset, weight.Length).ToArray());
        }

        // The moving statistics are state, not parameters: an optimizer never sees them.
        WeightInfo movingMean = model.Description.Weights[4];
        Assert.False(movingMean.Trainable);
        Assert.DoesNotContain(values[4][0], model.Buffers.Parameters.Span.ToArray());
    }

    [Fact]
    public void SetWeightsFollowsTheKerasKernelLayoutInTheEngine()
    {
        // Dense kernel [in, out]: with x = (0, 1) the logits are kernel row 1 (3, -1) plus the bias (0, 2).
        var model = new TestModel(new SoftmaxEngine(SoftmaxEngine.Describe()));
        model.SetWeights([[10f, 20f, 3f, -1f], [0f, 2f]]);
        float[] p = model.Predict([0f, 1f]);
        Assert.Equal(Math.Exp(3) / (Math.Exp(3) + Math.Exp(1)), p[0], 6);
    }

    [Fact]
    public void SetWeightsWithTheWrongCountThrowsAndChangesNothing()
    {
        TestModel model = Model(WithBatchNorm());
        float[][] before = model.GetWeights();
        float[][] values = Distinct(model.Description, 100f);

        var error = Assert.Throws<ArgumentException>(() => model.SetWeights(values[..7]));
        Assert.Contains("8 weight arrays", error.Message);
        Assert.Contains("got 7", error.Message);
        Assert.Contains("batch_normalization/moving_variance", error.Message);
        Assert.Equal(before, model.GetWeights());
    }

    [Fact]
    public void SetWeightsWithAWrongLengthNamesTheWeightAndItsShapeAndChangesNothing()
    {
        TestModel model = Model(WithBatchNorm());
        float[][] before = model.GetWeights();
        float[][] values = Distinct(model.Description, 100f);
        values[6] = new float[59];

        var error = Assert.Throws<ArgumentException>(() => model.SetWeights(values));
        Assert.Contains("dense/kernel", error.Message);
        Assert.Contains("(20, 3)", error.Message);
        Assert.Contains("60", error.Message);
        Assert.Contains("59", error.Message);
        Assert.Equal(before, model.GetWeights());

        values[6] = null!;
        Assert.Contains("null", Assert.Throws<ArgumentException>(() => model.SetWeights(values)).Message);
        Assert.Equal(before, model.GetWeights());
    }

    [Fact]
    public void SaveThenLoadIsBitExact()
    {
        ModelDescription description = WithBatchNorm();
        TestModel source = Model(description, seed: 1);
        float[][] values = source.GetWeights();
        values[1] = [BitConverter.Int32BitsToSingle(0x7FC01234), -0f, float.Epsilon, float.PositiveInfinity, float.NegativeInfinity];
        values[5] = [float.MaxValue, float.MinValue, 1e-40f, -1e-45f, 0.1f];
        source.SetWeights(values);
        string path = PathOf("model.cgw");
        source.Save(path);

        TestModel target = Model(description, seed: 2);
        Assert.NotEqual(Bits(source.GetWeights()), Bits(target.GetWeights()));
        target.Load(path);
        Assert.Equal(Bits(source.GetWeights()), Bits(target.GetWeights()));
        Assert.Equal([Path.GetFileName(path)], Directory.GetFileSystemEntries(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public void TheFileIsLaidOutAsDocumented()
    {
        // docs/weights-format.md: magic, version, header length, JSON header, float32 values, SHA-256 of all before.
        var model = new TestModel(new SoftmaxEngine(SoftmaxEngine.Describe()));
        model.SetWeights([[1f, 2f, 3f, 4f], [-0.5f, 0.5f]]);
        string path = PathOf("layout.cgw");
        model.Save(path);
        byte[] file = File.ReadAllBytes(path);

        Assert.Equal("CGWEIGHT"u8.ToArray(), file[..8]);
        Assert.Equal(1, BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(8)));
        int headerLength = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(12));
        using JsonDocument header = JsonDocument.Parse(file.AsMemory(16, headerLength));
        Assert.Equal("softmax", header.RootElement.GetProperty("model").GetString());
        Assert.Equal(model.Description.Signature, header.RootElement.GetProperty("signature").GetString());
        JsonElement[] weights = header.RootElement.GetProperty("weights").EnumerateArray().ToArray();
        Assert.Equal(["dense/kernel", "dense/bias"], weights.Select(w => w.GetProperty("name").GetString()));
        Assert.Equal([2, 2], weights[0].GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()));
        Assert.True(weights[1].GetProperty("trainable").GetBoolean());

        int values = 16 + headerLength;
        Assert.Equal(values + (6 * 4) + 32, file.Length);
        float[] stored = Enumerable.Range(0, 6).Select(i => BinaryPrimitives.ReadSingleLittleEndian(file.AsSpan(values + (4 * i)))).ToArray();
        Assert.Equal([1f, 2f, 3f, 4f, -0.5f, 0.5f], stored);
        Assert.Equal(SHA256.HashData(file.AsSpan(0, file.Length - 32)), file[^32..]);
    }

    [Fact]
    public void AFileWrittenByHandFromTheDocumentationLoads()
    {
        var model = new TestModel(new SoftmaxEngine(SoftmaxEngine.Describe()));
        string path = PathOf("by-hand.cgw");
        File.WriteAllBytes(path, HandMade(
            """{"model":"elsewhere","signature":"anything","weights":[{"name":"dense/kernel","shape":[2,2],"trainable":true},{"name":"dense/bias","shape":[2],"trainable":true}]}""",
            [0.5f, -1f, 2f, 8f, 3f, 4f]));
        model.Load(path);
        Assert.Equal([[0.5f, -1f, 2f, 8f], [3f, 4f]], model.GetWeights());
    }

    [Fact]
    public void LoadingAMissingFileThrowsFileNotFound()
    {
        TestModel model = Model(WithBatchNorm());
        float[][] before = model.GetWeights();
        string path = PathOf("missing.cgw");
        var error = Assert.Throws<FileNotFoundException>(() => model.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("does not exist", error.Message);
        Assert.Equal(before, model.GetWeights());
    }

    public static TheoryData<string, string> Corruptions => new()
    {
        { "empty", "the file is empty" },
        { "magic", "not a ConvGen weights file" },
        { "text", "not a ConvGen weights file" },
        { "version", "version-2 weights file; this ConvGen reads version 1" },
        { "truncated-by-one", "truncated" },
        { "truncated-in-values", "truncated" },
        { "truncated-in-header", "truncated" },
        { "truncated-in-prefix", "truncated" },
        { "truncated-in-magic", "truncated" },
        { "flipped-value", "checksum" },
        { "flipped-header", "checksum" },
        { "flipped-checksum", "checksum" },
        { "appended", "checksum" },
        { "directory", "is a directory" },
        { "bad-header", "header is not valid" },
        { "other-shapes", "different model: weight 0 is conv2d/kernel (3, 3, 3, 4) (trainable) in the file but conv2d/kernel (3, 3, 3, 5) (trainable) in model 'bn'" },
        { "other-count", "holds 2 weight arrays but model 'bn' has 8" },
        { "forged-count", "holds 2 weight arrays but model 'bn' has 8" },
        { "other-trainability", "different model: weight 4" },
        { "size-mismatch", "does not match its header" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void LoadingABadFileNamesTheFileAndTheProblemAndChangesNothing(string corruption, string problem)
    {
        ModelDescription description = WithBatchNorm();
        string good = PathOf("good.cgw");
        Model(description, seed: 7).Save(good);
        byte[] bytes = File.ReadAllBytes(good);
        string path = PathOf(corruption + ".cgw");
        int headerLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12));
        switch (corruption)
        {
            case "empty": File.WriteAllBytes(path, []); break;
            case "magic": bytes[0] = (byte)'X'; File.WriteAllBytes(path, bytes); break;
            case "text": File.WriteAllText(path, "weights, honest"); break;
            case "version": BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), 2); File.WriteAllBytes(path, bytes); break;
            case "truncated-by-one": File.WriteAllBytes(path, bytes[..^1]); break;
            case "truncated-in-values": File.WriteAllBytes(path, bytes[..(16 + headerLength + 40)]); break;
            case "truncated-in-header": File.WriteAllBytes(path, bytes[..(16 + (headerLength / 2))]); break;
            case "truncated-in-prefix": File.WriteAllBytes(path, bytes[..11]); break;
            case "truncated-in-magic": File.WriteAllBytes(path, bytes[..5]); break;
            case "flipped-value": bytes[16 + headerLength + 100] ^= 0x01; File.WriteAllBytes(path, bytes); break;
            case "flipped-header": bytes[16 + 3] ^= 0x20; File.WriteAllBytes(path, bytes); break;
            case "flipped-checksum": bytes[^1] ^= 0x80; File.WriteAllBytes(path, bytes); break;
            case "appended": File.WriteAllBytes(path, [.. bytes, 0]); break;
            case "directory": Directory.CreateDirectory(path); break;
            case "bad-header": File.WriteAllBytes(path, HandMade("""{"model":"bn","weights":[{"name":"conv2d/kernel","shape":"3x3"}]}""", [])); break;
            case "other-shapes":
                var fourFilters = new ModelDescription("bn", Shape.Image(4, 4, 3), [new Conv2DLayer(4, 3, 3), new BatchNormalizationLayer(), new FlattenLayer(), new DenseLayer(3, Activation.Softmax)]);
                Model(fourFilters).Save(path);
                break;
            case "other-count": new TestModel(new SoftmaxEngine(SoftmaxEngine.Describe(features: 3))).Save(path); break;
            case "forged-count": File.WriteAllBytes(path, HandMade(
                """{"model":"x","weights":[{"name":"a","shape":[2],"trainable":true},{"name":"b","shape":[2],"trainable":true}]}""", [1f, 2f, 3f, 4f])); break;
            case "other-trainability":
                string json = Encoding.UTF8.GetString(bytes, 16, headerLength);
                int mean = json.IndexOf("moving_mean", StringComparison.Ordinal);
                int flag = json.IndexOf("\"trainable\":false", mean, StringComparison.Ordinal);
                json = json[..flag] + "\"trainable\":true" + json[(flag + "\"trainable\":false".Length)..];
                File.WriteAllBytes(path, HandMade(json, Floats(bytes, 16 + headerLength, (bytes.Length - 16 - headerLength - 32) / 4)));
                break;
            case "size-mismatch":
                string header = Encoding.UTF8.GetString(bytes, 16, headerLength);
                File.WriteAllBytes(path, HandMade(header, Floats(bytes, 16 + headerLength, ((bytes.Length - 16 - headerLength - 32) / 4) - 1)));
                break;
        }

        TestModel model = Model(description, seed: 8);
        float[][] before = model.GetWeights();
        var error = Assert.Throws<InvalidDataException>(() => model.Load(path));
        Assert.Contains($"'{path}'", error.Message);
        Assert.Contains(problem, error.Message);
        Assert.Equal(before, model.GetWeights());
    }

    [Fact]
    public void SavingOverAnExistingFileReplacesIt()
    {
        ModelDescription description = WithBatchNorm();
        string path = PathOf("replace.cgw");
        TestModel first = Model(description, seed: 1);
        first.Save(path);
        TestModel second = Model(description, seed: 2);
        second.Save(path);

        TestModel loaded = Model(description, seed: 3);
        loaded.Load(path);
        Assert.Equal(second.GetWeights(), loaded.GetWeights());
        Assert.Equal(["replace.cgw"], Directory.GetFileSystemEntries(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public void AFailedWriteLeavesTheExistingFileIntactAndNoTemporaryFile()
    {
        ModelDescription description = WithBatchNorm();
        string path = PathOf("intact.cgw");
        Model(description, seed: 1).Save(path);
        byte[] original = File.ReadAllBytes(path);

        TestModel other = Model(description, seed: 2);
        var error = Assert.Throws<IOException>(() => WeightsFile.Save(path, description, other.GetWeights(), stream => new FailingStream(stream, failAfter: 100)));
        Assert.Contains($"'{path}'", error.Message);
        Assert.Contains("No space left", error.Message);
        Assert.IsType<IOException>(error.InnerException);

        Assert.Equal(original, File.ReadAllBytes(path));
        Assert.Equal(["intact.cgw"], Directory.GetFileSystemEntries(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public void ASaveRemovesTheTemporaryFilesOfEarlierSavesThatWereKilled()
    {
        // A save killed with SIGKILL cannot clean up: its hidden temporary file stayed for good (14 of 20 kills in the
        // issue). The next save to the same target removes those whose process is gone, and only those.
        ModelDescription description = WithBatchNorm();
        string path = PathOf("model.cgw");
        int dead = ExitedProcessId();
        string killed = PathOf($".model.cgw.{dead}-0a1b2c3d.tmp");
        string older = PathOf(".model.cgw.0123456789ab.tmp");
        string running = PathOf($".model.cgw.{Environment.ProcessId}-feedbeef.tmp");
        string otherTarget = PathOf($".other.cgw.{dead}-0a1b2c3d.tmp");
        foreach (string leftover in new[] { killed, older, running, otherTarget })
        {
            File.WriteAllBytes(leftover, new byte[100]);
        }

        File.SetLastWriteTimeUtc(older, DateTime.UtcNow - TimeSpan.FromHours(2));

        Model(description, seed: 1).Save(path);

        Assert.Equal(
            [".model.cgw." + Environment.ProcessId + "-feedbeef.tmp", ".other.cgw." + dead + "-0a1b2c3d.tmp", "model.cgw"],
            Directory.GetFileSystemEntries(_directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        TestModel loaded = Model(description, seed: 2);
        loaded.Load(path);
        Assert.Equal(Model(description, seed: 1).GetWeights(), loaded.GetWeights());
    }

    /// <summary>The id of a process that has run and exited.</summary>
    private static int ExitedProcessId()
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }

    [Fact]
    public void SavingOntoADirectoryFailsAndLeavesItAlone()
    {
        string path = PathOf("taken");
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "keep.txt"), "keep");

        var error = Assert.ThrowsAny<IOException>(() => Model(WithBatchNorm()).Save(path));
        Assert.Contains($"'{path}'", error.Message);
        Assert.Equal("keep", File.ReadAllText(Path.Combine(path, "keep.txt")));
        Assert.Equal(["taken"], Directory.GetFileSystemEntries(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public void SavingUnderAFileFailsAndLeavesNothingBehind()
    {
        string blocker = PathOf("plain.txt");
        File.WriteAllText(blocker, "not a directory");
        string path = Path.Combine(blocker, "weights.cgw");

        var error = Assert.ThrowsAny<IOException>(() => Model(WithBatchNorm()).Save(path));
        Assert.Contains($"'{path}'", error.Message);
        Assert.Equal("not a directory", File.ReadAllText(blocker));
        Assert.Equal(["plain.txt"], Directory.GetFileSystemEntries(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public void SavingToTheLongestValidFileNameWorks()
    {
        // File names are limited to 255 bytes; the temporary file must not push a valid name past that limit.
        string path = PathOf(new string('w', 251) + ".cgw");
        ModelDescription description = WithBatchNorm();
        TestModel model = Model(description, seed: 4);
        model.Save(path);
        TestModel loaded = Model(description, seed: 5);
        loaded.Load(path);
        Assert.Equal(model.GetWeights(), loaded.GetWeights());
        Assert.Single(Directory.GetFileSystemEntries(_directory));
    }

    [Fact]
    public void SavingCreatesMissingDirectories()
    {
        string path = Path.Combine(_directory, "a", "b", "weights.cgw");
        Model(WithBatchNorm()).Save(path);
        Assert.True(File.Exists(path));
    }

    private static byte[] HandMade(string header, float[] values)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        var file = new byte[16 + json.Length + (4 * values.Length) + 32];
        "CGWEIGHT"u8.CopyTo(file);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(8), 1);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(12), json.Length);
        json.CopyTo(file, 16);
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(file.AsSpan(16 + json.Length + (4 * i)), values[i]);
        }

        SHA256.HashData(file.AsSpan(0, file.Length - 32)).CopyTo(file, file.Length - 32);
        return file;
    }

    private static float[] Floats(byte[] bytes, int offset, int count) =>
        Enumerable.Range(0, count).Select(i => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(offset + (4 * i)))).ToArray();
}
