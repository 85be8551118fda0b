using System.CommandLine;
using System.Globalization;
using ConvGen.Models;

namespace ConvGen.Train.Commands;

/// <summary><c>convgen-train evaluate &lt;network&gt; --weights FILE</c>: the test loss and accuracy of saved weights,
/// as Keras' <c>model.evaluate</c> reports them.</summary>
internal static class EvaluateCommand
{
    public static Command Create(CommandContext context)
    {
        Argument<string> network = Arguments.Network(hasDefault: false);
        Option<string> weights = Arguments.Weights();
        Option<int?> batchSize = Arguments.BatchSize("Images per call (default 256)");
        Option<string?> mnist = Arguments.MnistDirectory();
        var command = new Command("evaluate", "Evaluate saved weights on MNIST's test set: loss and accuracy") { network, weights, batchSize, mnist };
        command.SetAction(parseResult =>
        {
            Model model = LoadModel(parseResult.GetNetwork(network), parseResult.GetRequiredValue(weights));
            using var engine = model.Engine as IDisposable;
            Dataset test = MnistData.Load(parseResult.GetValue(mnist)).Test;
            (float loss, float accuracy) = model.Evaluate(test, batchSize: parseResult.GetValue(batchSize) ?? 256);
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Test loss: {loss:0.0000} - test accuracy: {accuracy:0.0000} ({accuracy * 100:0.00} %) on {test.Count} images"));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>A fresh model of <paramref name="network"/> with the weights of <paramref name="path"/>; the runtime's
    /// error (naming the file and the problem) when they do not fit.</summary>
    public static Model LoadModel(SeedNetwork network, string path)
    {
        Model model = network.Create(0);
        try
        {
            model.Load(path);
        }
        catch
        {
            (model.Engine as IDisposable)?.Dispose();
            throw;
        }

        return model;
    }
}
