using Microsoft.CodeAnalysis;

namespace ConvGen.Generator;

/// <summary>
/// Every diagnostic ConvGen reports, in one block. Each is placed on the attribute (or class) that causes it and says
/// what to change. Ids: CG0001–CG0099 model mistakes, CG9999 a generator fault.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "ConvGen";

    public static readonly DiagnosticDescriptor ClassNotPartial = Error(
        "CG0001",
        "Model class must be partial",
        "'{0}' has [Sequential] but is not partial; declare it 'partial class {0}' so ConvGen can add the generated engine");

    public static readonly DiagnosticDescriptor ContainingTypeNotPartial = Error(
        "CG0002",
        "Types containing a model class must be partial",
        "'{0}' is nested in '{1}', which is not partial; declare '{1}' partial so ConvGen can add the generated engine");

    public static readonly DiagnosticDescriptor UnsupportedClass = Error(
        "CG0003",
        "Unsupported model class",
        "'{0}' cannot be a model: {1}");

    public static readonly DiagnosticDescriptor LayersSplitAcrossDeclarations = Error(
        "CG0004",
        "Layers are split across partial declarations",
        "The layers of '{0}' are on more than one partial declaration, so their order is ambiguous; put [Sequential] and every layer attribute on one declaration");

    public static readonly DiagnosticDescriptor MissingInputShape = Error(
        "CG0005",
        "Layers without an input shape",
        "'{0}' has layer attributes but no input shape; add [Sequential(height, width, channels)] (or [Sequential(features)] for a flat input) above them");

    public static readonly DiagnosticDescriptor NoLayers = Error(
        "CG0006",
        "Model has no layers",
        "'{0}' has [Sequential] but no layers; add layer attributes such as [Flatten] and [Dense(10, Activation = Activation.Softmax)]");

    public static readonly DiagnosticDescriptor NonPositiveSize = Error(
        "CG0007",
        "Size must be positive",
        "{0}: {1} must be positive, but it is {2}");

    public static readonly DiagnosticDescriptor WindowLargerThanInput = Error(
        "CG0008",
        "Kernel or pool larger than its input",
        "{0}: the {1} {2}×{3} is larger than its {4}×{5} input; use a smaller {1} or Padding = Padding.Same");

    public static readonly DiagnosticDescriptor DenseNeedsFlatInput = Error(
        "CG0009",
        "Dense needs a flat input",
        "{0}: Dense needs a flat input but receives the image {1}; add [Flatten] before it");

    public static readonly DiagnosticDescriptor ImageLayerOnFlatInput = Error(
        "CG0010",
        "Convolution or pooling needs an image input",
        "{0}: {1} needs an image input (height, width, channels) but receives the flat input {2}; move it before [Flatten] or give [Sequential] an image shape");

    public static readonly DiagnosticDescriptor SoftmaxNotLast = Error(
        "CG0011",
        "Softmax must be the last layer",
        "{0}: softmax is only allowed on the last layer, where it is fused with the cross-entropy loss; use Relu, Sigmoid or Tanh here");

    public static readonly DiagnosticDescriptor LastLayerNotSoftmax = Error(
        "CG0012",
        "The model must end with softmax",
        "{0}: the last layer of '{1}' must output class probabilities on a flat shape; end the model with [Dense(classes, Activation = Activation.Softmax)] (or [Activation(Activation.Softmax)] after a flat layer)");

    public static readonly DiagnosticDescriptor DropoutRateOutOfRange = Error(
        "CG0013",
        "Dropout rate outside [0, 1)",
        "{0}: the dropout rate must be at least 0 and below 1, but it is {1}{2}");

    public static readonly DiagnosticDescriptor InvalidArgument = Error(
        "CG0014",
        "Invalid layer argument",
        "{0}: {1}");

    public static readonly DiagnosticDescriptor DuplicateLayerName = Error(
        "CG0015",
        "Duplicate layer name",
        "{0}: another layer of '{1}' already has this name; layer names must be unique");

    public static readonly DiagnosticDescriptor ModelTooLarge = Error(
        "CG0016",
        "Model too large",
        "{0}: {1} holds {2} values per sample; ConvGen supports up to {3}");

    public static readonly DiagnosticDescriptor TooManyWeights = Error(
        "CG0017",
        "Too many weights",
        "{0}: {1} holds {2} values; ConvGen supports up to {3}");

    public static readonly DiagnosticDescriptor ConstructorConflict = Error(
        "CG0018",
        "Constructor conflicts with the generated one",
        "'{0}' {1}; ConvGen generates the constructor {0}(int seed = 0), which passes the generated engine to ConvGen.Model");

    public static readonly DiagnosticDescriptor InternalError = Error(
        "CG9999",
        "ConvGen generator fault",
        "ConvGen could not generate '{0}' because of an internal error ({1}); please report it");

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}
