using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using ConvGen.Layers;
using ConvGen.Persistence;
using ConvGen.Tests.Training;
using static ConvGen.Tests.Persistence.WeightModels;

namespace ConvGen.Tests.Persistence;

/// <summary>Weights as safetensors (<c>Save</c>/<c>Load</c> with a <c>.safetensors</c> name): the bytes the format
/// defines, a file from an independent writer, bit-exact round trips, and every malformed file refused with the file
/// and the problem named and the model untouched.</summary>
public sealed class SafetensorsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("convgen-safetensors-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    [Fact]
    public void TheFileIsExactlyWhatTheFormatDefines()
    {
        // The format: an unsigned 64-bit little-endian header length N; N bytes of UTF-8 JSON, padded with spaces so
        // the data starts on a multiple of 8; then each tensor's float32 values, little-endian, at its data_offsets.
        var model = new TestModel(new SoftmaxEngine(SoftmaxEngine.Describe()));
        model.SetWeights([[1f, -2f, 0.5f, 3f], [-0.25f, 8f]]);
        string path = PathOf("layout.safetensors");
        model.Save(path);

        string json =
            "{\"__metadata__\":{\"model\":\"softmax\",\"producer\":\"ConvGen\",\"producer_version\":\"" + Producer.Version + "\",\"layout\":\"keras\"},"
            + "\"dense/kernel\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
            + "\"dense/bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}}";
        json += new string(' ', (8 - (Encoding.UTF8.GetByteCount(json) % 8)) % 8);
        byte[] header = Encoding.UTF8.GetBytes(json);
        byte[] expected =
        [
            .. BitConverter.GetBytes((ulong)header.Length), // the machine is little-endian, as the format
            .. header,
            0x00, 0x00, 0x80, 0x3F, // 1
            0x00, 0x00, 0x00, 0xC0, // -2
            0x00, 0x00, 0x00, 0x3F, // 0.5
            0x00, 0x00, 0x40, 0x40, // 3
            0x00, 0x00, 0x80, 0xBE, // -0.25
            0x00, 0x00, 0x00, 0x41, // 8
        ];
        Assert.True(BitConverter.IsLittleEndian);
        Assert.Equal(expected, File.ReadAllBytes(path));
        Assert.Equal(0, (8 + header.Length) % 8);
    }

    [Fact]
    public void EveryWeightIsWrittenUnderItsKerasNameAndShapeInKerasOrderAsF32()
    {
        ModelDescription description = WithBatchNorm("Named");
        string path = PathOf("named.safetensors");
        Model(description).Save(path);
        byte[] file = File.ReadAllBytes(path);
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        using JsonDocument header = JsonDocument.Parse(file.AsMemory(8, headerLength));

        JsonProperty[] entries = header.RootElement.EnumerateObject().ToArray();
        Assert.Equal("__metadata__", entries[0].Name);
        Assert.Equal("Named", entries[0].Value.GetProperty("model").GetString());
        Assert.Equal(Producer.Version, entries[0].Value.GetProperty("producer_version").GetString());
        Assert.Equal(description.Weights.Select(w => w.Name), entries.Skip(1).Select(e => e.Name));
        Assert.Equal(
            description.Weights.Select(w => w.Shape.ToArray()),
            entries.Skip(1).Select(e => e.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray()));
        Assert.All(entries.Skip(1), e => Assert.Equal("F32", e.Value.GetProperty("dtype").GetString()));
        Assert.Equal(8 + headerLength + (4 * description.Weights.Sum(w => w.Length)), file.Length);
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
        string path = PathOf("model.safetensors");
        source.Save(path);

        TestModel target = Model(description, seed: 2);
        target.Load(path);
        Assert.Equal(Bits(source.GetWeights()), Bits(target.GetWeights()));
        Assert.Equal(["model.safetensors"], Directory.GetFileSystemEntries(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public void AFileWrittenByAnIndependentWriterLoads()
    {
        // Fixtures/write_safetensors_fixture.py wrote it with Python's struct and json: tensors in name order, JSON
        // with spaces and sorted keys, other metadata. Tensor t (in Keras order) holds t * 1000 + i / 4.
        string path = Path.Combine(AppContext.BaseDirectory, "Persistence", "Fixtures", "written-by-python.safetensors");
        TestModel model = Model(WithBatchNorm());
        model.Load(path);

        float[][] loaded = model.GetWeights();
        for (int t = 0; t < loaded.Length; t++)
        {
            Assert.Equal(Enumerable.Range(0, loaded[t].Length).Select(i => (t * 1000f) + (i / 4f)), loaded[t]);
        }
    }

    [Fact]
    public void TheExtensionChoosesTheFormatInAnyCase()
    {
        ModelDescription description = WithBatchNorm();
        TestModel model = Model(description);
        string safetensors = PathOf("upper.SafeTensors");
        string native = PathOf("native.cgw");
        model.Save(safetensors);
        model.Save(native);

        Assert.Equal((byte)'{', File.ReadAllBytes(safetensors)[8]);
        Assert.Equal("CGWEIGHT"u8.ToArray(), File.ReadAllBytes(native)[..8]);
        TestModel loaded = Model(description, seed: 9);
        loaded.Load(safetensors);
        Assert.Equal(model.GetWeights(), loaded.GetWeights());
    }

    [Fact]
    public void EachFormatUnderTheOthersNameIsRefusedWithAHint()
    {
        ModelDescription description = WithBatchNorm();
        TestModel model = Model(description);
        string safetensorsNamedCgw = PathOf("really-safetensors.cgw");
        string cgwNamedSafetensors = PathOf("really-cgw.safetensors");
        model.Save(PathOf("a.safetensors"));
        File.Move(PathOf("a.safetensors"), safetensorsNamedCgw);
        model.Save(PathOf("b.cgw"));
        File.Move(PathOf("b.cgw"), cgwNamedSafetensors);

        TestModel target = Model(description, seed: 3);
        float[][] before = target.GetWeights();
        Assert.Contains("looks like a safetensors file", Assert.Throws<InvalidDataException>(() => target.Load(safetensorsNamedCgw)).Message);
        Assert.Contains("it is a ConvGen weights file", Assert.Throws<InvalidDataException>(() => target.Load(cgwNamedSafetensors)).Message);
        Assert.Equal(before, target.GetWeights());
    }

    public static TheoryData<string, string> Corruptions => new()
    {
        { "empty", "the file is empty" },
        { "shorter-than-length", "shorter than the 8-byte header length" },
        { "huge-header-length", "over the format's limit of 100000000" },
        { "header-past-end", "truncated (its" },
        { "not-utf8", "not valid UTF-8" },
        { "not-an-object", "does not start with '{'" },
        { "bad-json", "not valid JSON" },
        { "duplicate-tensor", "names tensor 'dense/bias' twice" },
        { "metadata-not-strings", "__metadata__ entry 'epochs' is not a string" },
        { "no-dtype", "tensor 'dense/bias' in its header has no \"dtype\" string" },
        { "unknown-dtype", "unknown dtype \"F31\"" },
        { "negative-shape", "no \"shape\" array of non-negative integers" },
        { "offsets-not-a-pair", "no \"data_offsets\" pair" },
        { "offsets-reversed", "ends before it begins" },
        { "offsets-disagree-with-shape", "is F32 (3,), 12 bytes, but its data_offsets [48, 56] span 8" },
        { "gap", "leaves bytes 48..51 of the data unused" },
        { "overlap", "overlaps the tensor before it" },
        { "truncated-data", "it is truncated (its header describes 56 bytes of data; the file holds 52)" },
        { "trailing-bytes", "bytes after its last tensor" },
        { "missing-tensor", "it has no tensor 'dense/bias' of model 'm'" },
        { "extra-tensor", "tensors model 'm' does not have: 'dense/extra'" },
        { "other-dtype", "tensor 'dense/bias' is F64; ConvGen loads F32" },
        { "other-shape", "tensor 'dense/kernel' is (3, 4) in the file but (4, 3) in model 'm'" },
        { "directory", "is a directory" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void LoadingABadFileNamesTheFileAndTheProblemAndChangesNothing(string corruption, string problem)
    {
        // Flat(4) → Dense(3): kernel (4, 3) at bytes 0..47, bias (3,) at 48..59 in a well-formed file.
        const string Kernel = "\"dense/kernel\":{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[0,48]}";
        byte[] Data(int floats) => WeightBytes.LittleEndian(Enumerable.Range(0, floats).Select(i => (float)i).ToArray());
        string Bias(string dtype = "F32", string shape = "[3]", string offsets = "[48,60]") =>
            $"\"dense/bias\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":{offsets}}}";
        string path = PathOf(corruption + ".safetensors");
        switch (corruption)
        {
            case "empty": File.WriteAllBytes(path, []); break;
            case "shorter-than-length": File.WriteAllBytes(path, [1, 0, 0, 0]); break;
            case "huge-header-length": File.WriteAllBytes(path, [.. BitConverter.GetBytes(100_000_001UL), .. "{}"u8]); break;
            case "header-past-end": File.WriteAllBytes(path, [.. BitConverter.GetBytes(64UL), .. "{}"u8]); break;
            case "not-utf8": File.WriteAllBytes(path, Craft([(byte)'{', 0xFF, 0xFE, (byte)'}'], [])); break;
            case "not-an-object": File.WriteAllBytes(path, Craft("[1, 2]", [])); break;
            case "bad-json": File.WriteAllBytes(path, Craft("{\"dense/kernel\": {", [])); break;
            case "duplicate-tensor": File.WriteAllBytes(path, Craft($"{{{Kernel},{Bias()},{Bias()}}}", Data(15))); break;
            case "metadata-not-strings": File.WriteAllBytes(path, Craft($"{{\"__metadata__\":{{\"epochs\":15}},{Kernel},{Bias()}}}", Data(15))); break;
            case "no-dtype": File.WriteAllBytes(path, Craft($"{{{Kernel},\"dense/bias\":{{\"shape\":[3],\"data_offsets\":[48,60]}}}}", Data(15))); break;
            case "unknown-dtype": File.WriteAllBytes(path, Craft($"{{{Kernel},{Bias(dtype: "F31")}}}", Data(15))); break;
            case "negative-shape": File.WriteAllBytes(path, Craft($"{{{Kernel},{Bias(shape: "[-3]")}}}", Data(15))); break;
            case "offsets-not-a-pair": File.WriteAllBytes(path, Craft($"{{{Kernel},{Bias(offsets: "[48]")}}}", Data(15))); break;
            case "offsets-reversed": File.WriteAllBytes(path, Craft($"{{{Kernel},{Bias(offsets: "[60,48]")}}}", Data(15))); break;
            case "offsets-disagree-with-shape": File.WriteAllBytes(path, Craft($"{{{Kernel},{Bias(offsets: "[48,56]")}}}", Data(14))); break;
            case "gap": File.WriteAllBytes(path, Craft($"{{{Kernel},{Bias(offsets: "[52,64]")}}}", Data(16))); break;
            case "overlap": File.WriteAllBytes(path, Craft($"{{{Kernel},{Bias(offsets: "[44,56]")}}}", Data(14))); break;
            case "truncated-data": File.WriteAllBytes(path, Craft($"{{{Kernel},{Bias(shape: "[2]", offsets: "[48,56]")}}}", Data(13))); break;
            case "trailing-bytes": File.WriteAllBytes(path, Craft($"{{{Kernel},{Bias()}}}", Data(16))); break;
            case "missing-tensor": File.WriteAllBytes(path, Craft($"{{{Kernel}}}", Data(12))); break;
            case "extra-tensor": File.WriteAllBytes(path, Craft($"{{{Kernel},{Bias()},\"dense/extra\":{{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[60,64]}}}}", Data(16))); break;
            case "other-dtype": File.WriteAllBytes(path, Craft($"{{{Kernel},{Bias(dtype: "F64", offsets: "[48,72]")}}}", Data(18))); break;
            case "other-shape": File.WriteAllBytes(path, Craft($"{{{Kernel.Replace("[4,3]", "[3,4]")},{Bias()}}}", Data(15))); break;
            case "directory": Directory.CreateDirectory(path); break;
        }

        ModelDescription description = new("m", Shape.Flat(4), [new DenseLayer(3, Activation.Softmax)]);
        TestModel model = Model(description, seed: 8);
        float[][] before = model.GetWeights();
        var error = Assert.Throws<InvalidDataException>(() => model.Load(path));
        Assert.Contains($"'{path}'", error.Message);
        Assert.Contains(problem, error.Message);
        Assert.Equal(before, model.GetWeights());
    }

    [Fact]
    public void TheWellFormedVersionOfTheCorruptedFilesLoads()
    {
        // The corruptions above each change one thing in this file; it must load, or they would prove nothing.
        string path = PathOf("well-formed.safetensors");
        byte[] data = WeightBytes.LittleEndian(Enumerable.Range(0, 15).Select(i => (float)i).ToArray());
        File.WriteAllBytes(path, Craft(
            "{\"__metadata__\":{\"epochs\":\"15\"},\"dense/kernel\":{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[0,48]},\"dense/bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[48,60]}}",
            data));
        TestModel model = Model(new ModelDescription("m", Shape.Flat(4), [new DenseLayer(3, Activation.Softmax)]));
        model.Load(path);
        Assert.Equal([Enumerable.Range(0, 12).Select(i => (float)i).ToArray(), [12f, 13f, 14f]], model.GetWeights());
    }

    [Fact]
    public void AFailedWriteLeavesTheExistingFileIntactAndNoTemporaryFile()
    {
        ModelDescription description = WithBatchNorm();
        string path = PathOf("intact.safetensors");
        Model(description, seed: 1).Save(path);
        byte[] original = File.ReadAllBytes(path);

        var error = Assert.Throws<IOException>(() => SafetensorsFile.Save(path, description, Model(description, seed: 2).GetWeights(), stream => new FailingStream(stream, failAfter: 100)));
        Assert.Contains($"'{path}'", error.Message);
        Assert.Contains("No space left", error.Message);
        Assert.Equal(original, File.ReadAllBytes(path));
        Assert.Equal(["intact.safetensors"], Directory.GetFileSystemEntries(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public void LoadingAMissingFileThrowsFileNotFound()
    {
        TestModel model = Model(WithBatchNorm());
        string path = PathOf("missing.safetensors");
        var error = Assert.Throws<FileNotFoundException>(() => model.Load(path));
        Assert.Contains(path, error.Message);
    }

    /// <summary>A safetensors file around <paramref name="header"/> (not padded: the format does not require it).</summary>
    private static byte[] Craft(string header, byte[] data) => Craft(Encoding.UTF8.GetBytes(header), data);

    private static byte[] Craft(byte[] header, byte[] data) => [.. BitConverter.GetBytes((ulong)header.Length), .. header, .. data];
}
