using System.CommandLine;
using System.Globalization;
using ConvGen.Models;

namespace ConvGen.Train.Commands;

/// <summary><c>convgen-train list</c>: every seed network with its notebook's recipe.</summary>
internal static class ListCommand
{
    public static Command Create(CommandContext context)
    {
        var command = new Command("list", "List the seed networks and their notebooks' recipes");
        command.SetAction(_ => Run(context));
        return command;
    }

    public static int Run(CommandContext context)
    {
        foreach (SeedNetwork seed in SeedNetwork.All)
        {
            string validation = seed.ValidateOnTest ? "validates on the test set"
                : seed.ValidationSplit > 0 ? string.Create(CultureInfo.InvariantCulture, $"validation split {seed.ValidationSplit}")
                : "no validation";
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{seed.Name,-22} {seed.Description}; {seed.Epochs} epochs, batch {seed.BatchSize}, {validation}"));
        }

        return ExitCodes.Success;
    }
}
