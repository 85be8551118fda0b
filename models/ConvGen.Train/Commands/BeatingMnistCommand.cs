using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ConvGen.Models.Recipes;

namespace ConvGen.Train.Commands;

/// <summary>
/// <c>convgen-train beating-mnist</c>: "Beating MNIST"'s models 10 to 13 (augmentation, annealing, averaging,
/// pseudo-labels) in one command, each step's test accuracy beside the notebook's (<see cref="BeatingMnistChain"/>).
/// </summary>
internal static class BeatingMnistCommand
{
    public static Command Create(CommandContext context)
    {
        var members = new Option<int>("--members")
        {
            Description = "Networks averaged in models 12 and 13",
            HelpName = "N",
            DefaultValueFactory = _ => 6,
            CustomParser = result => Arguments.Integer(result, minimum: 1, maximum: 64),
        };
        Option<int> seed = Arguments.Seed();
        seed.DefaultValueFactory = _ => 1;
        var runDirectory = new Option<string?>("--run-dir")
        {
            Description = "Where finished networks and backups are kept; a killed run started again resumes there (default runs/beating-mnist, or runs/beating-mnist-quick)",
            HelpName = "DIR",
        };
        var quick = new Option<bool>("--quick") { Description = "Check the machinery in seconds: 1,024 training and 512 test images, one epoch a phase, two members" };
        var results = new Option<string?>("--results")
        {
            Description = "Also write the results table and the run's details to FILE.md and FILE.json",
            HelpName = "FILE",
        };
        Option<int> verbose = Arguments.Verbose();
        Option<string?> mnist = Arguments.MnistDirectory();
        var command = new Command("beating-mnist", "Reproduce 'Beating MNIST' models 10-13 (augmentation, annealing, averaging, pseudo-labels) and compare each step's test accuracy with the notebook's")
        {
            members, seed, runDirectory, quick, results, verbose, mnist,
        };
        command.SetAction(parseResult =>
        {
            bool isQuick = parseResult.GetValue(quick);
            string? resultsPath = parseResult.GetValue(results);
            if (resultsPath is not null)
            {
                SaveTarget.Check("--results", resultsPath + ".md");
            }

            var options = new ChainOptions(
                parseResult.GetValue(members),
                parseResult.GetValue(seed),
                parseResult.GetValue(runDirectory) ?? (isQuick ? "runs/beating-mnist-quick" : "runs/beating-mnist"),
                isQuick,
                parseResult.GetValue(verbose));
            (Dataset train, Dataset test) = MnistData.Load(parseResult.GetValue(mnist));
            DateTimeOffset started = DateTimeOffset.Now;
            IReadOnlyList<BeatingMnistChain.StepResult> steps = BeatingMnistChain.Run(train, test, options, context.Out);
            if (resultsPath is not null)
            {
                RunReport.Write(resultsPath, "convgen-train beating-mnist", started, options, RunReportJson.Default.ChainOptions, BeatingMnistChain.Table(steps), steps, RunReportJson.Default.IReadOnlyListStepResult);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
