using System.Diagnostics;
using System.Globalization;
using ConvGen.Engines;
using ConvGen.Persistence;
using ConvGen.Randomness;

namespace ConvGen;

public abstract partial class Model
{
    // A stream derived from the model's seed (shuffling and augmentation draw theirs in BatchAssembler); fixed
    // constants so results never depend on anything but the seed and the sequence of calls.
    private const ulong DropoutStream = 0x4452_4F50;

    /// <summary>
    /// Trains the model, as Keras' <c>fit</c>: <paramref name="epochs"/> passes over <paramref name="x"/> in batches of
    /// <paramref name="batchSize"/>, reshuffled each epoch (seeded) unless <paramref name="shuffle"/> is false.
    /// </summary>
    /// <param name="x">The training samples and labels.</param>
    /// <param name="epochs">Index of the last epoch (exclusive), as Keras: training runs epochs
    /// <paramref name="initialEpoch"/> ... <paramref name="epochs"/> - 1.</param>
    /// <param name="batchSize">Samples per gradient step; a batch size larger than the training set trains on all of it
    /// in one step.</param>
    /// <param name="optimizer">The optimizer; when null the previous <see cref="Fit"/>'s, or a new <see cref="Adam"/>.
    /// Its state carries over between calls, so lowering <see cref="ConvGen.Optimizer.LearningRate"/> between calls
    /// anneals.</param>
    /// <param name="validationSplit">Fraction of <paramref name="x"/>, taken from its end before shuffling, held out
    /// for validation, as Keras' <c>validation_split</c>: the first floor(n · (1 - validationSplit)) samples train.</param>
    /// <param name="validationData">Validation samples; overrides <paramref name="validationSplit"/>, as Keras.</param>
    /// <param name="shuffle">Whether to reshuffle the training samples every epoch.</param>
    /// <param name="verbose">0 silent; 1 a live progress bar (one line per epoch when the output is not a terminal);
    /// 2 one line per epoch: <c>Epoch 3/15 - 12s - loss: 0.0653 - accuracy: 0.9803 - val_loss: 0.0545 - val_accuracy: 0.9858</c>.</param>
    /// <param name="callbacks">Hooks such as <see cref="EarlyStopping"/>, <see cref="LearningRateScheduler"/> and
    /// <see cref="TerminateOnNaN"/>. One that sets <see cref="StopTraining"/> in <see cref="Callback.OnBatchEnd"/> ends
    /// the epoch after that batch (validated and logged as usual) and training with it, as in Keras 3.</param>
    /// <param name="initialEpoch">Epoch to start from (for resuming), as Keras' <c>initial_epoch</c>.</param>
    /// <param name="augmentation">Random transforms of the training images (never of the validation data): each image
    /// gets its own, every epoch, drawn from the model's seed; the engine's threads augment their part of each batch.</param>
    /// <param name="pseudoLabeled">Labelled samples mixed into every batch, such as unlabelled images labelled by a
    /// model (<see cref="PseudoLabel"/>): each batch takes round(<paramref name="batchSize"/> ·
    /// <paramref name="pseudoLabeledFraction"/>) of them, cycling through them in an order reshuffled every epoch, and
    /// the rest from <paramref name="x"/>; an epoch is still one pass over <paramref name="x"/>.</param>
    /// <param name="pseudoLabeledFraction">The share of every batch taken from <paramref name="pseudoLabeled"/>, in
    /// (0, 1); 1/4 by default ("Beating MNIST" recommends 1/4 to 1/3).</param>
    /// <returns>The loss and accuracy of every epoch; a loss that became NaN or infinite is recorded as such.</returns>
    /// <exception cref="InvalidOperationException">Another thread is using the model (see <see cref="Model"/>), or this
    /// is called from inside a Fit of the same model.</exception>
    public History Fit(
        Dataset x,
        int epochs = 1,
        int batchSize = 32,
        Optimizer? optimizer = null,
        double validationSplit = 0,
        Dataset? validationData = null,
        bool shuffle = true,
        int verbose = 1,
        IEnumerable<Callback>? callbacks = null,
        int initialEpoch = 0,
        ImageAugmentation? augmentation = null,
        Dataset? pseudoLabeled = null,
        double pseudoLabeledFraction = 0.25)
    {
        CheckCompatible(x, nameof(x));
        CheckLabels(x, nameof(x));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegative(epochs);
        ArgumentOutOfRangeException.ThrowIfNegative(initialEpoch);
        CheckVerbose(verbose);

        if (!(validationSplit >= 0 && validationSplit < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(validationSplit), validationSplit, "validationSplit must be in [0, 1).");
        }

        if (augmentation is not null && Description.InputShape.IsFlat)
        {
            throw new ArgumentException($"Model '{Name}' takes flat samples {Description.InputShape}; augmentation transforms images (declare the input as [Sequential(height, width, channels)]).", nameof(augmentation));
        }

        if (pseudoLabeled is not null)
        {
            CheckCompatible(pseudoLabeled, nameof(pseudoLabeled));
            CheckLabels(pseudoLabeled, nameof(pseudoLabeled));
            if (!(pseudoLabeledFraction > 0 && pseudoLabeledFraction < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(pseudoLabeledFraction), pseudoLabeledFraction, "pseudoLabeledFraction, the share of every batch taken from pseudoLabeled, must be in (0, 1).");
            }

            if (batchSize < 2)
            {
                throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Mixing pseudo-labelled samples into every batch needs batches of 2 samples or more.");
            }
        }

        Dataset train = x;
        Dataset? validation = validationData;
        if (validation is not null)
        {
            CheckCompatible(validation, nameof(validationData));
            CheckLabels(validation, nameof(validationData));
        }
        else if (validationSplit > 0)
        {
            (train, validation) = SplitForValidation(x, validationSplit);
        }

        if (train.Count == 0)
        {
            throw new ArgumentException("There are no training samples.", nameof(x));
        }

        List<Callback> hooks = callbacks?.ToList() ?? [];
        bool validates = validation is not null && validation.Count > 0;
        for (int i = 0; i < hooks.Count; i++)
        {
            Callback hook = hooks[i] ?? throw new ArgumentException($"Callback {i} is null.", nameof(callbacks));
            hook.CheckBeforeTraining(validates, nameof(callbacks));
        }

        BackupAndRestore[] backups = hooks.OfType<BackupAndRestore>().ToArray();
        if (backups.Length > 1)
        {
            throw new ArgumentException("Fit takes one BackupAndRestore at most.", nameof(callbacks));
        }

        BackupAndRestore? backup = backups.FirstOrDefault();

        // The model is this Fit's until it returns: a Fit or a weight change on another thread is refused, and so is a
        // prediction (it would read weights halfway through a step). Nothing has changed yet if this throws.
        using Engine.Scope training = Engine.EnterTraining();

        _optimizer = Adopt(optimizer ?? _optimizer ?? new Adam(), nameof(optimizer));
        foreach (Callback hook in hooks)
        {
            hook.Model = this;
        }

        var history = new History();
        var progress = new ProgressReporter(Output, verbose, epochs);
        var batches = new BatchAssembler(train, Description.InputShape, batchSize, shuffle, augmentation, pseudoLabeled, pseudoLabeledFraction, Seed);
        int steps = batches.StepsPerEpoch;
        ulong dropoutStream = SplitMix64.Derive((ulong)(uint)Seed, DropoutStream);

        StopTraining = false;
        foreach (Callback hook in hooks)
        {
            hook.OnTrainBegin();
        }

        // Where this Fit starts: at initialEpoch, or where the backup of an interrupted run stands.
        var position = new FitPosition(initialEpoch, 0, default, 0);
        if (backup?.Read() is TrainingBackup saved)
        {
            position = Resume(saved, backup, hooks, history, batchSize, train.Count);
        }

        for (int epoch = position.Epoch; epoch < epochs && !StopTraining; epoch++)
        {
            // A backup made within an epoch resumes at its step, after the epoch's beginning was already seen.
            bool resumed = epoch == position.Epoch && position.Step > 0;
            BatchMetrics running = resumed ? position.Running : default;
            int seen = resumed ? position.Seen : 0;
            int stepsDone = resumed ? position.Step : 0;
            if (!resumed)
            {
                foreach (Callback hook in hooks)
                {
                    hook.OnEpochBegin(epoch);
                }
            }

            long started = Stopwatch.GetTimestamp();
            progress.BeginEpoch(epoch, steps);
            batches.BeginEpoch(_epochsTrained);
            for (int step = resumed ? position.Step : 0; step < steps; step++)
            {
                int count = batches.Batch(step);
                ulong dropoutSeed = SplitMix64.Derive(dropoutStream, _stepsTrained++);
                running += batches.ReadsInPlace
                    ? Engine.TrainStep(Buffers, batches.Images(count), batches.Labels(count), count, dropoutSeed, _optimizer)
                    : Engine.TrainStep(Buffers, batches.Images(count), batches.Labels(count), count, dropoutSeed, _optimizer, batches);
                seen += count;
                float loss = (float)(running.LossSum / seen);
                float accuracy = (float)running.Correct / seen;
                progress.Step(step + 1, loss, accuracy);
                stepsDone = step + 1;
                foreach (Callback hook in hooks)
                {
                    hook.OnBatchEnd(step, loss, accuracy);
                }

                if (StopTraining)
                {
                    break;
                }

                if (backup is { SaveFrequency: > 0 } && _stepsTrained % (ulong)backup.SaveFrequency == 0 && step + 1 < steps)
                {
                    backup.Write(Backup(new FitPosition(epoch, step + 1, running, seen), hooks, history, batchSize, train.Count));
                }
            }

            float? valLoss = null;
            float? valAccuracy = null;
            if (validation is { Count: > 0 })
            {
                BatchMetrics validated = EvaluateMetrics(validation, batchSize);
                valLoss = (float)(validated.LossSum / validation.Count);
                valAccuracy = (float)validated.Correct / validation.Count;
            }

            _epochsTrained++;
            double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var logs = new EpochLogs(epoch, (float)(running.LossSum / seen), (float)running.Correct / seen, valLoss, valAccuracy, _optimizer.LearningRate, seconds);
            history.Add(logs);
            progress.EndEpoch(logs, stepsDone);
            foreach (Callback hook in hooks)
            {
                hook.OnEpochEnd(epoch, logs);
            }

            // After every callback has seen the epoch, so that their states in the backup include it.
            backup?.Write(Backup(new FitPosition(epoch + 1, 0, default, 0), hooks, history, batchSize, train.Count));
        }

        foreach (Callback hook in hooks)
        {
            hook.OnTrainEnd(history);
        }

        return history;
    }

    /// <summary>Makes <paramref name="optimizer"/> the one the next <see cref="Fit"/> uses when given none (Keras' <c>compile</c>).</summary>
    public void Compile(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        _optimizer = Adopt(optimizer, nameof(optimizer));
    }

    // An optimizer's moments are per parameter of one model: refuse to let a second model share them (a second model
    // of another size would fail on the first step; one of the same size would silently train with the first's state).
    private Optimizer Adopt(Optimizer optimizer, string parameter)
    {
        if (optimizer.Owner is Model owner && !ReferenceEquals(owner, this))
        {
            throw new ArgumentException(
                $"This {optimizer.GetType().Name} already trains model '{owner.Name}' and holds state for its parameters; give each model its own optimizer.",
                parameter);
        }

        optimizer.Owner = this;
        return optimizer;
    }

    // Keras' train_validation_split: the first floor(n · (1 - split)) samples train, the rest validate.
    private static (Dataset Train, Dataset Validation) SplitForValidation(Dataset x, double validationSplit)
    {
        int splitAt = Dataset.SplitPoint(x.Count, validationSplit);
        if (splitAt <= 0 || splitAt >= x.Count)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"validationSplit = {validationSplit} of {x.Count} samples leaves {Math.Max(splitAt, 0)} to train and {x.Count - Math.Max(splitAt, 0)} to validate; both need at least one. Provide more data or another validationSplit."),
                nameof(validationSplit));
        }

        return x.Split(validationSplit);
    }
}
