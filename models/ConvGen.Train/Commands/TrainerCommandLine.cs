using System.CommandLine;
using System.CommandLine.Help;
using ConvGen.Engines;

namespace ConvGen.Train.Commands;

/// <summary>
/// <c>convgen-train</c>'s command line on System.CommandLine: the commands, the generated <c>--help</c>, and the exit
/// codes (0 done, 1 failed, 2 a usage error). Every error is one line on the error writer naming the option or file
/// and the problem, never a stack trace.
/// </summary>
/// <remarks>
/// A command lives in a file of its own under <c>Commands/</c> with a <c>Create(CommandContext)</c> method; adding one
/// is that file and one line in <see cref="CreateRoot"/>.
/// </remarks>
internal static class TrainerCommandLine
{
    /// <summary>The root command: every command, <c>--help</c> and <c>--version</c>.</summary>
    public static Command CreateRoot(CommandContext context)
    {
        // A plain Command named like the program, rather than a RootCommand named after the process (the test host's
        // in the tests), with the two options a RootCommand brings.
        var root = new Command(
            "convgen-train",
            "Trains ConvGen's seed networks (the course notebooks' MNIST networks) with Keras-like output; evaluates and applies saved weights.\n" +
            "With no command, trains: 'convgen-train mnist-cnn --epochs 3' is 'convgen-train train mnist-cnn --epochs 3'.")
        {
            new HelpOption(),
            new VersionOption(),
            new TrainCommand().Create(context),
            EvaluateCommand.Create(context),
            PredictCommand.Create(context),
            SummaryCommand.Create(context),
            ListCommand.Create(context),
            BeatingMnistCommand.Create(context),
            MnistBestCommand.Create(context),
            EnsembleCommand.Create(context),
            InfoCommand.Create(context),
        };
        return root;
    }

    /// <summary>Parses <paramref name="args"/> against the root command of <paramref name="context"/>, after
    /// <see cref="WithDefaultCommand"/>.</summary>
    public static ParseResult Parse(string[] args, CommandContext context)
    {
        Command root = CreateRoot(context);
        return root.Parse(WithDefaultCommand(args, root.Subcommands.Select(c => c.Name).ToArray()));
    }

    /// <summary>
    /// <paramref name="args"/> with <c>train</c> in front when they name no command (<c>convgen-train mnist-cnn</c>,
    /// <c>convgen-train --epochs 3</c>, or nothing at all), and <c>--list</c>, the option that came before the
    /// <c>list</c> command, as that command.
    /// </summary>
    public static string[] WithDefaultCommand(string[] args, string[] commands)
    {
        ArgumentNullException.ThrowIfNull(args);
        string[] rootOptions = ["-h", "-?", "--help", "/?", "/h", "--version"];
        return args switch
        {
            [] => ["train"],
            ["--list", ..] => ["list", .. args[1..]],
            [string first, ..] when commands.Contains(first) || rootOptions.Contains(first) || first.StartsWith('[') => args,
            _ => ["train", .. args],
        };
    }

    /// <summary>Runs the command line; returns the exit code.</summary>
    public static int Run(string[] args, CommandContext context)
    {
        ArgumentNullException.ThrowIfNull(args);
        ParseResult parseResult = Parse(args, context);
        if (parseResult.Errors.Count > 0)
        {
            // The first error alone: an unknown option's value would otherwise be reported as a second unknown argument.
            context.Error.WriteLine($"convgen-train: {parseResult.Errors[0].Message}");
            context.Error.WriteLine($"Run '{CommandName(parseResult)} --help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            // A bad CONVGEN_THREADS is the command line's environment being wrong: said before any work, as a usage error.
            _ = CompiledEngine.ConfiguredThreads;
        }
        catch (InvalidOperationException e)
        {
            context.Error.WriteLine($"convgen-train: {e.Message}");
            return ExitCodes.Usage;
        }

        try
        {
            return parseResult.Invoke(new InvocationConfiguration { Output = context.Out, Error = context.Error, EnableDefaultExceptionHandler = false });
        }
        catch (UsageException e)
        {
            context.Error.WriteLine($"convgen-train: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            // MnistUnavailableException is an IOException: its message says what to do.
            context.Error.WriteLine($"convgen-train: {OneLine(e.Message)}");
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            context.Error.WriteLine($"convgen-train: internal error ({e.GetType().Name}): {OneLine(e.Message)}");
            return ExitCodes.Failure;
        }
    }

    private static string CommandName(ParseResult parseResult) =>
        parseResult.CommandResult.Command.Name == "convgen-train" ? "convgen-train" : "convgen-train " + parseResult.CommandResult.Command.Name;

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
