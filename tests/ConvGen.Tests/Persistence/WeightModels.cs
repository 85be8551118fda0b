using ConvGen.Layers;
using ConvGen.Tests.Training;

namespace ConvGen.Tests.Persistence;

/// <summary>The models and comparisons the weight-file tests share.</summary>
internal static class WeightModels
{
    /// <summary>Conv2D 5@3×3 on 4×4×3, BatchNormalization, Flatten, Dense 3 softmax: trainable and non-trainable
    /// weights (the model Fixtures/write_safetensors_fixture.py writes its file for).</summary>
    public static ModelDescription WithBatchNorm(string name = "bn") => new(
        name,
        Shape.Image(4, 4, 3),
        [new Conv2DLayer(5, 3, 3), new BatchNormalizationLayer(), new FlattenLayer(), new DenseLayer(3, Activation.Softmax)]);

    /// <summary>A model of <paramref name="description"/> whose weights come from <paramref name="seed"/>.</summary>
    public static TestModel Model(ModelDescription description, int seed = 1) => new(new DescriptionOnlyEngine(description), seed);

    /// <summary>The weights' bit patterns, so NaN payloads and negative zero compare exactly.</summary>
    public static int[][] Bits(float[][] weights) => weights.Select(w => w.Select(BitConverter.SingleToInt32Bits).ToArray()).ToArray();
}
