namespace ConvGen;

/// <summary>What one epoch yielded, as Keras' <c>logs</c>: epoch index (from 0), mean training loss and accuracy, the
/// validation metrics when there is validation data, the learning rate used and the epoch's wall-clock seconds.</summary>
public sealed record EpochLogs(int Epoch, float Loss, float Accuracy, float? ValLoss, float? ValAccuracy, double LearningRate, double Seconds)
{
    /// <summary>A metric by Keras' name: <c>loss</c>, <c>accuracy</c>, <c>val_loss</c> or <c>val_accuracy</c>; null when the
    /// epoch has no such metric (no validation data).</summary>
    public float? Get(string metric) => metric switch
    {
        "loss" => Loss,
        "accuracy" or "acc" => Accuracy,
        "val_loss" => ValLoss,
        "val_accuracy" or "val_acc" => ValAccuracy,
        _ => throw new ArgumentException($"Unknown metric '{metric}'; use loss, accuracy, val_loss or val_accuracy.", nameof(metric)),
    };
}
