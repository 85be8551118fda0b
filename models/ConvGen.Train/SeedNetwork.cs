using ConvGen.Models;

namespace ConvGen.Train;

/// <summary>A seed network and the recipe its notebook trains it with.</summary>
internal sealed record SeedNetwork(
    string Name,
    string Description,
    Func<int, Model> Create,
    int Epochs,
    int BatchSize,
    double ValidationSplit = 0,
    bool ValidateOnTest = false)
{
    public static IReadOnlyList<SeedNetwork> All { get; } =
    [
        new("mnist-mlp", "Dense 784-20-15-10, 'normal' init (Databricks lab baseline)", seed => new MnistMlp(seed), Epochs: 20, BatchSize: 100, ValidationSplit: 0.1),
        new("mnist-conv8", "Conv2D 8@4x4, pool, Dense 128 (the labs' first ConvNet)", seed => new MnistConv8(seed), Epochs: 20, BatchSize: 128, ValidationSplit: 0.1),
        new("mnist-conv8x2", "Conv2D 8@4x4 x2, pool, Dense 128", seed => new MnistConv8x2(seed), Epochs: 15, BatchSize: 128, ValidationSplit: 0.1),
        new("mnist-cnn", "Conv2D 32@3x3 x2, pool, dropout, Dense 128 (the labs' 99.1 % network)", seed => new MnistCnn(seed), Epochs: 15, BatchSize: 128),
        new("mnist-lenet", "Conv2D 6 and 16 @3x3 with pools and dropout (General Assembly lesson)", seed => new MnistLeNet(seed), Epochs: 10, BatchSize: 32),
        new("beating-linear", "Beating MNIST model 2: normalisation + Dense 10", seed => new BeatingLinear(seed), Epochs: 5, BatchSize: 32, ValidateOnTest: true),
        new("beating-hidden", "Beating MNIST model 3: + Dense 100 sigmoid", seed => new BeatingHidden(seed), Epochs: 5, BatchSize: 32, ValidateOnTest: true),
        new("beating-dense", "Beating MNIST model 4: Dense 200 x3 relu", seed => new BeatingDense(seed), Epochs: 5, BatchSize: 32, ValidateOnTest: true),
        new("beating-conv", "Beating MNIST model 5: three Conv2D 7@3x3 'same'", seed => new BeatingConv(seed), Epochs: 5, BatchSize: 32, ValidateOnTest: true),
        new("beating-conv-pool", "Beating MNIST model 6: convolutions 7-14-28-28 with pools", seed => new BeatingConvPool(seed), Epochs: 5, BatchSize: 32, ValidateOnTest: true),
        new("beating-vgg", "Beating MNIST model 7: VGG style", seed => new BeatingVgg(seed), Epochs: 5, BatchSize: 32, ValidateOnTest: true),
        new("beating-vgg-bn", "Beating MNIST model 8: VGG style + BatchNormalization", seed => new BeatingVggBatchNorm(seed), Epochs: 5, BatchSize: 32, ValidateOnTest: true),
        new("beating-vgg-dropout", "Beating MNIST models 9-11: VGG style + BatchNormalization + Dropout", seed => new BeatingVggDropout(seed), Epochs: 10, BatchSize: 32, ValidateOnTest: true),
    ];

    public static SeedNetwork? Find(string name) =>
        All.FirstOrDefault(n => string.Equals(n.Name, name, StringComparison.OrdinalIgnoreCase));
}
