using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ConvGen.Models;
using ConvGen.Plots;

namespace ConvGen.Train.Commands;

/// <summary>
/// <c>convgen-train [train] [network] [options]</c>: trains a seed network on MNIST the way its notebook does, with
/// Keras-like output, then reports test accuracy (and saves the weights with <c>--save</c>). It is also the default
/// command: <c>convgen-train mnist-cnn</c> trains.
/// </summary>
internal sealed class TrainCommand
{
    private readonly Argument<string> _network = Arguments.Network(hasDefault: true);

    private readonly Option<int?> _epochs = new("--epochs")
    {
        Description = "Passes over the training set (default: the notebook's)",
        HelpName = "N",
        CustomParser = result => Arguments.Integer(result, minimum: 1),
    };

    private readonly Option<int?> _batchSize = Arguments.BatchSize("Samples per step (default: the notebook's)");

    private readonly Option<int> _seed = Arguments.Seed();

    private readonly Option<double?> _validationSplit = new("--validation-split")
    {
        Description = "Hold out the last fraction F of the training set for validation, as Keras (default: the notebook's; " +
                      "the Beating MNIST notebooks validate on the test set, which this option replaces)",
        HelpName = "F",
        CustomParser = Arguments.Fraction,
    };

    private readonly Option<int> _verbose = Arguments.Verbose();

    private readonly Option<string?> _mnist = Arguments.MnistDirectory();

    private readonly Option<string?> _save = new("--save")
    {
        Description = "Save the trained weights to FILE (checked to be writable before training starts)",
        HelpName = "FILE",
    };

    private readonly Option<string?> _report = new("--report")
    {
        Description = "Write an HTML report of the run (report.html: summary, recipe, history, confusion matrix, digit grids, timing) into DIR",
        HelpName = "DIR",
    };

    private readonly Option<string?> _export = new("--export")
    {
        Description = "Export the trained model as ONNX to FILE (inference graph, NHWC input; see docs/export.md)",
        HelpName = "FILE",
    };

    private readonly Option<bool> _summary = new("--summary")
    {
        Description = "Print the network's summary and exit, without training",
    };

    // For the benchmarks (the NativeAOT trainer against the JIT): where to write the run's timings as JSON.
    private readonly Option<string?> _timing = new("--timing")
    {
        Description = "Write the run's timings (process start to first step, training seconds) as JSON to FILE",
        HelpName = "FILE",
        Hidden = true,
    };

    /// <summary>The <c>train</c> command, which also runs when the command line names no command.</summary>
    public Command Create(CommandContext context)
    {
        var command = new Command("train", "Train a seed network on MNIST with its notebook's recipe and report its test accuracy (the default command)");
        command.Add(_network);
        foreach (Option option in (Option[])[_epochs, _batchSize, _seed, _validationSplit, _verbose, _mnist, _save, _report, _export, _summary, _timing])
        {
            command.Add(option);
        }

        command.SetAction(parseResult => Run(Read(parseResult), context));
        return command;
    }

    /// <summary>The options of a parsed command line (parsed without errors).</summary>
    public TrainOptions Read(ParseResult parseResult) => new(
        parseResult.GetNetwork(_network),
        parseResult.GetValue(_epochs),
        parseResult.GetValue(_batchSize),
        parseResult.GetValue(_seed),
        parseResult.GetValue(_validationSplit),
        parseResult.GetValue(_verbose),
        parseResult.GetValue(_mnist),
        parseResult.GetValue(_save),
        parseResult.GetValue(_summary),
        parseResult.GetValue(_report),
        parseResult.GetValue(_export),
        string.Join(' ', ["convgen-train", .. parseResult.Tokens.Select(token => token.Value)]),
        parseResult.GetValue(_timing));

    /// <summary>Trains as <paramref name="options"/> say; returns the exit code. Throws <see cref="UsageException"/>
    /// for an unwritable <c>--save</c> path before anything is trained.</summary>
    public static int Run(TrainOptions options, CommandContext context)
    {
        SeedNetwork network = options.Network;
        if (!options.SummaryOnly)
        {
            // Every output is checked before training starts: a long run must not end unable to write its results.
            if (options.SavePath is not null)
            {
                SaveTarget.Check("--save", options.SavePath);
            }

            if (options.ExportPath is not null)
            {
                SaveTarget.Check("--export", options.ExportPath);
            }

            if (options.ReportDirectory is not null)
            {
                SaveTarget.CheckDirectory("--report", options.ReportDirectory);
            }
        }

        if (options.TimingPath is not null)
        {
            SaveTarget.Check("--timing", options.TimingPath);
        }

        Model model = network.Create(options.Seed);
        using var engine = model.Engine as IDisposable;
        model.Output = context.Out;
        context.Out.WriteLine(model.Summary());
        if (options.SummaryOnly)
        {
            return ExitCodes.Success;
        }

        (Dataset train, Dataset test) = MnistData.Load(options.MnistDirectory);
        TrainRecipe recipe = TrainRecipe.Resolve(network, options);
        context.Out.WriteLine(Invariant($"Training {network.Name} ({model.Engine.Name}, {Environment.ProcessorCount} cores): {train.Count} samples, {recipe.Epochs} epochs, batch {recipe.BatchSize}, Adam, seed {options.Seed}."));

        var timing = new RunTiming();
        var clock = Stopwatch.StartNew();
        (History history, TerminateOnNaN divergence) = recipe.Fit(model, train, test, options.Verbose, timing);
        double seconds = clock.Elapsed.TotalSeconds;
        if (divergence.Terminated)
        {
            // Weights that produced a NaN or infinite loss are not worth keeping, and must not replace a good saved file.
            context.Error.WriteLine(Invariant($"convgen-train: training diverged: the loss was {divergence.InvalidLoss} at batch {divergence.StoppedBatch} of epoch {divergence.StoppedEpoch + 1}; nothing was saved. Try a smaller batch size or check the data."));
            return ExitCodes.Failure;
        }

        if (options.TimingPath is not null)
        {
            timing.Write(options.TimingPath, network.Name, train.Count, recipe.Epochs, seconds);
        }

        (float loss, float accuracy) = model.Evaluate(test, batchSize: 256);
        context.Out.WriteLine(Invariant($"Test loss: {loss:0.0000} - test accuracy: {accuracy:0.0000} ({accuracy * 100:0.00} %) after {seconds:0.0} s of training"));
        if (options.SavePath is not null)
        {
            model.Save(options.SavePath);
            context.Out.WriteLine($"Weights saved to {Path.GetFullPath(options.SavePath)}");
        }

        if (options.ExportPath is not null)
        {
            model.ExportOnnx(options.ExportPath);
            context.Out.WriteLine($"ONNX model exported to {Path.GetFullPath(options.ExportPath)}");
        }

        if (options.ReportDirectory is not null)
        {
            var report = new TrainingReport(model, history, test)
            {
                Title = Invariant($"{network.Name}, seed {options.Seed}"),
                TrainingSamples = train.Count,
                CommandLine = options.CommandLine,
                Seed = options.Seed,
            };
            report.Recipe["Epochs"] = Invariant($"{recipe.Epochs}");
            report.Recipe["Batch size"] = Invariant($"{recipe.BatchSize}");
            report.Recipe["Optimizer"] = "Adam, learning rate 0.001";
            report.Recipe["Validation"] = recipe.ValidateOnTest ? "the test set (as the notebook)" : Invariant($"the last {recipe.ValidationSplit:0.##} of the training set");
            report.Recipe["Engine"] = Invariant($"{model.Engine.Name}, {Environment.ProcessorCount} cores");
            string page = report.Write(options.ReportDirectory);
            context.Out.WriteLine($"Report written to {page}");
        }

        return ExitCodes.Success;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
