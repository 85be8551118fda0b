using System.CommandLine;
using System.Globalization;
using ConvGen.Models.Recipes;

namespace ConvGen.Train.Commands;

/// <summary>
/// <c>convgen-train mnist-best</c>: ConvGen's recipe beyond the notebook (<see cref="MnistBest"/>): one network per
/// seed, each trained for a fixed number of epochs and then tested once, and the ensemble of them all. Finished
/// networks are kept in the run directory (<c>seed-N.cgw</c>) and a killed one resumes from its backup, so members may
/// be trained by separate runs, or machines, and brought together by a last run (or <c>convgen-train ensemble</c>).
/// </summary>
internal static class MnistBestCommand
{
    public static Command Create(CommandContext context)
    {
        var seeds = new Option<int[]>("--seeds")
        {
            Description = "Seeds of the networks to train and average, comma-separated",
            HelpName = "N,N,...",
            DefaultValueFactory = _ => [1, 2, 3],
            CustomParser = Arguments.Seeds,
        };
        var runDirectory = new Option<string>("--run-dir")
        {
            Description = "Where finished networks (seed-N.cgw) and backups are kept",
            HelpName = "DIR",
            DefaultValueFactory = _ => "runs/mnist-best",
        };
        var epochs = new Option<int?>("--epochs")
        {
            Description = string.Create(CultureInfo.InvariantCulture, $"Epochs per network (default the recipe's {MnistBest.Epochs}; fewer only to check the machinery)"),
            HelpName = "N",
            CustomParser = result => Arguments.Integer(result, minimum: 1),
        };
        var validation = new Option<bool>("--validation")
        {
            Description = "Train on the first 50,000 training images and report on the last 10,000 instead of the test set (how the recipe was fixed)",
        };
        var limit = new Option<int?>("--limit")
        {
            Description = "Train on the first N images only (to check the machinery)",
            HelpName = "N",
            CustomParser = result => Arguments.Integer(result, minimum: 1),
        };
        var results = new Option<string?>("--results") { Description = "Also write the table and the run's details to FILE.md and FILE.json", HelpName = "FILE" };
        Option<int> verbose = Arguments.Verbose();
        Option<string?> mnist = Arguments.MnistDirectory();
        var command = new Command("mnist-best", string.Create(CultureInfo.InvariantCulture, $"Train ConvGen's best MNIST recipe (Deotte's network, augmentation, {MnistBest.Epochs} epochs) for each seed, test each, and test their ensemble"))
        {
            seeds, runDirectory, epochs, validation, limit, results, verbose, mnist,
        };
        command.SetAction(parseResult =>
        {
            string? resultsPath = parseResult.GetValue(results);
            if (resultsPath is not null)
            {
                SaveTarget.Check("--results", resultsPath + ".md");
            }

            (Dataset train, Dataset test) = MnistData.Load(parseResult.GetValue(mnist));
            bool validating = parseResult.GetValue(validation);
            if (validating)
            {
                (train, test) = (train.Take(50_000), train.Slice(50_000, train.Count - 50_000));
            }

            if (parseResult.GetValue(limit) is int count)
            {
                train = train.Take(count);
            }

            string directory = parseResult.GetRequiredValue(runDirectory);
            int? epochCount = parseResult.GetValue(epochs);
            int level = parseResult.GetValue(verbose);
            DateTimeOffset started = DateTimeOffset.Now;
            var members = new List<Model>();
            var rows = new List<MnistBest.MemberResult>();
            foreach (int seed in parseResult.GetRequiredValue(seeds))
            {
                string finished = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"seed-{seed}.cgw"));
                Model model;
                double seconds = 0;
                if (File.Exists(finished))
                {
                    model = new StridedBatchNormCnn(seed) { Output = context.Out };
                    model.Load(finished);
                    context.Out.WriteLine($"seed {seed}: loaded from {finished} (trained by an earlier run)");
                }
                else
                {
                    context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seed {seed}: training on {train.Count} images, {epochCount ?? MnistBest.Epochs} epochs"));
                    (model, seconds) = MnistBest.Train(train, seed, Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"seed-{seed}")), context.Out, level, epochCount);
                    model.Save(finished);
                }

                (float loss, float accuracy) = model.Evaluate(test, batchSize: 256);
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seed {seed}: {(validating ? "validation" : "test")} accuracy {accuracy * 100:0.00} %, loss {loss:0.0000}, {seconds:0} s of training"));
                members.Add(model);
                rows.Add(new MnistBest.MemberResult(seed, accuracy, loss, seconds));
            }

            (float ensembleLoss, float ensembleAccuracy) = new Ensemble(members).Evaluate(test);
            string table = MnistBest.Table(rows, ensembleAccuracy, ensembleLoss);
            context.Out.WriteLine();
            context.Out.WriteLine(validating ? "On the last 10,000 training images (validation):" : "On MNIST's test set:");
            context.Out.WriteLine(table);
            if (resultsPath is not null)
            {
                RunReport.Write(resultsPath, "convgen-train mnist-best" + (validating ? " --validation" : string.Empty), started, new MnistBestRun([.. rows.Select(r => r.Seed)], epochCount ?? MnistBest.Epochs, validating), RunReportJson.Default.MnistBestRun, table, rows, RunReportJson.Default.ListMemberResult);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
