using ConvGen.Layers;
using ConvGen.Models;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using Xunit.Abstractions;

namespace ConvGen.Export.Tests.Onnx;

/// <summary>
/// <c>model.ExportOnnx</c>: every seed network and every layer test model, with trained-looking weights, run in ONNX
/// Runtime and compared with ConvGen's <c>Predict</c> (probabilities equal to 1e-5); models described at run time for
/// the padding, stride and layout cases the compiled models do not reach; the graph's interface; and that the
/// comparison sees a difference when there is one.
/// </summary>
public class OnnxExportTests(ITestOutputHelper output)
{
    public static TheoryData<string> SeedNetworks => [.. TrainedModels.SeedNetworks];

    public static TheoryData<string> LayerTestModels => [.. TrainedModels.LayerTestModels];

    [Theory]
    [MemberData(nameof(SeedNetworks))]
    public void EverySeedNetworksExportMatchesPredictInOnnxRuntime(string name)
    {
        Model model = TrainedModels.Train(TrainedModels.SeedNetworkModel(name, seed: 3), seed: 3);
        if (model.Description.Layers.Any(l => l.Layer is BatchNormalizationLayer))
        {
            Assert.True(TrainedModels.HasNonTrivialMovingStatistics(model));
        }

        OnnxComparison.AssertMatchesPredict(model, SyntheticData.For(model.Description, 24, seed: 99), output);
    }

    [Theory]
    [MemberData(nameof(LayerTestModels))]
    public void EveryLayerTestModelsExportMatchesPredictInOnnxRuntime(string name)
    {
        Model model = TrainedModels.Train(TrainedModels.LayerTestModel(name, seed: 5), seed: 5);
        OnnxComparison.AssertMatchesPredict(model, SyntheticData.For(model.Description, 24, seed: 98), output);
    }

    [Fact]
    public void TheLayerTestModelsAreFoundAndCoverEveryLayerKind()
    {
        string[] names = [.. TrainedModels.LayerTestModels];
        Assert.True(names.Length >= 20, $"only {names.Length} layer test models found");
        string[] kinds = names.SelectMany(n => TrainedModels.LayerTestModel(n, 0).Description.Layers.Select(l => l.Layer.KerasType)).Distinct().Order().ToArray();
        Assert.Equal(["Activation", "AveragePooling2D", "BatchNormalization", "Conv2D", "Dense", "Dropout", "Flatten", "MaxPooling2D", "Normalization", "Rescaling"], kinds);
    }

    public static TheoryData<string> DescribedCases => [.. Described.Keys];

    // Models the interpreted engine runs, for cases no compiled model has: each names what it checks.
    private static readonly Dictionary<string, Func<ModelDescription>> Described = new()
    {
        ["average pool 'same', 3×3 stride 2 on odd sizes (pads on both sides, unequal)"] = () => new("avg", Shape.Image(7, 8, 3),
            [new AveragePooling2DLayer(3, 3, 2, 2, Padding.Same), new FlattenLayer(), new DenseLayer(4, Activation.Softmax)]),
        ["max pool 'same', 3×2 stride 1 (padding before and after)"] = () => new("max", Shape.Image(5, 6, 2),
            [new Conv2DLayer(3, 2, 2, activation: Activation.Tanh), new MaxPooling2DLayer(3, 2, 1, 1, Padding.Same), new FlattenLayer(), new DenseLayer(3, Activation.Softmax)]),
        ["max pool 'same' over negative values (a padded zero must not win)"] = () => new("negative", Shape.Image(6, 6, 2),
            [new RescalingLayer(-1, -0.5), new MaxPooling2DLayer(2, 2, 2, 2, Padding.Same), new MaxPooling2DLayer(2, 2, 1, 1, Padding.Same), new FlattenLayer(), new DenseLayer(3, Activation.Softmax)]),
        ["conv 'same' with unequal strides 2×3 and an even kernel"] = () => new("strided", Shape.Image(9, 11, 2),
            [new Conv2DLayer(4, 4, 2, 2, 3, Padding.Same, Activation.Relu), new FlattenLayer(), new DenseLayer(3, Activation.Softmax)]),
        ["conv 'valid' with strides that skip the last rows and columns"] = () => new("skipping", Shape.Image(10, 9, 1),
            [new Conv2DLayer(3, 3, 3, 3, 2, Padding.Valid, Activation.Sigmoid, useBias: false), new FlattenLayer(), new DenseLayer(3, Activation.Softmax)]),
        ["batch normalisation and rescaling straight on the NHWC input, then Flatten"] = () => new("input-bn", Shape.Image(4, 5, 3),
            [new BatchNormalizationLayer(epsilon: 0.1), new RescalingLayer(2, 0.25), new FlattenLayer(), new DenseLayer(5, Activation.Softmax)]),
        ["flat input: normalisation, batch normalisation, Flatten of a flat tensor, softmax as a layer"] = () => new("flat", Shape.Flat(12),
            [new NormalizationLayer(0.3, 2.5), new BatchNormalizationLayer(), new FlattenLayer(), new DenseLayer(7, Activation.Tanh), new DropoutLayer(0.5), new DenseLayer(4), new ActivationLayer(Activation.Softmax)]),
        ["many channels then a 1×1 image: Flatten orders height-width-channel"] = () => new("channels", Shape.Image(6, 6, 5),
            [new Conv2DLayer(9, 3, 3, activation: Activation.Tanh), new Conv2DLayer(6, 2, 2, 2, 2), new BatchNormalizationLayer(), new FlattenLayer(), new DenseLayer(3, Activation.Softmax)]),
    };

    [Theory]
    [MemberData(nameof(DescribedCases))]
    public void DescribedModelsExportMatchesPredictInOnnxRuntime(string @case)
    {
        Model model = TrainedModels.Train(new InterpretedModel(Described[@case](), seed: 7), seed: 7);
        Dataset data = SyntheticData.For(model.Description, 16, seed: 97);
        if (model.Description.InputShape.IsFlat is false)
        {
            // Centred values, so pooling and convolutions see negatives as well as positives.
            float[] centred = data.Images.ToArray().Select(v => (v * 2) - 0.6f).ToArray();
            data = new Dataset(centred, data.Labels.ToArray(), data.Shape);
        }

        OnnxComparison.AssertMatchesPredict(model, data, output);
    }

    [Fact]
    public void TheComparisonSeesAWrongWeight()
    {
        // The export taken, one kernel value changed by 0.05 in ConvGen's model only: the comparison must fail.
        Model model = TrainedModels.Train(TrainedModels.LayerTestModel("ConvValidModel", seed: 5), seed: 5);
        Dataset data = SyntheticData.For(model.Description, 24, seed: 98);
        byte[] onnx = model.ToOnnx();
        float[][] weights = model.GetWeights();
        weights[0][7] += 0.05f;
        model.SetWeights(weights);

        (double probability, double logProbability) = OnnxComparison.Difference(model.Predict(data), OnnxComparison.Run(onnx, data));
        Assert.True(probability > 1e-5 || logProbability > 1e-3, $"a changed weight went unseen ({probability:E2}, {logProbability:E2})");
    }

    [Fact]
    public void TheGraphTakesNhwcImagesOfAnyBatchSizeAndReturnsProbabilities()
    {
        var model = new MnistCnn(seed: 1);
        ModelProto graph = ModelProto.Parser.ParseFrom(model.ToOnnx());

        Assert.Equal(OnnxExport.Opset, graph.OpsetImport.Single().Version);
        Assert.Equal("ConvGen", graph.ProducerName);
        Assert.Equal(["batch", "28", "28", "1"], graph.Graph.Input.Single().Type.TensorType.Shape.Dim.Select(Dimension));
        Assert.Equal(OnnxExport.InputName, graph.Graph.Input.Single().Name);
        Assert.Equal(["batch", "10"], graph.Graph.Output.Single().Type.TensorType.Shape.Dim.Select(Dimension));
        Assert.Equal(OnnxExport.OutputName, graph.Graph.Output.Single().Name);
        Assert.Contains(graph.MetadataProps, p => p.Key == "input_layout" && p.Value == "NHWC");
        Assert.DoesNotContain(graph.Graph.Node, n => n.OpType == "Dropout");
        Assert.Equal(model.Description.Weights.Select(w => w.Name).Order(), graph.Graph.Initializer.Select(i => i.Name).Order());

        using var session = new InferenceSession(model.ToOnnx());
        foreach (int batch in new[] { 1, 5 })
        {
            Dataset data = SyntheticData.For(model.Description, batch, seed: batch);
            float[][] probabilities = OnnxComparison.Run(session, data);
            Assert.All(probabilities, p => Assert.Equal(1.0, p.Sum(), 5));
        }
    }

    [Fact]
    public void ExportOnnxWritesAFileOnnxRuntimeLoads()
    {
        string directory = Directory.CreateTempSubdirectory("convgen-onnx-").FullName;
        try
        {
            Model model = TrainedModels.Train(new BeatingConvPool(seed: 2), seed: 2);
            string path = Path.Combine(directory, "nested", "beating-conv-pool.onnx");
            model.ExportOnnx(path);

            using var session = new InferenceSession(path);
            Dataset data = SyntheticData.For(model.Description, 8, seed: 4);
            (double probability, _) = OnnxComparison.Difference(model.Predict(data), OnnxComparison.Run(session, data));
            Assert.True(probability <= 1e-5);
            Assert.Equal(["beating-conv-pool.onnx"], Directory.GetFileSystemEntries(Path.GetDirectoryName(path)!).Select(Path.GetFileName));

            var error = Assert.Throws<IOException>(() => model.ExportOnnx(directory));
            Assert.Contains($"'{directory}'", error.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Dimension(TensorShapeProto.Types.Dimension d) =>
        d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam ? d.DimParam : d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
