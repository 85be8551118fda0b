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

        return new ModelSource(className, string.Join("\n", lines));
    }

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
