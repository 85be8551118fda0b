using ConvGen.Train.Commands;

namespace ConvGen.Tests.Trainer;

/// <summary>One in-process run of <c>convgen-train</c>: its exit code and what it wrote.</summary>
internal sealed record TrainerRun(int ExitCode, string Out, string Error)
{
    public static TrainerRun Of(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = TrainerCommandLine.Run(args, new CommandContext(output, error));
        return new TrainerRun(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>The error output's lines.</summary>
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The first line of the error output, the error itself.</summary>
    public string FirstError => ErrorLines.FirstOrDefault() ?? string.Empty;
}
