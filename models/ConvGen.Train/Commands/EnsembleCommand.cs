using System.CommandLine;
using System.Globalization;
using ConvGen.Models;
using ConvGen.Models.Recipes;

namespace ConvGen.Train.Commands;

/// <summary>
/// <c>convgen-train ensemble &lt;network&gt; --weights A B ...</c>: the test accuracy of each saved network and of
/// their average (<see cref="Ensemble"/>): members trained by separate runs, or on separate machines, brought together.
/// </summary>
internal static class EnsembleCommand
{
    /// <summary>The networks an ensemble may be made of: the seed networks and <c>mnist-best</c>'s.</summary>
    public static Func<int, Model>? Factory(string name) =>
        SeedNetwork.Find(name)?.Create
        ?? (string.Equals(name, "mnist-best", StringComparison.OrdinalIgnoreCase) || string.Equals(name, nameof(StridedBatchNormCnn), StringComparison.OrdinalIgnoreCase)
            ? seed => new StridedBatchNormCnn(seed)
            : null);

    public static Command Create(CommandContext context)
    {
        var network = new Argument<string>("network") { Description = "The members' network: a seed network, or mnist-best" };
        network.Validators.Add(result =>
        {
            string? name = result.GetValueOrDefault<string?>();
            if (name is not null && Factory(name) is null)
            {
                result.AddError($"Unknown network '{name}'. Networks: {Arguments.NetworkNames}, mnist-best.");
            }
        });
        var weights = new Option<string[]>("--weights")
        {
            Description = "The members' weight files",
            HelpName = "FILE",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        weights.Validators.Add(result =>
        {
            foreach (string path in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (!File.Exists(path))
                {
                    result.AddError(Directory.Exists(path) ? $"--weights '{path}' is a directory, not a weights file." : $"--weights '{path}': no such file.");
                    return;
                }
            }
        });
        Option<string?> mnist = Arguments.MnistDirectory();
        var command = new Command("ensemble", "Test saved networks and their ensemble (the mean of their probabilities) on MNIST's test set") { network, weights, mnist };
        command.SetAction(parseResult =>
        {
            Func<int, Model> create = Factory(parseResult.GetRequiredValue(network))!;
            string[] paths = parseResult.GetRequiredValue(weights);
            Ensemble ensemble = Ensemble.Load(create, paths);
            Dataset test = MnistData.Load(parseResult.GetValue(mnist)).Test;
            for (int m = 0; m < paths.Length; m++)
            {
                (float loss, float accuracy) = ensemble.Members[m].Evaluate(test, batchSize: 256);
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{paths[m]}: test accuracy {accuracy * 100:0.00} %, loss {loss:0.0000}"));
            }

            (float ensembleLoss, float ensembleAccuracy) = ensemble.Evaluate(test);
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Ensemble of {paths.Length}: test accuracy {ensembleAccuracy * 100:0.00} %, loss {ensembleLoss:0.0000}"));
            return ExitCodes.Success;
        });
        return command;
    }
}
