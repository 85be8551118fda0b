using System.Diagnostics;
using System.Globalization;

namespace ConvGen.Models.Recipes;

/// <summary>
/// "Beating MNIST"'s last four steps on its VGG-style network with BatchNormalization and Dropout
/// (<see cref="BeatingVggDropout"/>), as the notebook ran them:
/// <list type="number">
/// <item>Model 10, augmentation: Keras' <c>ImageDataGenerator(rotation_range=10, zoom_range=0.1, shear_range=0.1)</c>,
/// 10 epochs of batches of 128, Adam at 1e-3 (99.27 % in the notebook);</item>
/// <item>Model 11, annealing: a fresh network, 1 epoch at 1e-4 and 3 at 0.01 on the plain images in batches of 64, then
/// augmented batches of 128 for 4 epochs at 0.01, 5 at 1e-3, 5 at 1e-4, 5 at 1e-5 and 5 at 1e-7 (99.39 %);</item>
/// <item>Model 12, averaging: the mean probabilities of several networks trained as model 11 from other seeds (99.5 %);</item>
/// <item>Model 13, pseudo-labels: the ensemble labels the unlabelled images, which then make a quarter of every batch
/// while each member trains on for 3 more epochs at 1e-4 and 2 at 1e-5 (99.58 %).</item>
/// </list>
/// As in the notebook, the unlabelled images of step 13 are the test images (their labels are not used: the ensemble's
/// predictions are), and every Fit shows the test set's loss and accuracy as its validation data, which decides
/// nothing: each step's recipe is the notebook's, fixed in advance. The shear of Keras 1, which the notebook ran, was in
/// radians: 0.1 rad is 5.73°.
/// </summary>
/// <remarks>
/// Every phase trains with a <see cref="BackupAndRestore"/> kept in the run directory, and every finished network is
/// saved there, so a killed run started again with the same options picks up where it was, and ends with the same
/// weights.
/// </remarks>
public static class BeatingMnistChain
{
    /// <summary>The notebook's augmentation.</summary>
    public static ImageAugmentation Augmentation { get; } = new(rotationRange: 10, zoomRange: 0.1, shearRange: 0.1 * 180 / Math.PI);

    /// <summary>Model 11's annealing: the notebook's Fit calls in order.</summary>
    public static IReadOnlyList<Phase> Annealing { get; } =
    [
        new(1e-4, 1, 64, Augmented: false),
        new(0.01, 3, 64, Augmented: false),
        new(0.01, 4, 128, Augmented: true),
        new(1e-3, 5, 128, Augmented: true),
        new(1e-4, 5, 128, Augmented: true),
        new(1e-5, 5, 128, Augmented: true),
        new(1e-7, 5, 128, Augmented: true),
    ];

    /// <summary>Model 13's training on with pseudo-labels.</summary>
    public static IReadOnlyList<Phase> PseudoLabelling { get; } =
    [
        new(1e-4, 3, 128, Augmented: true, PseudoLabeled: true),
        new(1e-5, 2, 128, Augmented: true, PseudoLabeled: true),
    ];

    /// <summary>Runs the four steps and returns their results; writes progress and the final table to
    /// <paramref name="output"/>.</summary>
    public static IReadOnlyList<StepResult> Run(Dataset train, Dataset test, ChainOptions options, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        if (options.Quick)
        {
            // Checks the machinery, not the accuracy: a sliver of the data, one epoch a phase, two members.
            train = train.Take(1024);
            test = test.Take(512);
        }

        var run = new ChainRun(options, test, output);
        var results = new List<StepResult>();

        // Model 10.
        var clock = Stopwatch.StartNew();
        Model augmented = run.Train("model10", options.Seed, [new(1e-3, 10, 128, Augmented: true)], train, pseudo: null);
        results.Add(run.Result("Model 10: data augmentation", 0.9927, new Ensemble(augmented), clock.Elapsed.TotalSeconds));

        // Model 11, then its siblings for model 12.
        clock.Restart();
        var members = new List<Model> { run.Train("member0", options.Seed + 1, Annealing, train, pseudo: null) };
        results.Add(run.Result("Model 11: training annealing", 0.9939, new Ensemble(members), clock.Elapsed.TotalSeconds));
        clock.Restart();
        int count = options.Quick ? Math.Min(options.Members, 2) : options.Members;
        for (int m = 1; m < count; m++)
        {
            members.Add(run.Train($"member{m}", options.Seed + 1 + m, Annealing, train, pseudo: null));
        }

        var ensemble = new Ensemble(members);
        results.Add(run.Result($"Model 12: averaging {count} models", 0.995, ensemble, clock.Elapsed.TotalSeconds));

        // Model 13: the ensemble's labels for the test images, a quarter of every batch.
        clock.Restart();
        Dataset pseudo = ensemble.PseudoLabel(test);
        var tuned = new List<Model>();
        for (int m = 0; m < count; m++)
        {
            tuned.Add(run.Train($"member{m}-pseudo", options.Seed + 1 + m, PseudoLabelling, train, pseudo, startFrom: members[m]));
        }

        results.Add(run.Result($"Model 13: pseudo-labels ({count} models)", 0.9958, new Ensemble(tuned), clock.Elapsed.TotalSeconds));
        output.WriteLine();
        output.WriteLine(Table(results));
        return results;
    }

    /// <summary>The results as a Markdown table beside the notebook's.</summary>
    public static string Table(IReadOnlyList<StepResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var text = new System.Text.StringBuilder();
        text.AppendLine("| Step | Notebook | ConvGen | Difference | Test loss | Training time |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (StepResult r in results)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {r.Step} | {r.NotebookAccuracy * 100:0.00} % | {r.Accuracy * 100:0.00} % | {(r.Accuracy - r.NotebookAccuracy) * 100:+0.00;-0.00} | {r.Loss:0.0000} | {TimeSpan.FromSeconds(r.Seconds):h\\:mm\\:ss} |"));
        }

        return text.ToString();
    }

    /// <summary>One Fit call of a recipe: its learning rate, epochs, batch size, and whether the images are augmented
    /// and pseudo-labelled samples mixed in.</summary>
    public sealed record Phase(double LearningRate, int Epochs, int BatchSize, bool Augmented, bool PseudoLabeled = false);

    /// <summary>A step's outcome on the test set, beside the notebook's accuracy.</summary>
    public sealed record StepResult(string Step, double NotebookAccuracy, float Accuracy, float Loss, double Seconds);

    private sealed class ChainRun(ChainOptions options, Dataset test, TextWriter output)
    {
        /// <summary>Trains a network from <paramref name="seed"/> (or on from <paramref name="startFrom"/>'s weights)
        /// through <paramref name="phases"/>, or loads it when a previous run finished it.</summary>
        public Model Train(string name, int seed, IReadOnlyList<Phase> phases, Dataset train, Dataset? pseudo, Model? startFrom = null)
        {
            var model = new BeatingVggDropout(seed) { Output = output };
            string directory = Path.Combine(options.RunDirectory, name);
            string finished = directory + ".cgw";
            if (File.Exists(finished))
            {
                model.Load(finished);
                output.WriteLine($"{name}: loaded from {finished} (trained by an earlier run)");
                return model;
            }

            if (startFrom is not null)
            {
                model.SetWeights(startFrom.GetWeights());
            }

            output.WriteLine($"{name}: {string.Join(", ", phases.Select(Describe))}");
            var optimizer = new Adam();
            int epochs = 0;
            for (int p = 0; p < phases.Count; p++)
            {
                Phase phase = phases[p];
                optimizer.LearningRate = phase.LearningRate;
                epochs += options.Quick ? 1 : phase.Epochs;

                // A backup kept after the phase ends: a run started again passes a finished phase in an instant, its
                // weights and optimizer restored, and resumes an unfinished one where it was.
                model.Fit(
                    train,
                    epochs: epochs,
                    initialEpoch: epochs - (options.Quick ? 1 : phase.Epochs),
                    batchSize: phase.BatchSize,
                    optimizer: optimizer,
                    validationData: test,
                    verbose: options.Verbose,
                    augmentation: phase.Augmented ? Augmentation : null,
                    pseudoLabeled: phase.PseudoLabeled ? pseudo : null,
                    callbacks: [new BackupAndRestore(Path.Combine(directory, $"phase{p}"), deleteCheckpoint: false, verbose: options.Verbose > 0 ? 1 : 0)]);
            }

            model.Save(finished);
            Directory.Delete(directory, recursive: true);
            return model;
        }

        public StepResult Result(string step, double notebook, Ensemble ensemble, double seconds)
        {
            (float loss, float accuracy) = ensemble.Evaluate(test);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{step}: test accuracy {accuracy * 100:0.00} % (the notebook: {notebook * 100:0.00} %), loss {loss:0.0000}, {seconds:0} s"));
            return new StepResult(step, notebook, accuracy, loss, seconds);
        }

        private static string Describe(Phase phase) => string.Create(
            CultureInfo.InvariantCulture,
            $"{phase.Epochs} × lr {phase.LearningRate:0.#######} batch {phase.BatchSize}{(phase.Augmented ? " augmented" : "")}{(phase.PseudoLabeled ? " + pseudo-labels" : "")}");
    }
}

/// <summary>How <see cref="BeatingMnistChain"/> runs.</summary>
/// <param name="Members">Networks averaged in steps 12 and 13 (the first is step 11's).</param>
/// <param name="Seed">Step 10's network's seed; member m's is Seed + 1 + m.</param>
/// <param name="RunDirectory">Where finished networks and the phases' backups are kept, so a killed run resumes.</param>
/// <param name="Quick">Check the machinery only: 1,024 training and 512 test images, one epoch a phase, two members.</param>
/// <param name="Verbose">Fit's verbosity.</param>
public sealed record ChainOptions(int Members = 6, int Seed = 1, string RunDirectory = "runs/beating-mnist", bool Quick = false, int Verbose = 2);
