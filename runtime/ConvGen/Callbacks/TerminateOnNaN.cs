using System.Globalization;

namespace ConvGen;

/// <summary>
/// Stops training at the first batch whose loss is NaN or infinite, as Keras' <c>TerminateOnNaN</c>: it prints
/// <c>Batch 3: Invalid loss, terminating training</c> to <see cref="Model.Output"/> and sets
/// <see cref="Model.StopTraining"/>, so <see cref="Model.Fit"/> ends after that batch (the epoch so far is logged, its
/// loss NaN or infinite, in the output and the <see cref="History"/>). Once the loss is not finite the weights are
/// not either, and every later step would only keep them so.
/// </summary>
public sealed class TerminateOnNaN : Callback
{
    private int _epoch;

    /// <summary>Whether the last training was stopped by an invalid loss.</summary>
    public bool Terminated => StoppedBatch is not null;

    /// <summary>The epoch (from 0) in which the last training was stopped, or null when it was not.</summary>
    public int? StoppedEpoch { get; private set; }

    /// <summary>The batch (from 0, within <see cref="StoppedEpoch"/>) whose loss was invalid, or null.</summary>
    public int? StoppedBatch { get; private set; }

    /// <summary>The invalid loss (NaN or an infinity), or null.</summary>
    public float? InvalidLoss { get; private set; }

    /// <inheritdoc/>
    public override void OnTrainBegin()
    {
        StoppedEpoch = null;
        StoppedBatch = null;
        InvalidLoss = null;
    }

    /// <inheritdoc/>
    public override void OnEpochBegin(int epoch) => _epoch = epoch;

    /// <inheritdoc/>
    public override void OnBatchEnd(int batch, float loss, float accuracy)
    {
        if (float.IsFinite(loss) || Terminated)
        {
            return;
        }

        Model model = Model ?? throw new InvalidOperationException("TerminateOnNaN runs only inside Model.Fit.");
        StoppedEpoch = _epoch;
        StoppedBatch = batch;
        InvalidLoss = loss;
        model.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Batch {batch}: Invalid loss, terminating training"));
        model.StopTraining = true;
    }
}
