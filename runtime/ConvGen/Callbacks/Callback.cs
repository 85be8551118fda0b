namespace ConvGen;

/// <summary>
/// Hooks into <see cref="Model.Fit"/>, as Keras' callbacks: override what you need. <see cref="Model"/> is the model
/// being trained; set <see cref="ConvGen.Model.StopTraining"/> to end training (after the current batch when set in
/// <see cref="OnBatchEnd"/>, after the current epoch when set in <see cref="OnEpochEnd"/>).
/// </summary>
public abstract class Callback
{
    /// <summary>The model being trained; set by <see cref="Model.Fit"/> before <see cref="OnTrainBegin"/>.</summary>
    public Model? Model { get; internal set; }

    /// <summary>Called by <see cref="Model.Fit"/> before training starts, to reject a configuration the callback cannot
    /// work with (such as monitoring <c>val_loss</c> without validation data) before any epoch is spent.</summary>
    internal virtual void CheckBeforeTraining(bool validates, string parameter)
    {
    }

    /// <summary>Called once before the first epoch.</summary>
    public virtual void OnTrainBegin()
    {
    }

    /// <summary>Called before each epoch; <paramref name="epoch"/> counts from 0.</summary>
    public virtual void OnEpochBegin(int epoch)
    {
    }

    /// <summary>Called after each batch with the epoch's running mean loss and accuracy.</summary>
    public virtual void OnBatchEnd(int batch, float loss, float accuracy)
    {
    }

    /// <summary>Called after each epoch, validation included.</summary>
    public virtual void OnEpochEnd(int epoch, EpochLogs logs)
    {
    }

    /// <summary>Called once when training ends, normally or by <see cref="ConvGen.Model.StopTraining"/>.</summary>
    public virtual void OnTrainEnd(History history)
    {
    }

    /// <summary>Writes what this callback must remember for training to resume exactly from a backup
    /// (<see cref="BackupAndRestore"/>); nothing by default. Called after the callback has seen the backup's step.</summary>
    public virtual void SaveState(CallbackState state)
    {
    }

    /// <summary>Reads back what <see cref="SaveState"/> wrote, when training resumes from a backup; called after
    /// <see cref="OnTrainBegin"/>.</summary>
    public virtual void RestoreState(CallbackState state)
    {
    }
}
