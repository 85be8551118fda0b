using System.Globalization;

namespace ConvGen.Train;

/// <summary>The command line: <c>[network] [--epochs N] [--batch-size N] [--seed N] [--validation-split F]
/// [--verbose 0|1|2] [--mnist DIR] [--save FILE] [--summary] [--list]</c>.</summary>
internal sealed record TrainOptions
{
    public string Network { get; init; } = "mnist-cnn";

    public int? Epochs { get; init; }

    public int? BatchSize { get; init; }

    public int Seed { get; init; } = 42;

    public double? ValidationSplit { get; init; }

    public int Verbose { get; init; } = 2;

    public string? MnistDirectory { get; init; }

    public string? SavePath { get; init; }

    public bool SummaryOnly { get; init; }

    public bool List { get; init; }

    public bool Help { get; init; }

    public const string Usage = """
        Usage: convgen-train [network] [options]

          network                 a seed network (default mnist-cnn); --list shows them all
          --epochs N              epochs (default: the notebook's)
          --batch-size N          samples per step (default: the notebook's)
          --seed N                seed of weights, shuffling and dropout (default 42)
          --validation-split F    hold out the last fraction F of the training set, as Keras
                                  (default: the notebook's; the Beating MNIST notebooks
                                  validate on the test set, which this option replaces)
          --verbose 0|1|2         0 silent, 1 progress bar, 2 one line per epoch (default 2)
          --mnist DIR             read the four MNIST idx files from DIR instead of the cache
          --save FILE             save the trained weights to FILE
          --summary               print the summary and exit, without training
          --list                  list the seed networks and exit
        """;

    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> naming the bad argument.</summary>
    public static TrainOptions Parse(string[] args)
    {
        var options = new TrainOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{arg} needs a value.");
            options = arg switch
            {
                "--epochs" => options with { Epochs = PositiveInt(arg, Value()) },
                "--batch-size" => options with { BatchSize = PositiveInt(arg, Value()) },
                "--seed" => options with { Seed = Int(arg, Value()) },
                "--validation-split" => options with { ValidationSplit = Fraction(arg, Value()) },
                "--verbose" => options with { Verbose = Verbosity(arg, Value()) },
                "--mnist" => options with { MnistDirectory = Value() },
                "--save" => options with { SavePath = Value() },
                "--summary" => options with { SummaryOnly = true },
                "--list" => options with { List = true },
                "--help" or "-h" => options with { Help = true },
                _ when arg.StartsWith('-') => throw new ArgumentException($"Unknown option {arg}."),
                _ => options with { Network = arg },
            };
        }

        return options;
    }

    private static int Int(string option, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : throw new ArgumentException($"{option} needs an integer; got '{text}'.");

    private static int PositiveInt(string option, string text) =>
        Int(option, text) is > 0 and int value ? value : throw new ArgumentException($"{option} must be positive; got '{text}'.");

    private static int Verbosity(string option, string text) =>
        Int(option, text) is >= 0 and <= 2 and int value ? value : throw new ArgumentException($"{option} is 0, 1 or 2; got '{text}'.");

    private static double Fraction(string option, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value >= 0 && value < 1
            ? value
            : throw new ArgumentException($"{option} needs a number in [0, 1); got '{text}'.");
}
