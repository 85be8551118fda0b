namespace ConvGen.Models;

/// <summary>
/// A seed network of the course notebooks and the recipe its notebook trains it with: the one catalogue the trainer
/// (<c>convgen-train</c>), the benchmarks and the tests take the networks from.
/// </summary>
/// <param name="Name">The command-line name, as <c>convgen-train mnist-cnn</c> takes it.</param>
/// <param name="ModelName">The class name, which is also the model's name in its summary.</param>
/// <param name="Description">One line on what the network is and where it comes from.</param>
/// <param name="Create">A fresh model whose weights come from the given seed.</param>
/// <param name="Epochs">The notebook's number of epochs.</param>
/// <param name="BatchSize">The notebook's batch size.</param>
/// <param name="ValidationSplit">The fraction of the training set the notebook holds out for validation, as Keras'
/// <c>validation_split</c>; 0 for none.</param>
/// <param name="ValidateOnTest">Whether the notebook validates on the test set instead (the "Beating MNIST" models).</param>
public sealed record SeedNetwork(
    string Name,
    string ModelName,
    string Description,
    Func<int, Model> Create,
    int Epochs,
    int BatchSize,
    double ValidationSplit = 0,
    bool ValidateOnTest = false)
{
    /// <summary>Every seed network: the course labs' first, then "Beating MNIST"'s models in its order.</summary>
    public static IReadOnlyList<SeedNetwork> All { get; } =
    [
        new("mnist-mlp", nameof(MnistMlp), "Dense 784-20-15-10, 'normal' init (Databricks lab baseline)", seed => new MnistMlp(seed), Epochs: 20, BatchSize: 100, ValidationSplit: 0.1),
        new("mnist-conv8", nameof(MnistConv8), "Conv2D 8@4x4, pool, Dense 128 (the labs' first ConvNet)", seed => new MnistConv8(seed), Epochs: 20, BatchSize: 128, ValidationSplit: 0.1),
        new("mnist-conv8x2", nameof(MnistConv8x2), "Conv2D 8@4x4 x2, pool, Dense 128", seed => new MnistConv8x2(seed), Epochs: 15, BatchSize: 128, ValidationSplit: 0.1),
        new("mnist-cnn", nameof(MnistCnn), "Conv2D 32@3x3 x2, pool, dropout, Dense 128 (the labs' 99.1 % network)", seed => new MnistCnn(seed), Epochs: 15, BatchSize: 128),
        new("mnist-lenet", nameof(MnistLeNet), "Conv2D 6 and 16 @3x3 with pools and dropout (General Assembly lesson)", seed => new MnistLeNet(seed), Epochs: 10, BatchSize: 32),
        new("beating-linear", nameof(BeatingLinear), "Beating MNIST model 2: normalisation + Dense 10", seed => new BeatingLinear(seed), Epochs: 5, BatchSize: 32, ValidateOnTest: true),
        new("beating-hidden", nameof(BeatingHidden), "Beating MNIST model 3: + Dense 100 sigmoid", seed => new BeatingHidden(seed), Epochs: 5, BatchSize: 32, ValidateOnTest: true),
        new("beating-dense", nameof(BeatingDense), "Beating MNIST model 4: Dense 200 x3 relu", seed => new BeatingDense(seed), Epochs: 5, BatchSize: 32, ValidateOnTest: true),
        new("beating-conv", nameof(BeatingConv), "Beating MNIST model 5: three Conv2D 7@3x3 'same'", seed => new BeatingConv(seed), Epochs: 5, BatchSize: 32, ValidateOnTest: true),
        new("beating-conv-pool", nameof(BeatingConvPool), "Beating MNIST model 6: convolutions 7-14-28-28 with pools", seed => new BeatingConvPool(seed), Epochs: 5, BatchSize: 32, ValidateOnTest: true),
        new("beating-vgg", nameof(BeatingVgg), "Beating MNIST model 7: VGG style", seed => new BeatingVgg(seed), Epochs: 5, BatchSize: 32, ValidateOnTest: true),
        new("beating-vgg-bn", nameof(BeatingVggBatchNorm), "Beating MNIST model 8: VGG style + BatchNormalization", seed => new BeatingVggBatchNorm(seed), Epochs: 5, BatchSize: 32, ValidateOnTest: true),
        new("beating-vgg-dropout", nameof(BeatingVggDropout), "Beating MNIST models 9-11: VGG style + BatchNormalization + Dropout", seed => new BeatingVggDropout(seed), Epochs: 10, BatchSize: 32, ValidateOnTest: true),
    ];

    /// <summary>The network of a command-line name (<c>mnist-cnn</c>) or class name (<c>MnistCnn</c>), any case;
    /// null when there is none.</summary>
    public static SeedNetwork? Find(string name) =>
        All.FirstOrDefault(n => string.Equals(n.Name, name, StringComparison.OrdinalIgnoreCase) || string.Equals(n.ModelName, name, StringComparison.OrdinalIgnoreCase));
}
