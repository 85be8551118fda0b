namespace ConvGen;

/// <summary>The record <see cref="Model.Fit"/> returns: one entry per epoch trained (Keras' <c>history.history</c>).</summary>
public sealed class History
{
    private readonly List<EpochLogs> _epochs = [];
    private readonly List<float> _loss = [];
    private readonly List<float> _accuracy = [];
    private readonly List<float> _valLoss = [];
    private readonly List<float> _valAccuracy = [];
    private readonly List<double> _seconds = [];
    private readonly List<double> _learningRate = [];

    /// <summary>Mean training loss of each epoch.</summary>
    public IReadOnlyList<float> Loss => _loss;

    /// <summary>Training accuracy of each epoch (with dropout active, as Keras reports it).</summary>
    public IReadOnlyList<float> Accuracy => _accuracy;

    /// <summary>Validation loss of each epoch; empty without validation data.</summary>
    public IReadOnlyList<float> ValLoss => _valLoss;

    /// <summary>Validation accuracy of each epoch; empty without validation data.</summary>
    public IReadOnlyList<float> ValAccuracy => _valAccuracy;

    /// <summary>Wall-clock seconds of each epoch, validation included.</summary>
    public IReadOnlyList<double> EpochSeconds => _seconds;

    /// <summary>The learning rate each epoch trained with.</summary>
    public IReadOnlyList<double> LearningRate => _learningRate;

    /// <summary>Every epoch's logs.</summary>
    public IReadOnlyList<EpochLogs> Epochs => _epochs;

    /// <summary>Number of epochs recorded.</summary>
    public int Count => _epochs.Count;

    /// <summary>A metric's values by Keras' name (<c>history.history['val_loss']</c>).</summary>
    public IReadOnlyList<float> this[string metric] => metric switch
    {
        "loss" => Loss,
        "accuracy" or "acc" => Accuracy,
        "val_loss" => ValLoss,
        "val_accuracy" or "val_acc" => ValAccuracy,
        _ => throw new ArgumentException($"Unknown metric '{metric}'; use loss, accuracy, val_loss or val_accuracy.", nameof(metric)),
    };

    internal void Add(EpochLogs logs)
    {
        _epochs.Add(logs);
        _loss.Add(logs.Loss);
        _accuracy.Add(logs.Accuracy);
        if (logs.ValLoss is float valLoss && logs.ValAccuracy is float valAccuracy)
        {
            _valLoss.Add(valLoss);
            _valAccuracy.Add(valAccuracy);
        }

        _seconds.Add(logs.Seconds);
        _learningRate.Add(logs.LearningRate);
    }
}
