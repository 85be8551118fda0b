using ConvGen.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace ConvGen.Generator.Tests;

/// <summary>
/// One test per mistake a user can make: the diagnostic's id, severity (error), place (the attribute that causes it,
/// or the class identifier for class-level ones) and message (names the layer and says what to do). A model with an
/// error gets no generated source, and the user's code with the generator's output still has no compiler error.
/// </summary>
public class DiagnosticTests
{
    private const string Softmax = "[Dense(3, Activation = Activation.Softmax)]";

    private static string Model(string attributes, string declaration = "public partial class Net;") =>
        $"""
        using ConvGen;

        namespace App;

        {attributes}
        {declaration}
        """;

    /// <summary>Runs the generator and checks that it reports exactly one diagnostic, <paramref name="id"/>, as an
    /// error on exactly <paramref name="located"/> (which must occur once in the source), with every one of
    /// <paramref name="messageParts"/> in its message; and that nothing is generated and nothing breaks.</summary>
    private static Diagnostic AssertSingle(string source, string id, string located, params string[] messageParts)
    {
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Null(run.Result.Exception);
        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.True(diagnostic.Descriptor.IsEnabledByDefault);
        AssertLocatedAt(diagnostic, source, located);
        string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        foreach (string part in messageParts)
        {
            Assert.Contains(part, message);
        }

        AssertNothingGeneratedAndNoCompilerError(run);
        return diagnostic;
    }

    private static void AssertLocatedAt(Diagnostic diagnostic, string source, string located)
    {
        int start = source.IndexOf(located, StringComparison.Ordinal);
        Assert.True(start >= 0, $"'{located}' is not in the source");
        Assert.True(source.IndexOf(located, start + 1, StringComparison.Ordinal) < 0, $"'{located}' occurs more than once in the source");

        // The generator keeps locations as plain values (file, span, line span) to stay cacheable, so they come back
        // as external-file locations: check the file, the span and the line span all point at the same text.
        Location location = diagnostic.Location;
        Assert.True(location.Kind is LocationKind.SourceFile or LocationKind.ExternalFile, $"{diagnostic} has no location in a file");
        FileLinePositionSpan lines = location.GetLineSpan();
        Assert.Equal("Model.cs", lines.Path);
        var span = new TextSpan(start, located.Length);
        Assert.Equal(span, location.SourceSpan);
        Assert.Equal(SourceText.From(source).Lines.GetLinePositionSpan(span), lines.Span);
    }

    private static void AssertNothingGeneratedAndNoCompilerError(GeneratorRun run)
    {
        Assert.Empty(run.Sources);
        Diagnostic[] errors = [.. run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)];
        Assert.True(errors.Length == 0, GeneratorRun.Describe(errors));
    }

    /// <summary>A valid model: no diagnostic, one source, compiles cleanly.</summary>
    private static void AssertAccepted(string source) => GeneratorHarness.Run(source).AssertCompilesCleanly();

    // ---- The class ----

    [Fact]
    public void CG0001_ClassNotPartial()
    {
        string source = Model($"[Sequential(4, 4, 1)]\n[Flatten]\n{Softmax}", "public class Whole;");
        AssertSingle(source, "CG0001", "Whole", "'Whole'", "partial class Whole");
    }

    [Fact]
    public void CG0002_ContainingTypeNotPartial()
    {
        string source = Model("", $$"""
            public class Outer
            {
                [Sequential(4, 4, 1)]
                [Flatten]
                {{Softmax}}
                public partial class Inner;
            }
            """);
        AssertSingle(source, "CG0002", "Inner", "'Inner'", "'Outer'", "declare 'Outer' partial");
    }

    public static TheoryData<string, string, string> UnsupportedClasses() => new()
    {
        { "public partial record Rec;", "Rec", "use a partial class" },
        { "public static partial class Stat;", "Stat", "remove 'static'" },
        { "public partial class Typed<T>;", "Typed", "remove the type parameters" },
        { "public partial class Derived : Base;\npublic class Base;", "Derived", "remove the base class" },
        { "public partial class Outer<T>\n{\n[Sequential(4, 4, 1)]\n[Flatten]\n[Dense(3, Activation = Activation.Softmax)]\npublic partial class Nested;\n}", "Nested", "nested in the generic type 'App.Outer<T>'" },
    };

    [Theory]
    [MemberData(nameof(UnsupportedClasses))]
    public void CG0003_UnsupportedClass(string declaration, string located, string reason)
    {
        string attributes = declaration.Contains("Nested", StringComparison.Ordinal) ? "" : $"[Sequential(4, 4, 1)]\n[Flatten]\n{Softmax}";
        AssertSingle(Model(attributes, declaration), "CG0003", located, $"'{located}' cannot be a model", reason);
    }

    [Fact]
    public void CG0004_LayersSplitAcrossPartialDeclarations()
    {
        string source = Model("[Sequential(4, 4, 1)]\n[Flatten]", "public partial class Split;\n\n[Dense(3, Activation = Activation.Softmax, Name = \"elsewhere\")]\npublic partial class Split;");
        AssertSingle(source, "CG0004", "Dense(3, Activation = Activation.Softmax, Name = \"elsewhere\")", "'Split'", "put [Sequential] and every layer attribute on one declaration");
    }

    [Fact]
    public void CG0005_LayersWithoutSequential_ReportedOnceOnTheFirstLayer()
    {
        string source = Model("[Conv2D(2, 3)]\n[MaxPooling2D(2)]\n[Dropout(0.5)]\n[Flatten]\n[Dense(8)]\n[Activation(Activation.Relu)]\n" + Softmax, "public partial class NoInput;");
        AssertSingle(source, "CG0005", "Conv2D(2, 3)", "'NoInput'", "add [Sequential(height, width, channels)]");
    }

    [Fact]
    public void CG0005_ReportedOnceWhenTheFirstLayerKindRepeats()
    {
        string source = Model("[Dense(8)]\n[Dense(4)]\n" + Softmax.Replace("3", "2", StringComparison.Ordinal), "public partial class NoInput;");
        AssertSingle(source, "CG0005", "Dense(8)", "'NoInput'");
    }

    [Fact]
    public void CG0006_NoLayers()
    {
        AssertSingle(Model("[Sequential(4, 4, 1)]", "public partial class Empty;"), "CG0006", "Sequential(4, 4, 1)", "'Empty'", "add layer attributes");
    }

    // ---- Sizes and shapes ----

    public static TheoryData<string, string, string[]> NonPositiveSizes() => new()
    {
        { "[Sequential(0, 4, 1)]\n[Flatten]\n" + Softmax, "Sequential(0, 4, 1)", ["Net", "the input height must be positive, but it is 0"] },
        { "[Sequential(4, -2, 1)]\n[Flatten]\n" + Softmax, "Sequential(4, -2, 1)", ["Net", "the input width must be positive, but it is -2"] },
        { "[Sequential(4, 4, 0)]\n[Flatten]\n" + Softmax, "Sequential(4, 4, 0)", ["Net", "the number of input channels must be positive"] },
        { "[Sequential(0)]\n" + Softmax, "Sequential(0)", ["Net", "the number of input features must be positive"] },
        { "[Sequential(4, 4, 1)]\n[Conv2D(0, 3)]\n[Flatten]\n" + Softmax, "Conv2D(0, 3)", ["conv2d", "the number of filters must be positive"] },
        { "[Sequential(4, 4, 1)]\n[Conv2D(2, 0)]\n[Flatten]\n" + Softmax, "Conv2D(2, 0)", ["conv2d", "the kernel size must be positive, but it is 0"] },
        { "[Sequential(4, 4, 1)]\n[MaxPooling2D(0)]\n[Flatten]\n" + Softmax, "MaxPooling2D(0)", ["max_pooling2d", "the pool size must be positive, but it is 0"] },
        { "[Sequential(4, 4, 1)]\n[Conv2D(2, 0, 3)]\n[Flatten]\n" + Softmax, "Conv2D(2, 0, 3)", ["conv2d", "the kernel height must be positive, but it is 0"] },
        { "[Sequential(4, 4, 1)]\n[Conv2D(2, 3, -1)]\n[Flatten]\n" + Softmax, "Conv2D(2, 3, -1)", ["conv2d", "the kernel width must be positive, but it is -1"] },
        { "[Sequential(4, 4, 1)]\n[Conv2D(2, 3, Strides = 0)]\n[Flatten]\n" + Softmax, "Conv2D(2, 3, Strides = 0)", ["conv2d", "Strides must be positive"] },
        { "[Sequential(4, 4, 1)]\n[MaxPooling2D(0, 2)]\n[Flatten]\n" + Softmax, "MaxPooling2D(0, 2)", ["max_pooling2d", "the pool height must be positive"] },
        { "[Sequential(4, 4, 1)]\n[AveragePooling2D(2, 0)]\n[Flatten]\n" + Softmax, "AveragePooling2D(2, 0)", ["average_pooling2d", "the pool width must be positive"] },
        { "[Sequential(4, 4, 1)]\n[MaxPooling2D(2, Strides = -1)]\n[Flatten]\n" + Softmax, "MaxPooling2D(2, Strides = -1)", ["max_pooling2d", "Strides must be positive, but it is -1"] },
        { "[Sequential(16)]\n[Dense(0, Activation = Activation.Softmax)]", "Dense(0, Activation = Activation.Softmax)", ["dense", "the number of units must be positive"] },
    };

    [Theory]
    [MemberData(nameof(NonPositiveSizes))]
    public void CG0007_NonPositiveSize(string attributes, string located, string[] message)
    {
        AssertSingle(Model(attributes), "CG0007", located, message);
    }

    public static TheoryData<string, string, string[]> WindowsLargerThanInput() => new()
    {
        { "[Conv2D(2, 5)]", "Conv2D(2, 5)", ["conv2d", "the kernel 5×5 is larger than its 4×4 input", "Padding = Padding.Same"] },
        { "[Conv2D(2, 3, 5)]", "Conv2D(2, 3, 5)", ["conv2d", "the kernel 3×5 is larger than its 4×4 input"] },
        { "[MaxPooling2D(5)]", "MaxPooling2D(5)", ["max_pooling2d", "the pool 5×5 is larger", "use a smaller pool"] },
        { "[AveragePooling2D(5, 1)]", "AveragePooling2D(5, 1)", ["average_pooling2d", "the pool 5×1 is larger"] },
    };

    [Theory]
    [MemberData(nameof(WindowsLargerThanInput))]
    public void CG0008_WindowLargerThanInput(string layer, string located, string[] message)
    {
        AssertSingle(Model($"[Sequential(4, 4, 1)]\n{layer}\n[Flatten]\n{Softmax}"), "CG0008", located, message);
    }

    [Theory]
    [InlineData("[Conv2D(2, 5, Padding = Padding.Same)]")]
    [InlineData("[Conv2D(2, 3, 7, Strides = 2, Padding = Padding.Same)]")]
    [InlineData("[MaxPooling2D(5, Padding = Padding.Same)]")]
    [InlineData("[AveragePooling2D(6, 2, Strides = 3, Padding = Padding.Same)]")]
    public void CG0008_NotReportedWithSamePadding(string layer)
    {
        AssertAccepted(Model($"/// <summary>A model.</summary>\n[Sequential(4, 4, 1)]\n{layer}\n[Flatten]\n{Softmax}"));
    }

    [Fact]
    public void CG0009_DenseOnAnImage()
    {
        AssertSingle(Model("[Sequential(4, 4, 2)]\n[Conv2D(2, 3)]\n" + Softmax), "CG0009", "Dense(3, Activation = Activation.Softmax)", "dense", "receives the image (2, 2, 2)", "add [Flatten] before it");
    }

    [Theory]
    [InlineData("[Sequential(16)]\n[Conv2D(2, 3)]\n" + Softmax, "Conv2D(2, 3)", "conv2d", "Conv2D needs an image input", "(16,)")]
    [InlineData("[Sequential(4, 4, 1)]\n[Flatten]\n[MaxPooling2D(2)]\n" + Softmax, "MaxPooling2D(2)", "max_pooling2d", "MaxPooling2D needs an image input", "(16,)")]
    [InlineData("[Sequential(9)]\n[AveragePooling2D(3)]\n" + Softmax, "AveragePooling2D(3)", "average_pooling2d", "AveragePooling2D needs an image input", "(9,)")]
    public void CG0010_ImageLayerOnFlatInput(string attributes, string located, string layer, string problem, string shape)
    {
        AssertSingle(Model(attributes), "CG0010", located, layer, problem, shape, "move it before [Flatten]");
    }

    [Theory]
    [InlineData("[Sequential(16)]\n[Dense(8, Activation = Activation.Softmax)]\n" + Softmax, "Dense(8, Activation = Activation.Softmax)", "dense")]
    [InlineData("[Sequential(4, 4, 1)]\n[Conv2D(2, 3, Activation = Activation.Softmax)]\n[Flatten]\n" + Softmax, "Conv2D(2, 3, Activation = Activation.Softmax)", "conv2d")]
    [InlineData("[Sequential(16)]\n[Activation(Activation.Softmax)]\n" + Softmax, "Activation(Activation.Softmax)", "activation")]
    public void CG0011_SoftmaxNotLast(string attributes, string located, string layer)
    {
        AssertSingle(Model(attributes), "CG0011", located, layer + ": softmax is only allowed on the last layer", "use Relu, Sigmoid or Tanh here");
    }

    [Theory]
    [InlineData("[Sequential(16)]\n[Dense(3)]", "Dense(3)", "dense")]
    [InlineData("[Sequential(16)]\n[Dense(3, Activation = Activation.Relu)]", "Dense(3, Activation = Activation.Relu)", "dense")]
    [InlineData("[Sequential(4, 4, 1)]\n[Activation(Activation.Softmax)]", "Activation(Activation.Softmax)", "activation")]
    [InlineData("[Sequential(4, 4, 1)]\n[Conv2D(3, 4, Activation = Activation.Softmax)]", "Conv2D(3, 4, Activation = Activation.Softmax)", "conv2d")]
    [InlineData("[Sequential(4, 4, 1)]\n[Flatten]", "Flatten", "flatten")]
    public void CG0012_LastLayerNotSoftmaxOnAFlatShape(string attributes, string located, string layer)
    {
        AssertSingle(Model(attributes), "CG0012", located, layer + ": the last layer of 'Net'", "end the model with [Dense(classes, Activation = Activation.Softmax)]");
    }

    // ---- Arguments ----

    [Theory]
    [InlineData("-0.1", "-0.1")]
    [InlineData("1", "1")]
    [InlineData("1.5", "1.5")]
    [InlineData("double.NaN", "NaN")]
    [InlineData("0.99999999999", "0.99999999999, which is 1 in single precision")]
    public void CG0013_DropoutRateOutOfRange(string rate, string shown)
    {
        string layer = $"Dropout({rate})";
        AssertSingle(Model($"[Sequential(16)]\n[{layer}]\n{Softmax}"), "CG0013", layer, "dropout: the dropout rate must be at least 0 and below 1, but it is " + shown);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0.0")]
    [InlineData("0.999")]
    public void CG0013_RatesInRangeAreAccepted(string rate)
    {
        AssertAccepted(Model($"/// <summary>A model.</summary>\n[Sequential(16)]\n[Dropout({rate})]\n{Softmax}"));
    }

    public static TheoryData<string, string[]> InvalidArguments() => new()
    {
        { "BatchNormalization(Momentum = -0.1)", ["batch_normalization", "Momentum must be between 0 and 1, but it is -0.1"] },
        { "BatchNormalization(Momentum = 1.5)", ["batch_normalization", "Momentum must be between 0 and 1, but it is 1.5"] },
        { "BatchNormalization(Epsilon = 0)", ["batch_normalization", "Epsilon must be a positive number, but it is 0"] },
        { "BatchNormalization(Epsilon = -1e-3)", ["batch_normalization", "Epsilon must be a positive number"] },
        { "BatchNormalization(Epsilon = double.PositiveInfinity)", ["batch_normalization", "Epsilon must be a positive number"] },
        { "BatchNormalization(Epsilon = 1e39)", ["batch_normalization", "Epsilon must be within the range of float"] },
        { "BatchNormalization(Epsilon = 1e-50)", ["batch_normalization", "Epsilon must be at least 1.4E-45"] },
        { "Normalization(33.3, 0)", ["normalization", "the standard deviation must be a positive number, but it is 0"] },
        { "Normalization(33.3, -78.5)", ["normalization", "the standard deviation must be a positive number, but it is -78.5"] },
        { "Normalization(double.NaN, 1)", ["normalization", "the mean and standard deviation must be finite numbers"] },
        { "Normalization(0, 1e-40)", ["normalization", "1 / std must be within the range of float", "use a larger standard deviation"] },
        { "Rescaling(double.PositiveInfinity)", ["rescaling", "the scale and offset must be finite numbers"] },
        { "Rescaling(1e39)", ["rescaling", "the scale and offset must be within the range of float"] },
        { "Rescaling(1, -1e39)", ["rescaling", "the scale and offset must be within the range of float"] },
        { "Activation((Activation)42)", ["activation", "42 is not a valid Activation"] },
        { "Dense(8, Activation = (Activation)42)", ["dense", "42 is not a valid Activation"] },
        { "Dense(8, KernelInitializer = (Initializer)99)", ["dense", "99 is not a valid KernelInitializer"] },
        { "Activation(Activation.Relu, Name = \"two\\nlines\")", ["layer 0 (Activation)", "Name must not contain line breaks or other control characters"] },
        { "Dense(8, Name = \"carriage\\rreturn\")", ["layer 0 (Dense)", "Name must not contain line breaks"] },
        { "Dropout(0.5, Name = \"line\\u2028separator\")", ["layer 0 (Dropout)", "Name must not contain line breaks"] },
        { "Dropout(0.5, Name = \"nul\\0\")", ["layer 0 (Dropout)", "control characters"] },
    };

    [Theory]
    [MemberData(nameof(InvalidArguments))]
    public void CG0014_InvalidArgument(string layer, string[] message)
    {
        AssertSingle(Model($"[Sequential(16)]\n[{layer}]\n{Softmax}"), "CG0014", layer, message);
    }

    [Theory]
    [InlineData("Conv2D(2, 3, Padding = (Padding)7)", "conv2d", "7 is not a valid Padding")]
    [InlineData("MaxPooling2D(2, Padding = (Padding)2)", "max_pooling2d", "2 is not a valid Padding")]
    [InlineData("Conv2D(2, 3, Activation = (Activation)(-1))", "conv2d", "-1 is not a valid Activation")]
    [InlineData("Conv2D(2, 3, KernelInitializer = (Initializer)10)", "conv2d", "10 is not a valid KernelInitializer")]
    public void CG0014_UndefinedEnumValueOnImageLayers(string layer, string name, string problem)
    {
        AssertSingle(Model($"[Sequential(4, 4, 1)]\n[{layer}]\n[Flatten]\n{Softmax}"), "CG0014", layer, name, problem);
    }

    [Theory]
    [InlineData("Sequential(16, Name = \"\")", "Net", "Name must not be empty or white space", "remove it to use the class name")]
    [InlineData("Sequential(16, Name = \"  \")", "Net", "Name must not be empty or white space")]
    [InlineData("Sequential(16, Name = \"model\\n\")", "Net", "Name must not contain line breaks")]
    public void CG0014_InvalidModelName(string sequential, string owner, string problem, string? hint = null)
    {
        string[] message = hint is null ? [owner, problem] : [owner, problem, hint];
        AssertSingle(Model($"[{sequential}]\n{Softmax}"), "CG0014", sequential, message);
    }

    [Fact]
    public void CG0015_DuplicateLayerNames()
    {
        string second = "Dense(3, Activation = Activation.Softmax, Name = \"x\")";
        AssertSingle(Model($"[Sequential(16)]\n[Dense(8, Name = \"x\")]\n[{second}]"), "CG0015", second, "x: another layer of 'Net' already has this name", "layer names must be unique");
    }

    [Fact]
    public void CG0015_ExplicitNameClashingWithAnAutomaticOne()
    {
        string second = "Dense(3, Activation = Activation.Softmax, Name = \"dense\")";
        AssertSingle(Model($"[Sequential(16)]\n[Dense(8)]\n[{second}]"), "CG0015", second, "dense: another layer of 'Net' already has this name");
    }

    [Theory]
    [InlineData("[Sequential(4096, 4096, 2)]\n[Flatten]\n" + Softmax, "Sequential(4096, 4096, 2)", "Net: the input (4096, 4096, 2) holds 33554432 values per sample")]
    [InlineData("[Sequential(1024, 1024, 1)]\n[Conv2D(32, 1)]\n[Flatten]\n" + Softmax, "Conv2D(32, 1)", "conv2d: the output (1024, 1024, 32) holds 33554432 values per sample")]
    // Products of sizes near int.MaxValue: multiplied exactly, not wrapped around.
    [InlineData("[Sequential(65536, 65536, 65536)]\n[Flatten]\n" + Softmax, "Sequential(65536, 65536, 65536)", "Net: the input (65536, 65536, 65536) holds 281474976710656 values per sample")]
    [InlineData("[Sequential(2147483647, 2147483647, 2147483647)]\n[Flatten]\n" + Softmax, "Sequential(2147483647, 2147483647, 2147483647)", "holds 9903520300447984150353281023 values per sample")]
    [InlineData("[Sequential(20000000)]\n" + Softmax, "Sequential(20000000)", "Net: the input (20000000,) holds 20000000 values per sample")]
    // A 'same' window larger than its input: the input with its border.
    [InlineData("[Sequential(4, 4, 1)]\n[Conv2D(1, 5000, Padding = Padding.Same)]\n[Flatten]\n" + Softmax, "Conv2D(1, 5000, Padding = Padding.Same)", "conv2d: the input with its 'same' border (5003, 5003, 1) holds 25030009 values per sample")]
    [InlineData("[Sequential(64, 64, 1)]\n[MaxPooling2D(8192, Padding = Padding.Same)]\n[Flatten]\n" + Softmax, "MaxPooling2D(8192, Padding = Padding.Same)", "max_pooling2d: the input with its 'same' border (8192, 8192, 1) holds 67108864 values per sample")]
    // Strides shrink the output but not the dilated output gradient the input gradient is computed from.
    [InlineData("[Sequential(2048, 2048, 1)]\n[Conv2D(16, 3, Strides = 4)]\n[Flatten]\n" + Softmax, "Conv2D(16, 3, Strides = 4)", "conv2d: its output gradient dilated by the strides and bordered by kernel - 1 (for its input gradient) (2049, 2049, 16) holds 67174416 values per sample")]
    // Every layer's output within bounds, their sum not.
    [InlineData("[Sequential(4096, 4096, 1)]\n[Activation(Activation.Relu)]\n[Activation(Activation.Relu)]\n[Activation(Activation.Relu)]\n[Activation(Activation.Relu)]\n[Activation(Activation.Tanh)]\n[Flatten]\n" + Softmax, "Activation(Activation.Tanh)", "activation_4: the sum of the outputs of every layer of 'Net' up to this one holds 83886080 values per sample")]
    public void CG0016_ModelTooLarge(string attributes, string located, string message)
    {
        AssertSingle(Model(attributes), "CG0016", located, message, "ConvGen supports up to");
    }

    [Theory]
    [InlineData("[Sequential(100000)]\n[Dense(3000, Activation = Activation.Softmax)]", "Dense(3000, Activation = Activation.Softmax)", "dense: the kernel (100000, 3000) holds 300000000 values; ConvGen supports up to 268435456")]
    // The case: a square kernel of int.MaxValue with 'same' padding passed every check and emitted an
    // overflowing constant.
    [InlineData("[Sequential(28, 28, 1)]\n[Conv2D(1, int.MaxValue, Padding = Padding.Same)]\n[Flatten]\n" + Softmax, "Conv2D(1, int.MaxValue, Padding = Padding.Same)", "conv2d: the kernel (2147483647, 2147483647, 1, 1) holds 4611686014132420609 values")]
    [InlineData("[Sequential(4, 4, 65536)]\n[Conv2D(65536, 1)]\n[Flatten]\n" + Softmax, "Conv2D(65536, 1)", "conv2d: the kernel (1, 1, 65536, 65536) holds 4294967296 values")]
    // Each kernel within bounds (2^28 exactly), the model's weights together not.
    [InlineData("[Sequential(16384)]\n[Dense(16384)]\n" + Softmax, "Dense(16384)", "dense: the weights of 'Net' up to this layer holds 268451840 values")]
    public void CG0017_TooManyWeights(string attributes, string located, string message)
    {
        AssertSingle(Model(attributes), "CG0017", located, message, "ConvGen supports up to 268435456");
    }

    [Theory]
    [InlineData("public partial class Net\n{\n    public Net(int size)\n    {\n    }\n}", "Net(int size)", "'Net' declares the constructor Net(int), which ConvGen generates")]
    [InlineData("public partial class Net\n{\n    internal Net(int seed) : base()\n    {\n    }\n}", "Net(int seed)", "'Net' declares the constructor Net(int), which ConvGen generates")]
    [InlineData("public partial class Net\n{\n    public Net(string name)\n    {\n    }\n}", "Net(string name)", "'Net' declares a constructor that calls no other; begin it with ': this(seed)'")]
    [InlineData("public partial class Net(int seed);", "(int seed)", "'Net' has a primary constructor")]
    [InlineData("public partial class Net(string name);", "(string name)", "'Net' has a primary constructor")]
    public void CG0018_ConstructorConflict(string declaration, string located, string message)
    {
        AssertSingle(Model($"[Sequential(4)]\n{Softmax}", declaration), "CG0018", located, message, "ConvGen generates the constructor Net(int seed = 0)");
    }

    [Theory]
    [InlineData("public partial class Net\n{\n    /// <summary>A model of a given name.</summary>\n    /// <param name=\"name\">The name.</param>\n    public Net(string name)\n        : this(name.Length)\n    {\n    }\n}")]
    [InlineData("public partial class Net\n{\n    /// <summary>A model of a given size.</summary>\n    /// <param name=\"seed\">The seed.</param>\n    public Net(ref int seed)\n        : this(seed)\n    {\n    }\n}")]
    [InlineData("public partial class Net\n{\n    static Net()\n    {\n    }\n}")]
    public void ConstructorsThatCallTheGeneratedOneAreAccepted(string declaration)
    {
        AssertAccepted(Model($"/// <summary>The model.</summary>\n[Sequential(4)]\n{Softmax}", declaration));
    }

    [Theory]
    // The case: 'partial class class' (CS0260).
    [InlineData("App", "public partial class @class;")]
    [InlineData("App", "public partial class @record;")]
    // Not a keyword, but a name of lower-case letters the compiler warns about unless escaped (CS8981).
    [InlineData("App", "public partial class @value;")]
    [InlineData("@namespace.@int", "public partial class @async;")]
    [InlineData("App", "public partial class @event\n{\n    /// <summary>The model.</summary>\n    [Sequential(4)]\n    [Dense(3, Activation = Activation.Softmax)]\n    public partial class @object;\n}")]
    public void KeywordsAsNamesAreEscaped(string ns, string declaration)
    {
        string attributes = declaration.Contains("[Sequential", StringComparison.Ordinal) ? "" : $"[Sequential(4)]\n{Softmax}";
        AssertAccepted($"using ConvGen;\n\nnamespace {ns};\n\n/// <summary>The model.</summary>\n{attributes}\n{declaration}\n");
    }

    [Theory]
    // The case: reported as CG9999 "internal error (DivideByZeroException)" without a location.
    [InlineData("Conv2D(4, 3, Strides = int.MaxValue, Padding = Padding.Same)", "conv2d: Strides = 2147483647 steps over 60129542116 values of the input (28, 28, 1)")]
    [InlineData("MaxPooling2D(3, Strides = int.MaxValue, Padding = Padding.Same)", "max_pooling2d: Strides = 2147483647 steps over 60129542116 values")]
    [InlineData("AveragePooling2D(2, Strides = 1 << 30)", "average_pooling2d: Strides = 1073741824 steps over 30064771072 values")]
    public void CG0014_StridesFarBeyondTheInput(string layer, string message)
    {
        AssertSingle(Model($"[Sequential(28, 28, 1)]\n[{layer}]\n[Flatten]\n{Softmax}"), "CG0014", layer, message, "more than ConvGen supports (16777216); any stride from 28 on gives a 1 × 1 output");
    }

    [Theory]
    [InlineData("[Sequential(28, 28, 1)]\n[Conv2D(4, 3, Strides = 1000, Padding = Padding.Same)]\n[Flatten]\n" + Softmax)]
    [InlineData("[Sequential(5, 5, 1)]\n[Conv2D(2, 9, 3, Strides = 100000, Padding = Padding.Same)]\n[Flatten]\n" + Softmax)]
    [InlineData("[Sequential(28, 28, 1)]\n[MaxPooling2D(3, Strides = 50000, Padding = Padding.Same)]\n[Flatten]\n" + Softmax)]
    [InlineData("[Sequential(1, 1, 8)]\n[AveragePooling2D(2, Strides = 2, Padding = Padding.Same)]\n[Flatten]\n" + Softmax)]
    public void StridesBeyondTheInputAreAccepted(string attributes)
    {
        AssertAccepted(Model("/// <summary>The model.</summary>\n" + attributes));
    }

    // ---- What the compiler reports, the generator leaves alone ----

    [Theory]
    [InlineData("[Sequential(16)]\n[Dense(\"ten\", Activation = Activation.Softmax)]", "CS1503", true)]
    [InlineData("[Sequential(28, 28)]\n" + Softmax, "CS7036", true)]
    [InlineData("[Sequential(16)]\n[Dense(3, Activation = Activation.Softmax, Units = 4)]", "CS0617", true)]
    [InlineData("[Sequential(16)]\n[Dropout(Rate)]\n" + Softmax, "CS0103", true)]
    // The compiler hands the generator 'Padding = 1' as an int where a Padding is expected: the generator must not read
    // it as a setting.
    [InlineData("[Sequential(4, 4, 1)]\n[Conv2D(2, 3, Padding = 1)]\n[Flatten]\n" + Softmax, "CS0266", true)]
    public void CompileErrorInAnAttributeArgumentIsLeftToTheCompiler(string attributes, string compilerError, bool generatesNothing)
    {
        GeneratorRun run = GeneratorHarness.Run(Model(attributes));
        Assert.Null(run.Result.Exception);
        Assert.Empty(run.GeneratorDiagnostics);
        Diagnostic[] errors = [.. run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)];
        Diagnostic error = Assert.Single(errors);
        Assert.Equal(compilerError, error.Id);
        Assert.Equal("Model.cs", error.Location.SourceTree?.FilePath);
        if (generatesNothing)
        {
            Assert.Empty(run.Sources);
        }
    }

    [Fact]
    public void EveryDescriptorIsAnEnabledErrorWithADistinctId()
    {
        var descriptors = typeof(DiagnosticDescriptors)
            .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .ToList();
        Assert.Equal(19, descriptors.Count);
        Assert.Equal(descriptors.Count, descriptors.Select(d => d.Id).Distinct().Count());
        Assert.All(descriptors, d => Assert.Equal(DiagnosticSeverity.Error, d.DefaultSeverity));
        Assert.Equal(
            [.. Enumerable.Range(1, 18).Select(i => $"CG{i:0000}"), "CG9999"],
            descriptors.Select(d => d.Id).Order(StringComparer.Ordinal));
    }
}
