using System.Globalization;
using System.Text;

namespace ConvGen.Generator.Tests.Infrastructure;

/// <summary>
/// Random valid models as attribute blocks. Shapes are tracked with Keras' rules, written out here independently of
/// the generator ('valid': floor((in - window) / stride) + 1, the window must fit; 'same': ceil(in / stride)); a layer
/// whose output would be invalid is drawn again, so every model is one the generator must accept.
/// </summary>
internal sealed class RandomModels(int seed)
{
    private static readonly string[] Activations = ["Linear", "Relu", "Sigmoid", "Tanh"];

    private static readonly string[] Initializers =
    [
        "GlorotUniform", "GlorotNormal", "HeNormal", "HeUniform", "LecunNormal", "LecunUniform",
        "RandomNormal", "RandomUniform", "Zeros", "Ones", "Normal", "Uniform",
    ];

    private readonly Random _random = new(seed);

    /// <summary>Per-sample values a random model may reach in one layer; keeps the test fast, far below the generator's
    /// own limit.</summary>
    private const int MaxValues = 40 * 32 * 32;

    private const int MaxBatchNormalizationChannels = 64;

    public ModelSource Next(string className)
    {
        var lines = new List<string>();
        Shape shape;
        if (_random.NextDouble() < 0.75)
        {
            shape = new Shape(_random.Next(1, 33), _random.Next(1, 33), _random.Next(1, 9), Flat: false);
            lines.Add(Invariant($"[Sequential({shape.Height}, {shape.Width}, {shape.Channels})]"));
        }
        else
        {
            shape = new Shape(1, 1, _random.Next(1, 301), Flat: true);
            lines.Add(Invariant($"[Sequential({shape.Channels})]"));
        }

        int hidden = _random.Next(0, 7);
        for (int i = 0; i < hidden; i++)
        {
            for (int attempt = 0; attempt < 10; attempt++)
            {
                if (TryLayer(shape, out string line, out Shape output))
                {
                    lines.Add(line);
                    shape = output;
                    break;
                }
            }
        }

        if (!shape.Flat)
        {
            lines.Add("[Flatten]");
        }

        int classes = _random.Next(1, 11);
        if (_random.Next(2) == 0)
        {
            lines.Add(Invariant($"[Dense({classes}, Activation = Activation.Softmax{DenseOptions()})]"));
        }
        else
        {
            lines.Add(Invariant($"[Dense({classes}{DenseOptions()})]"));
            lines.Add("[Activation(Activation.Softmax)]");
        }

        // Now and then the class is named by a keyword (escaped, as C# requires) or declares a constructor of its own
        // that calls the generated one: both must compile.
        string name = _random.Next(10) == 0 ? "@" + Pick(Keywords) : className;
        string? members = _random.Next(10) == 0 ? ChainedConstructor(name) : null;
        return new ModelSource(name, string.Join("\n", lines), members);
    }

    /// <summary>
    /// A model a user might write by mistake or push to the limits: sizes near int.MaxValue, products of sizes that
    /// overflow int (or long), strides far beyond the input, more weights than a model may hold, and constructors that
    /// clash with the generated one. The generator must refuse each with a diagnostic on the attribute (or constructor)
    /// or generate code that compiles; it must never throw or emit code that does not compile. Whatever is accepted
    /// stays small: only strides and the class name vary freely, sizes are drawn where every product is refused.
    /// </summary>
    public ModelSource NextHostile(string className)
    {
        var lines = new List<string>();
        string name = _random.Next(4) == 0 ? "@" + Pick(Keywords) : className;
        string? members = null;
        int classes = _random.Next(1, 11);
        string softmax = Invariant($"[Dense({classes}, Activation = Activation.Softmax)]");
        switch (_random.Next(7))
        {
            case 0:
                // The input: one side beyond the limit, or sides that fit alone but not together.
                lines.Add(_random.Next(4) switch
                {
                    0 => Invariant($"[Sequential({Pick(HugeSizes)})]"),
                    1 => Invariant($"[Sequential({Pick(HugeSizes)}, {_random.Next(1, 9)}, {_random.Next(1, 4)})]"),
                    2 => Invariant($"[Sequential({Pick(OverflowingFactors)}, {Pick(OverflowingFactors)}, {Pick(OverflowingFactors)})]"),
                    _ => Invariant($"[Sequential({Pick(OverflowingFactors)}, {Pick(OverflowingFactors)}, 1)]"),
                });
                lines.Add("[Flatten]");
                break;
            case 1:
                // A convolution: a huge kernel ('same' or not), huge filters, or filters × channels beyond the kernel limit.
                int side = _random.Next(1, 9);
                int channels = _random.Next(3) == 0 ? 65536 : _random.Next(1, 5);
                lines.Add(Invariant($"[Sequential({side}, {side}, {channels})]"));
                string padding = _random.Next(2) == 0 ? ", Padding = Padding.Same" : "";
                lines.Add(_random.Next(4) switch
                {
                    0 => Invariant($"[Conv2D({_random.Next(1, 9)}, {Pick(HugeSizes)}{padding})]"),
                    1 => Invariant($"[Conv2D({_random.Next(1, 9)}, {Pick(HugeSizes)}, {_random.Next(1, 4)}, Padding = Padding.Same)]"),
                    2 => Invariant($"[Conv2D({Pick(HugeSizes)}, {Math.Min(side, 3)}{padding})]"),
                    _ => Invariant($"[Conv2D({(channels == 65536 ? 65536 : Pick(HugeSizes))}, 1)]"),
                });
                lines.Add("[Flatten]");
                break;
            case 2:
                // Strides near int.MaxValue on a convolution or a pooling: refused when a stride's step overflows,
                // else accepted with a 1 × 1 output (or larger), which must compile.
                int height = _random.Next(1, 30);
                int width = _random.Next(1, 30);
                lines.Add(Invariant($"[Sequential({height}, {width}, {_random.Next(1, 4)})]"));
                string strides = Invariant($"Strides = {Pick(HugeStrides)}");
                int window = Math.Min(Math.Min(height, width), _random.Next(1, 4));
                string same = _random.Next(2) == 0 ? ", Padding = Padding.Same" : "";
                lines.Add(_random.Next(3) switch
                {
                    0 => Invariant($"[Conv2D({_random.Next(1, 9)}, {window}, {strides}{same})]"),
                    1 => Invariant($"[MaxPooling2D({window}, {strides}{same})]"),
                    _ => Invariant($"[AveragePooling2D({window}, {strides}{same})]"),
                });
                lines.Add("[Flatten]");
                break;
            case 3:
                // A pooling window beyond the limit ('same', or larger than its input).
                lines.Add(Invariant($"[Sequential({_random.Next(1, 9)}, {_random.Next(1, 9)}, {_random.Next(1, 4)})]"));
                lines.Add(Invariant($"[{(_random.Next(2) == 0 ? "MaxPooling2D" : "AveragePooling2D")}({Pick(HugeSizes)}{(_random.Next(2) == 0 ? ", Padding = Padding.Same" : "")})]"));
                lines.Add("[Flatten]");
                break;
            case 4:
                // Dense: units beyond the limit, or a kernel just beyond it, or two kernels within it that together
                // are not.
                int features = _random.Next(1, 300);
                lines.Add(Invariant($"[Sequential({features})]"));
                lines.Add(_random.Next(3) switch
                {
                    0 => Invariant($"[Dense({Pick(HugeSizes)})]"),
                    1 => Invariant($"[Dense({Math.Min((1 << 28) / features, 1 << 24) + 1})]"),
                    _ => "[Dense(16384)]\n[Dense(16384)]",
                });
                break;
            case 5:
                // A constructor that clashes: the generated signature, or one that calls no other.
                lines.Add(Invariant($"[Sequential({_random.Next(1, 50)})]"));
                string declared = name;
                members = _random.Next(2) == 0
                    ? $"    /// <summary>A model.</summary>\n    /// <param name=\"size\">A size.</param>\n    public {declared}(int size)\n    {{\n    }}"
                    : $"    /// <summary>A model.</summary>\n    /// <param name=\"label\">A label.</param>\n    public {declared}(string label)\n    {{\n        Label = label;\n    }}\n\n    /// <summary>The label.</summary>\n    public string Label {{ get; }}";
                break;
            default:
                // Many large layers: each within the limits, their outputs together not.
                lines.Add("[Sequential(4096, 4096, 1)]");
                for (int i = 0, layers = _random.Next(4, 8); i < layers; i++)
                {
                    lines.Add(Invariant($"[Activation(Activation.{Pick(Activations)})]"));
                }

                lines.Add("[Flatten]");
                break;
        }

        lines.Add(softmax);
        return new ModelSource(name, string.Join("\n", lines), members);
    }

    /// <summary>Sizes beyond every limit whatever they multiply.</summary>
    private static readonly int[] HugeSizes = [int.MaxValue, int.MaxValue - 1, 1 << 30, (1 << 28) + 1, (1 << 24) + 1];

    /// <summary>Sizes within the limits alone whose products of two or three overflow the limits (and int).</summary>
    private static readonly int[] OverflowingFactors = [46341, 65536, 1 << 20, int.MaxValue];

    /// <summary>Strides from far beyond any input to merely beyond this one.</summary>
    private static readonly int[] HugeStrides = [int.MaxValue, int.MaxValue - 1, 1 << 30, 46341, 65536, 1000, 31];

    /// <summary>Class names that are C# keywords (reserved and contextual).</summary>
    private static readonly string[] Keywords = ["class", "int", "event", "object", "namespace", "async", "var", "partial", "record", "value"];

    /// <summary>A user constructor that calls the generated one, which must not clash with it.</summary>
    private string ChainedConstructor(string name) => _random.Next(2) == 0
        ? $"    /// <summary>A model named by a label.</summary>\n    /// <param name=\"label\">The label.</param>\n    public {name}(string label)\n        : this(label.Length)\n    {{\n    }}"
        : $"    /// <summary>A model with a seed and a label.</summary>\n    /// <param name=\"seed\">The seed.</param>\n    /// <param name=\"label\">The label.</param>\n    public {name}(int seed, string label)\n        : this(seed)\n    {{\n        Label = label;\n    }}\n\n    /// <summary>The label.</summary>\n    public string? Label {{ get; }}";

    private bool TryLayer(Shape input, out string line, out Shape output)
    {
        int kind = _random.Next(input.Flat ? 6 : 9);
        (line, output) = (input.Flat, kind) switch
        {
            (_, 0) => Dropout(input),
            // BatchNormalization's kernels are unrolled over the channels: after a Flatten of a large image that is
            // tens of thousands of lines, seconds of compilation each. Such models are valid but keep this test slow,
            // so batch normalisation is drawn only for inputs of at most 64 channels (features).
            (_, 1) when input.Channels <= MaxBatchNormalizationChannels => (BatchNormalization(), input),
            (_, 1) => Dropout(input),
            (_, 2) => (Invariant($"[Activation(Activation.{Pick(Activations)})]"), input),
            (_, 3) => (Affine(), input),
            (true, _) => Dense(input),
            (false, 4) => (Invariant($"[Flatten]"), new Shape(1, 1, input.Size, Flat: true)),
            (false, 5 or 6) => Conv2D(input),
            _ => Pooling(input),
        };
        return output.Height > 0 && output.Width > 0 && output.Channels > 0 && output.Size <= MaxValues;
    }

    private (string, Shape) Conv2D(Shape input)
    {
        int filters = _random.Next(1, 41);
        int kernelHeight = _random.Next(1, 6);
        int kernelWidth = _random.NextDouble() < 0.3 ? _random.Next(1, 6) : kernelHeight;
        int strides = _random.Next(1, 4);
        bool same = _random.Next(2) == 0;
        var text = new StringBuilder(kernelHeight == kernelWidth && _random.Next(2) == 0
            ? Invariant($"[Conv2D({filters}, {kernelHeight}")
            : Invariant($"[Conv2D({filters}, {kernelHeight}, {kernelWidth}"));
        if (strides != 1 || _random.Next(4) == 0)
        {
            text.Append(Invariant($", Strides = {strides}"));
        }

        text.Append(same ? ", Padding = Padding.Same" : _random.Next(3) == 0 ? ", Padding = Padding.Valid" : "");
        if (_random.Next(3) != 0)
        {
            text.Append(", Activation = Activation.").Append(Pick(Activations));
        }

        if (_random.Next(3) == 0)
        {
            text.Append(_random.Next(2) == 0 ? ", UseBias = false" : ", UseBias = true");
        }

        if (_random.Next(2) == 0)
        {
            text.Append(", KernelInitializer = Initializer.").Append(Pick(Initializers));
        }

        text.Append(")]");
        return (text.ToString(), Window(input, kernelHeight, kernelWidth, strides, strides, same, filters));
    }

    private (string, Shape) Pooling(Shape input)
    {
        string kind = _random.Next(2) == 0 ? "MaxPooling2D" : "AveragePooling2D";
        int poolHeight = _random.Next(1, 5);
        int poolWidth = _random.NextDouble() < 0.3 ? _random.Next(1, 5) : poolHeight;
        int strides = _random.Next(0, 4);
        bool same = _random.Next(2) == 0;
        var text = new StringBuilder(poolHeight == poolWidth && _random.Next(2) == 0
            ? Invariant($"[{kind}({poolHeight}")
            : Invariant($"[{kind}({poolHeight}, {poolWidth}"));
        if (strides != 0 || _random.Next(4) == 0)
        {
            text.Append(Invariant($", Strides = {strides}"));
        }

        text.Append(same ? ", Padding = Padding.Same" : "").Append(")]");
        int strideHeight = strides == 0 ? poolHeight : strides;
        int strideWidth = strides == 0 ? poolWidth : strides;
        return (text.ToString(), Window(input, poolHeight, poolWidth, strideHeight, strideWidth, same, input.Channels));
    }

    /// <summary>Keras' output shape of a window; zero height or width when the window does not fit ('valid').</summary>
    private static Shape Window(Shape input, int windowHeight, int windowWidth, int strideHeight, int strideWidth, bool same, int channels)
    {
        static int Axis(int size, int window, int stride, bool same) =>
            same ? (size + stride - 1) / stride : size < window ? 0 : ((size - window) / stride) + 1;

        return new Shape(Axis(input.Height, windowHeight, strideHeight, same), Axis(input.Width, windowWidth, strideWidth, same), channels, Flat: false);
    }

    private (string, Shape) Dense(Shape input)
    {
        int units = _random.Next(1, 301);
        string activation = _random.Next(3) != 0 ? ", Activation = Activation." + Pick(Activations) : "";
        return (Invariant($"[Dense({units}{activation}{DenseOptions()})]"), new Shape(1, 1, units, Flat: true));
    }

    private string DenseOptions()
    {
        var text = new StringBuilder();
        if (_random.Next(4) == 0)
        {
            text.Append(", UseBias = false");
        }

        if (_random.Next(2) == 0)
        {
            text.Append(", KernelInitializer = Initializer.").Append(Pick(Initializers));
        }

        return text.ToString();
    }

    private (string, Shape) Dropout(Shape input)
    {
        double rate = _random.Next(5) == 0 ? 0 : Math.Round(_random.NextDouble() * 0.9, 3);
        return (Invariant($"[Dropout({rate.ToString("R", CultureInfo.InvariantCulture)})]"), input);
    }

    private string BatchNormalization() => _random.Next(3) switch
    {
        0 => "[BatchNormalization]",
        1 => Invariant($"[BatchNormalization(Momentum = {Math.Round(_random.NextDouble(), 3).ToString("R", CultureInfo.InvariantCulture)})]"),
        _ => Invariant($"[BatchNormalization(Momentum = {Math.Round(_random.NextDouble(), 2).ToString("R", CultureInfo.InvariantCulture)}, Epsilon = {Math.Pow(10, -_random.Next(1, 8)).ToString("R", CultureInfo.InvariantCulture)})]"),
    };

    private string Affine()
    {
        string mean = Math.Round((_random.NextDouble() * 200) - 100, 2).ToString("R", CultureInfo.InvariantCulture);
        string positive = Math.Round(0.01 + (_random.NextDouble() * 100), 3).ToString("R", CultureInfo.InvariantCulture);
        return _random.Next(3) switch
        {
            0 => $"[Normalization({mean}, {positive})]",
            1 => $"[Rescaling(1.0 / {positive})]",
            _ => $"[Rescaling({positive}, {mean})]",
        };
    }

    private T Pick<T>(T[] values) => values[_random.Next(values.Length)];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private readonly record struct Shape(int Height, int Width, int Channels, bool Flat)
    {
        public int Size => Height * Width * Channels;
    }
}
