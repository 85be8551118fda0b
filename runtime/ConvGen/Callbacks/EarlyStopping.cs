using System.Globalization;

namespace ConvGen;

/// <summary>
/// Stops training when a monitored metric has stopped improving, as Keras' <c>EarlyStopping</c>: after
/// <see cref="Patience"/> epochs without an improvement larger than <see cref="MinDelta"/>. With
/// <see cref="RestoreBestWeights"/> the model ends with the weights of its best epoch.
/// </summary>
public sealed class EarlyStopping : Callback
{
    private readonly MonitoredMetric _metric;
    private float[][]? _bestWeights;
    private int _wait;

    /// <summary>Keras' defaults: monitor <c>val_loss</c>, no minimum delta, patience 0, mode <c>auto</c>.</summary>
    /// <param name="monitor"><c>loss</c>, <c>accuracy</c>, <c>val_loss</c> or <c>val_accuracy</c>.</param>
    /// <param name="minDelta">Smallest change that counts as an improvement.</param>
    /// <param name="patience">Epochs without improvement after which training stops.</param>
    /// <param name="mode"><c>min</c>, <c>max</c>, or <c>auto</c> (max for accuracies, min otherwise).</param>
    /// <param name="baseline">Training stops unless the metric beats this within <paramref name="patience"/> epochs.</param>
    /// <param name="restoreBestWeights">Whether to restore the weights of the best epoch when training ends.</param>
    /// <param name="verbose">1 prints the epoch at which training stopped.</param>
    public EarlyStopping(string monitor = "val_loss", double minDelta = 0, int patience = 0, string mode = "auto", double? baseline = null, bool restoreBestWeights = false, int verbose = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        _metric = new MonitoredMetric(monitor, mode, minDelta);
        Patience = patience;
        Baseline = baseline;
        RestoreBestWeights = restoreBestWeights;
        Verbose = verbose;
    }

    /// <summary>The monitored metric.</summary>
    public string Monitor => _metric.Monitor;

    /// <summary>Smallest change that counts as an improvement.</summary>
    public double MinDelta => _metric.MinDelta;

    /// <summary>Epochs without improvement after which training stops.</summary>
    public int Patience { get; }

    /// <summary>Value the metric must beat, if any.</summary>
    public double? Baseline { get; }

    /// <summary>Whether the best epoch's weights are restored at the end.</summary>
    public bool RestoreBestWeights { get; }

    /// <summary>1 to print when training stops.</summary>
    public int Verbose { get; }

    /// <summary>The best value seen.</summary>
    public double Best { get; private set; }

    /// <summary>The epoch (from 0) with the best value.</summary>
    public int BestEpoch { get; private set; }

    /// <summary>The epoch (from 0) at which training was stopped, or -1 when it ran to the end.</summary>
    public int StoppedEpoch { get; private set; } = -1;

    /// <inheritdoc/>
    public override void OnTrainBegin()
    {
        _wait = 0;
        _bestWeights = null;
        StoppedEpoch = -1;
        BestEpoch = 0;
        Best = _metric.Worst;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, EpochLogs logs)
    {
        double current = _metric.Read(logs, nameof(EarlyStopping));
        if (RestoreBestWeights && _bestWeights is null)
        {
            _bestWeights = Model?.GetWeights();
        }

        _wait++;
        if (_metric.IsImprovement(current, Best))
        {
            Best = current;
            BestEpoch = epoch;
            if (RestoreBestWeights)
            {
                _bestWeights = Model?.GetWeights();
            }

            if (Baseline is not double baseline || _metric.IsImprovement(current, baseline))
            {
                _wait = 0;
                return;
            }
        }

        if (_wait >= Patience && Model is not null)
        {
            StoppedEpoch = epoch;
            Model.StopTraining = true;
        }
    }

    /// <inheritdoc/>
    public override void OnTrainEnd(History history)
    {
        if (RestoreBestWeights && _bestWeights is not null && Model is not null)
        {
            Model.SetWeights(_bestWeights);
        }

        if (StoppedEpoch >= 0 && Verbose > 0 && Model is not null)
        {
            Model.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Epoch {StoppedEpoch + 1}: early stopping"));
        }
    }
}
