using ConvGen.Layers;

namespace ConvGen.Tests.Interpreted;

/// <summary>
/// The backward pass of every layer kind and option against central finite differences in double, on small models
/// where each layer kind also sits after a trainable layer, so its input gradient is exercised too.
/// </summary>
public class GradientCheckTests
{
    private const int Batch = 4;
    private const int Classes = 3;

    public static TheoryData<string> ConvolutionCases => [.. ConvolutionModels.Keys];

    public static TheoryData<string> PoolingCases => [.. PoolingModels.Keys];

    public static TheoryData<Activation> HiddenActivations => [Activation.Linear, Activation.Relu, Activation.Sigmoid, Activation.Tanh];

    private static Dictionary<string, Func<ModelDescription>> ConvolutionModels { get; } = new()
    {
        ["valid, stride 1, two input channels"] = () => Model(
            Shape.Image(6, 6, 2),
            new Conv2DLayer(3, 3, 3, activation: Activation.Tanh),
            new Conv2DLayer(2, 2, 2, activation: Activation.Sigmoid),
            new FlattenLayer(),
            Softmax()),
        ["same, strides 1 then 2"] = () => Model(
            Shape.Image(7, 7, 3),
            new Conv2DLayer(2, 3, 3, padding: Padding.Same, activation: Activation.Tanh),
            new Conv2DLayer(3, 3, 3, 2, 2, Padding.Same, Activation.Tanh),
            new FlattenLayer(),
            Softmax()),
        ["same, odd total padding: 5x6 input, 2x3 kernel, stride 2"] = () => Model(
            Shape.Image(5, 6, 2),
            new Conv2DLayer(2, 1, 1, activation: Activation.Tanh),
            new Conv2DLayer(3, 2, 3, 2, 2, Padding.Same, Activation.Tanh),
            new FlattenLayer(),
            Softmax()),
        ["same, padding 1 before and 2 after: 4x4 kernel on 5x5"] = () => Model(
            Shape.Image(5, 5, 1),
            new Conv2DLayer(2, 2, 2, activation: Activation.Tanh),
            new Conv2DLayer(2, 4, 4, padding: Padding.Same, activation: Activation.Tanh),
            new FlattenLayer(),
            Softmax()),
        ["valid, unequal strides 2x1 and a 3x2 kernel"] = () => Model(
            Shape.Image(7, 6, 1),
            new Conv2DLayer(2, 2, 2, activation: Activation.Tanh),
            new Conv2DLayer(2, 3, 2, 2, 1, Padding.Valid, Activation.Tanh),
            new FlattenLayer(),
            Softmax()),
        ["without bias"] = () => Model(
            Shape.Image(5, 5, 2),
            new Conv2DLayer(3, 2, 2, activation: Activation.Tanh, useBias: false),
            new Conv2DLayer(2, 2, 2, 2, 2, Padding.Same, Activation.Linear, useBias: false),
            new FlattenLayer(),
            new DenseLayer(Classes, Activation.Softmax, useBias: false)),
    };

    private static Dictionary<string, Func<ModelDescription>> PoolingModels { get; } = new()
    {
        ["max 2x2, valid"] = () => PoolingModel(6, new MaxPooling2DLayer(2, 2)),
        ["max 2x2, stride 2, same on an odd size"] = () => PoolingModel(5, new MaxPooling2DLayer(2, 2, padding: Padding.Same)),
        ["max 3x3, stride 2, valid (overlapping)"] = () => PoolingModel(6, new MaxPooling2DLayer(3, 3, 2, 2)),
        ["max 3x3, stride 2, same (overlapping)"] = () => PoolingModel(6, new MaxPooling2DLayer(3, 3, 2, 2, Padding.Same)),
        ["max 3x3, stride 1, same"] = () => PoolingModel(5, new MaxPooling2DLayer(3, 3, 1, 1, Padding.Same)),
        ["max 4x4, stride 1, same (pads 1 and 2)"] = () => PoolingModel(5, new MaxPooling2DLayer(4, 4, 1, 1, Padding.Same)),
        ["max 2x3, strides 1x2, valid"] = () => PoolingModel(6, new MaxPooling2DLayer(2, 3, 1, 2)),
        ["average 2x2, valid"] = () => PoolingModel(6, new AveragePooling2DLayer(2, 2)),
        ["average 2x2, stride 2, same on an odd size"] = () => PoolingModel(5, new AveragePooling2DLayer(2, 2, padding: Padding.Same)),
        ["average 3x3, stride 2, valid (overlapping)"] = () => PoolingModel(6, new AveragePooling2DLayer(3, 3, 2, 2)),
        ["average 3x3, stride 2, same (overlapping)"] = () => PoolingModel(6, new AveragePooling2DLayer(3, 3, 2, 2, Padding.Same)),
        ["average 4x4, stride 1, same (pads 1 and 2)"] = () => PoolingModel(5, new AveragePooling2DLayer(4, 4, 1, 1, Padding.Same)),
        ["average 2x3, strides 1x2, valid"] = () => PoolingModel(6, new AveragePooling2DLayer(2, 3, 1, 2)),
    };

    [Theory]
    [MemberData(nameof(ConvolutionCases))]
    public void Conv2D(string name) => Check(ConvolutionModels[name]());

    [Theory]
    [MemberData(nameof(HiddenActivations))]
    public void Conv2DAndDenseWithEachActivation(Activation activation) => Check(Model(
        Shape.Image(5, 5, 2),
        new Conv2DLayer(3, 2, 2, activation: activation),
        new Conv2DLayer(2, 2, 2, padding: Padding.Same, activation: activation),
        new FlattenLayer(),
        new DenseLayer(4, activation),
        Softmax()));

    [Theory]
    [MemberData(nameof(PoolingCases))]
    public void Pooling2D(string name) => Check(PoolingModels[name]());

    [Fact]
    public void FlattenAndDense() => Check(Model(
        Shape.Image(2, 3, 2),
        new FlattenLayer(),
        new DenseLayer(5, Activation.Tanh),
        new DenseLayer(4, Activation.Sigmoid, useBias: false),
        new DenseLayer(Classes, Activation.Softmax, useBias: false)));

    [Fact]
    public void FlattenAfterAConvolution() => Check(Model(
        Shape.Image(4, 3, 2),
        new Conv2DLayer(3, 2, 2, activation: Activation.Tanh),
        new FlattenLayer(),
        Softmax()));

    [Theory]
    [MemberData(nameof(HiddenActivations))]
    public void ActivationLayers(Activation activation) => Check(Model(
        Shape.Image(4, 4, 2),
        new Conv2DLayer(3, 2, 2),
        new ActivationLayer(activation),
        new FlattenLayer(),
        new DenseLayer(5),
        new ActivationLayer(activation),
        new DenseLayer(Classes),
        new ActivationLayer(Activation.Softmax)));

    [Fact]
    public void DropoutWithAFixedSeed() => Check(Model(
        Shape.Image(5, 5, 1),
        new DropoutLayer(0.2),
        new Conv2DLayer(3, 2, 2, activation: Activation.Tanh),
        new DropoutLayer(0.4),
        new FlattenLayer(),
        new DenseLayer(6, Activation.Tanh),
        new DropoutLayer(0.5),
        Softmax()));

    [Fact]
    public void BatchNormalizationAfterAConvolutionAndAfterADense() => Check(
        Model(
            Shape.Image(5, 5, 2),
            new Conv2DLayer(3, 2, 2, useBias: false),
            new BatchNormalizationLayer(momentum: 0.9),
            new ActivationLayer(Activation.Tanh),
            new FlattenLayer(),
            new DenseLayer(4),
            new BatchNormalizationLayer(epsilon: 1e-2),
            new ActivationLayer(Activation.Sigmoid),
            Softmax()),
        vanishing: "dense/bias"); // a bias followed by batch normalisation cancels out

    [Fact]
    public void BatchNormalizationAsFirstLayerOnFlatInput() => Check(Model(
        Shape.Flat(5),
        new BatchNormalizationLayer(),
        new DenseLayer(4, Activation.Tanh),
        new BatchNormalizationLayer(),
        Softmax()));

    [Fact]
    public void RescalingConvMaxPoolingBatchNormalizationDense() => Check(Model(
        Shape.Image(6, 6, 1),
        new RescalingLayer(0.5, 0.25),
        new Conv2DLayer(3, 3, 3, activation: Activation.Tanh),
        new MaxPooling2DLayer(2, 2),
        new BatchNormalizationLayer(),
        new FlattenLayer(),
        Softmax()));

    [Fact]
    public void RescalingAndNormalizationAfterTrainableLayers() => Check(Model(
        Shape.Image(4, 4, 1),
        new NormalizationLayer(0.5, 2),
        new Conv2DLayer(2, 2, 2, activation: Activation.Tanh),
        new RescalingLayer(2, -1),
        new FlattenLayer(),
        new DenseLayer(4, Activation.Tanh),
        new RescalingLayer(0.5, 0.1),
        new NormalizationLayer(0.2, 1.5),
        Softmax()));

    private static ModelDescription PoolingModel(int convOutputSize, Layer pool) => Model(
        Shape.Image(convOutputSize + 1, convOutputSize + 1, 1),
        new Conv2DLayer(2, 2, 2, activation: Activation.Tanh),
        pool,
        new FlattenLayer(),
        Softmax());

    private static DenseLayer Softmax() => new(Classes, Activation.Softmax);

    private static ModelDescription Model(Shape input, params Layer[] layers) => new("check", input, layers);

    private static void Check(ModelDescription description, params string[] vanishing)
    {
        DoubleNetwork network = DoubleNetwork.Random(description, seed: 11);
        double[] images = DoubleNetwork.RandomValues(Batch * description.InputShape.Size, seed: 12);
        int[] labels = DoubleNetwork.RandomLabels(Batch, description.Classes, seed: 13);
        GradientCheck.AssertGradientsMatch(network, images, labels, dropoutSeed: 14, vanishing);
    }
}
