using System.Globalization;
using ConvGen.Engines;
using ConvGen.Persistence;

namespace ConvGen;

public abstract partial class Model
{
    /// <summary>A snapshot of everything a <see cref="Fit"/> at <paramref name="position"/> needs to resume exactly.</summary>
    private TrainingBackup Backup(FitPosition position, List<Callback> hooks, History history, int batchSize, int trainSamples)
    {
        var states = new List<(string, CallbackState)>(hooks.Count);
        foreach (Callback hook in hooks)
        {
            var state = new CallbackState();
            hook.SaveState(state);
            states.Add((hook.GetType().FullName ?? hook.GetType().Name, state));
        }

        return new TrainingBackup(
            Name,
            Description.Signature,
            Seed,
            batchSize,
            trainSamples,
            position.Epoch,
            position.Step,
            position.Running,
            position.Seen,
            StopTraining,
            _stepsTrained,
            _epochsTrained,
            Buffers.Parameters.Span.ToArray(),
            Buffers.State.Span.ToArray(),
            _optimizer!.CaptureState(),
            states,
            [.. history.Epochs]);
    }

    /// <summary>
    /// Puts the model, its optimizer and the callbacks back as <paramref name="saved"/> holds them and returns where the
    /// <see cref="Fit"/> resumes. Everything is checked against this training first; a backup of another model, seed,
    /// batch size, training set or optimizer is refused with the reason, and the model is left as it was.
    /// </summary>
    private FitPosition Resume(TrainingBackup saved, BackupAndRestore backup, List<Callback> hooks, History history, int batchSize, int trainSamples)
    {
        string source = $"The backup '{Path.GetFullPath(backup.BackupPath)}'";
        string? mismatch =
            saved.Signature != Description.Signature ? $"was made by model '{saved.ModelName}' of another architecture than '{Name}'"
            : saved.Seed != Seed ? $"was made with seed {saved.Seed}; this model's seed is {Seed}"
            : saved.BatchSize != batchSize ? $"was made with batch size {saved.BatchSize}; this Fit uses {batchSize}"
            : saved.TrainSamples != trainSamples ? $"was made training on {saved.TrainSamples} samples; this Fit trains on {trainSamples}"
            : saved.Parameters.Length != Buffers.Parameters.Length || saved.State.Length != Buffers.State.Length ? "holds weights of another size"
            : saved.Callbacks.Count != hooks.Count || saved.Callbacks.Where((c, i) => c.Kind != (hooks[i].GetType().FullName ?? hooks[i].GetType().Name)).Any()
                ? $"was made with the callbacks [{string.Join(", ", saved.Callbacks.Select(c => c.Kind))}]; this Fit has [{string.Join(", ", hooks.Select(h => h.GetType().FullName))}]"
            : null;
        if (mismatch is not null)
        {
            throw new InvalidOperationException($"{source} {mismatch}. Resume with the arguments it was made with, or delete it to start over.");
        }

        _optimizer!.RestoreState(saved.Optimizer, source);
        saved.Parameters.CopyTo(Buffers.Parameters.Span);
        saved.State.CopyTo(Buffers.State.Span);
        _stepsTrained = saved.StepsTrained;
        _epochsTrained = saved.EpochsTrained;
        StopTraining = saved.StopTraining;
        for (int i = 0; i < hooks.Count; i++)
        {
            hooks[i].RestoreState(saved.Callbacks[i].State);
        }

        foreach (EpochLogs epoch in saved.History)
        {
            history.Add(epoch);
        }

        backup.Announce(Output, saved);
        return new FitPosition(saved.Epoch, saved.Step, saved.Running, saved.Seen);
    }

    /// <summary>Where a <see cref="Fit"/> stands: the next step to run (<paramref name="Step"/> of epoch
    /// <paramref name="Epoch"/>) and the epoch's running metrics over the <paramref name="Seen"/> samples before it.</summary>
    private readonly record struct FitPosition(int Epoch, int Step, BatchMetrics Running, int Seen);
}
