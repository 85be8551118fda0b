using System.Globalization;

namespace ConvGen.Benchmarks.Comparison;

/// <summary>The arguments of <c>compare</c>: <c>[--threads N] [--steps N] [--rounds N] [--networks a,b,...] [--openblas-threads N] [--out DIR]</c>.</summary>
internal sealed record CompareOptions(int Threads, int? Steps, IReadOnlyList<string>? Networks, string? OutputDirectory, int OpenblasThreads = 1, int Rounds = 3)
{
    public const string Usage =
        """
        Usage: dotnet run -c Release --project benchmarks/ConvGen.Benchmarks -- compare [options]

        Measures one training step of every seed network with ConvGen's generated engine, eager PyTorch and the
        interpreted engine, side by side, plus batch-1 inference and the machine's FMA peak; writes latest.md and
        latest.json.

          --threads N          threads on every side (default 2)
          --steps N            timed steps per repeat for ConvGen and PyTorch (default: enough for ~0.25 s a repeat);
                               the interpreted engine always takes its own few seconds
          --rounds N           rounds per network, ConvGen and PyTorch alternating (default 3): each side's figure
                               is the median of all its runs, so a change in the machine's speed between one side's
                               runs and the other's weighs on both
          --networks a,b,...   only these networks, by class or trainer name (MnistCnn or mnist-cnn); default all
          --openblas-threads N OpenBLAS threads of the PyTorch worker (default 1: PyTorch at its best here; its
                               pthread pool fights OpenMP's workers for the cores; N = --threads is PyTorch as
                               installed, the configuration the issue's PyTorch figures come from)
          --out DIR            where latest.md and latest.json go (default benchmarks/results)
          --help               this text
        """;

    /// <summary>Whether the command line asked for <see cref="Usage"/>.</summary>
    public bool Help { get; private init; }

    /// <summary>Parses the arguments after <c>compare</c>; throws <see cref="UsageException"/> on a mistake.</summary>
    public static CompareOptions Parse(IReadOnlyList<string> arguments)
    {
        var options = new CompareOptions(Threads: 2, Steps: null, Networks: null, OutputDirectory: null);
        for (int i = 0; i < arguments.Count; i++)
        {
            string argument = arguments[i];
            switch (argument)
            {
                case "--help" or "-h":
                    return options with { Help = true };
                case "--threads":
                    options = options with { Threads = PositiveInteger(argument, Value(arguments, ref i)) };
                    break;
                case "--steps":
                    options = options with { Steps = PositiveInteger(argument, Value(arguments, ref i)) };
                    break;
                case "--rounds":
                    options = options with { Rounds = PositiveInteger(argument, Value(arguments, ref i)) };
                    break;
                case "--networks":
                    string[] names = Value(arguments, ref i).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    if (names.Length == 0)
                    {
                        throw new UsageException("--networks needs at least one network name.");
                    }

                    options = options with { Networks = names };
                    break;
                case "--openblas-threads":
                    options = options with { OpenblasThreads = PositiveInteger(argument, Value(arguments, ref i)) };
                    break;
                case "--out":
                    options = options with { OutputDirectory = Value(arguments, ref i) };
                    break;
                default:
                    throw new UsageException($"Unknown argument '{argument}'.");
            }
        }

        return options;
    }

    private static string Value(IReadOnlyList<string> arguments, ref int index)
    {
        if (index + 1 >= arguments.Count || arguments[index + 1].StartsWith("--", StringComparison.Ordinal))
        {
            throw new UsageException($"{arguments[index]} needs a value.");
        }

        index++;
        return arguments[index];
    }

    private static int PositiveInteger(string option, string value)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number <= 0)
        {
            throw new UsageException($"{option} needs a positive whole number; got '{value}'.");
        }

        return number;
    }
}

/// <summary>A mistake on the command line; its message says which.</summary>
internal sealed class UsageException(string message) : Exception(message);
