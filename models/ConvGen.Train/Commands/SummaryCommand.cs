using System.CommandLine;
using ConvGen.Models;

namespace ConvGen.Train.Commands;

/// <summary><c>convgen-train summary [network]</c>: the Keras-style table of a network's layers, shapes and parameters.</summary>
internal static class SummaryCommand
{
    public static Command Create(CommandContext context)
    {
        Argument<string> network = Arguments.Network(hasDefault: true);
        var command = new Command("summary", "Print a network's summary (layers, output shapes, parameters) without training") { network };
        command.SetAction(parseResult =>
        {
            Model model = parseResult.GetNetwork(network).Create(0);
            using var engine = model.Engine as IDisposable;
            context.Out.WriteLine(model.Summary());
            return ExitCodes.Success;
        });
        return command;
    }
}
