namespace ConvGen.Generator.Tests.Infrastructure;

/// <summary>A model as a user writes it: the class name (a keyword keeps its '@'), its attribute block, one attribute
/// per line, and the members the user declares in the class body (none when null).</summary>
internal sealed record ModelSource(string Name, string Attributes, string? Members = null)
{
    /// <summary>The model as a whole file: <c>using ConvGen;</c>, a namespace (none when null) and a documented
    /// <c>public partial class</c>.</summary>
    public string ToSource(string? ns = "ConvGen.Models") =>
        $$"""
        using ConvGen;
        {{(ns is null ? "" : $"\nnamespace {ns};\n")}}
        /// <summary>The {{Name.TrimStart('@')}} network.</summary>
        {{Attributes}}
        public partial class {{Name}}{{(Members is null ? ";" : $"\n{{\n{Members}\n}}")}}
        """;

    public override string ToString() => Name;
}

/// <summary>
/// The seed networks of models/ConvGen.Models/ConvolutionalNetworks.cs (attribute blocks copied verbatim), plus two
/// small models that exercise what the seeds do not: 'same' padding with an odd total padding and strides 2,
/// AveragePooling2D, BatchNormalization, Rescaling, Normalization, Dropout and an Activation(Softmax) last layer.
/// </summary>
internal static class SeedNetworks
{
    public static readonly ModelSource MnistMlp = new("MnistMlp", """
        [Sequential(784)]
        [Dense(20, KernelInitializer = Initializer.RandomNormal, Activation = Activation.Relu)]
        [Dense(15, KernelInitializer = Initializer.RandomNormal, Activation = Activation.Relu)]
        [Dense(10, KernelInitializer = Initializer.RandomNormal, Activation = Activation.Softmax)]
        """);

    public static readonly ModelSource MnistConv8 = new("MnistConv8", """
        [Sequential(28, 28, 1)]
        [Conv2D(8, 4, 4, Padding = Padding.Valid)]
        [Activation(Activation.Relu)]
        [MaxPooling2D(2)]
        [Flatten]
        [Dense(128)]
        [Activation(Activation.Relu)]
        [Dense(10)]
        [Activation(Activation.Softmax)]
        """);

    public static readonly ModelSource MnistConv8x2 = new("MnistConv8x2", """
        [Sequential(28, 28, 1)]
        [Conv2D(8, 4, 4, Padding = Padding.Valid)]
        [Activation(Activation.Relu)]
        [Conv2D(8, 4, 4)]
        [Activation(Activation.Relu)]
        [MaxPooling2D(2)]
        [Flatten]
        [Dense(128)]
        [Activation(Activation.Relu)]
        [Dense(10)]
        [Activation(Activation.Softmax)]
        """);

    public static readonly ModelSource MnistCnn = new("MnistCnn", """
        [Sequential(28, 28, 1)]
        [Conv2D(32, 3, Activation = Activation.Relu)]
        [Conv2D(32, 3, 3, Activation = Activation.Relu)]
        [MaxPooling2D(2)]
        [Dropout(0.25)]
        [Flatten]
        [Dense(128, Activation = Activation.Relu)]
        [Dropout(0.5)]
        [Dense(10, Activation = Activation.Softmax)]
        """);

    public static readonly ModelSource MnistLeNet = new("MnistLeNet", """
        [Sequential(28, 28, 1)]
        [Conv2D(6, 3, Activation = Activation.Relu)]
        [MaxPooling2D(2)]
        [Conv2D(16, 3, Activation = Activation.Relu)]
        [MaxPooling2D(2)]
        [Dropout(0.25)]
        [Flatten]
        [Dense(128, Activation = Activation.Relu)]
        [Dropout(0.5)]
        [Dense(10, Activation = Activation.Softmax)]
        """);

    /// <summary>
    /// 15×13×3 rescaled; a 4×3 'same' convolution with strides 2 (total padding 3 rows: 1 above, 2 below); batch
    /// normalisation; a 3×3 'same' average pool with strides 2 (total padding 1 row, below only); dropout; softmax.
    /// </summary>
    public static readonly ModelSource StridedSame = new("StridedSame", """
        [Sequential(15, 13, 3)]
        [Rescaling(1.0 / 255)]
        [Conv2D(6, 4, 3, Strides = 2, Padding = Padding.Same, Activation = Activation.Relu)]
        [BatchNormalization]
        [AveragePooling2D(3, Strides = 2, Padding = Padding.Same)]
        [Flatten]
        [Dropout(0.2)]
        [Dense(10, Activation = Activation.Softmax)]
        """);

    /// <summary>
    /// 12×12×2 normalised; a bias-free 'same' 3×3 convolution (He normal); batch normalisation with Keras-style
    /// momentum and epsilon; tanh; a 2×2 'same' max pool with strides 3; a 2×2 'same' sigmoid convolution with strides
    /// 2; Dense 16 relu; dropout; Dense 5 and a separate Activation(Softmax).
    /// </summary>
    public static readonly ModelSource NormalizedSoftmaxLayer = new("NormalizedSoftmaxLayer", """
        [Sequential(12, 12, 2)]
        [Normalization(33.32, 78.57)]
        [Conv2D(4, 3, Padding = Padding.Same, UseBias = false, KernelInitializer = Initializer.HeNormal)]
        [BatchNormalization(Momentum = 0.9, Epsilon = 1e-5)]
        [Activation(Activation.Tanh)]
        [MaxPooling2D(2, Strides = 3, Padding = Padding.Same)]
        [Conv2D(8, 2, Strides = 2, Padding = Padding.Same, Activation = Activation.Sigmoid)]
        [Flatten]
        [Dense(16, Activation = Activation.Relu)]
        [Dropout(0.5)]
        [Dense(5)]
        [Activation(Activation.Softmax)]
        """);

    /// <summary>Every network above, for theory data.</summary>
    public static readonly ModelSource[] All =
        [MnistMlp, MnistConv8, MnistConv8x2, MnistCnn, MnistLeNet, StridedSame, NormalizedSoftmaxLayer];

    public static ModelSource Named(string name) => All.Single(m => m.Name == name);

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (ModelSource model in All)
        {
            data.Add(model.Name);
        }

        return data;
    }
}
