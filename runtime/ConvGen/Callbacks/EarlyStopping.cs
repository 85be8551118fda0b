using System.Globalization;

namespace ConvGen;

/// <summary>
/// Stops training when a monitored metric has stopped improving, as Keras 3's <c>EarlyStopping</c>: after
/// <see cref="Patience"/> epochs without an improvement larger than <see cref="MinDelta"/>. With
/// <see cref="RestoreBestWeights"/> the model ends with the weights of its best epoch.
/// </summary>
/// <remarks>
/// Each epoch (from <see cref="StartFromEpoch"/> on) counts one more epoch of waiting. An improvement on the best value
/// so far records it and ends the epoch's check; the wait restarts only when the value also beats
/// <see cref="Baseline"/> (when there is one). Otherwise, once the wait reaches <see cref="Patience"/> (and the epoch
/// is not the first), training stops after the epoch.
/// </remarks>
public sealed class EarlyStopping : Callback
{
    private readonly MonitoredMetric _metric;
    private float[][]? _bestWeights;
    private int _wait;

    /// <summary>Keras' defaults: monitor <c>val_loss</c>, no minimum delta, patience 0, mode <c>auto</c>.</summary>
    /// <param name="monitor"><c>loss</c>, <c>accuracy</c>, <c>val_loss</c> or <c>val_accuracy</c>.</param>
    /// <param name="minDelta">Smallest change that counts as an improvement (its sign is ignored).</param>
    /// <param name="patience">Epochs without improvement after which training stops.</param>
    /// <param name="mode"><c>min</c>, <c>max</c>, or <c>auto</c> (max for accuracies, min for losses).</param>
    /// <param name="baseline">The wait only restarts when the metric beats this; so training stops after
    /// <paramref name="patience"/> epochs unless the metric gets better than the baseline.</param>
    /// <param name="restoreBestWeights">Whether to restore the weights of the best epoch when training ends (whether
    /// it was stopped early or not, as Keras 3).</param>
    /// <param name="verbose">1 prints the epoch at which training stopped and the restored epoch.</param>
    /// <param name="startFromEpoch">Epochs of warm-up during which the metric is not watched.</param>
    public EarlyStopping(string monitor = "val_loss", double minDelta = 0, int patience = 0, string mode = "auto", double? baseline = null, bool restoreBestWeights = false, int verbose = 0, int startFromEpoch = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        ArgumentOutOfRangeException.ThrowIfNegative(startFromEpoch);
        if (baseline is double value && !double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(baseline), value, "The baseline must be a finite number.");
        }

        _metric = new MonitoredMetric(monitor, mode, minDelta);
        Patience = patience;
        Baseline = baseline;
        RestoreBestWeights = restoreBestWeights;
        Verbose = verbose;
        StartFromEpoch = startFromEpoch;
        Best = _metric.Worst;
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

    /// <summary>Epochs (from 0) before which the metric is not watched.</summary>
    public int StartFromEpoch { get; }

    /// <summary>The best value seen in the last training.</summary>
    public double Best { get; private set; }

    /// <summary>The epoch (from 0) with the best value.</summary>
    public int BestEpoch { get; private set; }

    /// <summary>The epoch (from 0) at which training was stopped, or -1 when it ran to the end.</summary>
    public int StoppedEpoch { get; private set; } = -1;

    /// <inheritdoc/>
    internal override void CheckBeforeTraining(bool validates, string parameter) =>
        _metric.Check(validates, nameof(EarlyStopping), parameter);

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
    public override void SaveState(CallbackState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Set("wait", _wait);
        state.Set("best", Best);
        state.Set("bestEpoch", BestEpoch);
        state.Set("stoppedEpoch", StoppedEpoch);
        if (_bestWeights is not null)
        {
            // One array per weight, each under its index.
            for (int i = 0; i < _bestWeights.Length; i++)
            {
                state.Set("bestWeights/" + i.ToString(CultureInfo.InvariantCulture), _bestWeights[i]);
            }
        }
    }

    /// <inheritdoc/>
    public override void RestoreState(CallbackState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _wait = (int)state.Get("wait");
        Best = state.Get("best");
        BestEpoch = (int)state.Get("bestEpoch");
        StoppedEpoch = (int)state.Get("stoppedEpoch");
        float[][] best = state.Arrays.Keys.Where(k => k.StartsWith("bestWeights/", StringComparison.Ordinal))
            .OrderBy(k => int.Parse(k["bestWeights/".Length..], CultureInfo.InvariantCulture))
            .Select(k => state.Arrays[k])
            .ToArray();
        _bestWeights = best.Length > 0 ? best : null;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, EpochLogs logs)
    {
        double current = _metric.Read(logs, nameof(EarlyStopping));
        if (epoch < StartFromEpoch)
        {
            return;
        }

        if (RestoreBestWeights && _bestWeights is null)
        {
            // Until something improves, the first watched epoch's weights are the best.
            _bestWeights = Model?.GetWeights();
            BestEpoch = epoch;
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

            // The wait restarts only when the value beats both the previous best and the baseline.
            if (Baseline is not double baseline || _metric.IsImprovement(current, baseline))
            {
                _wait = 0;
            }

            return;
        }

        if (_wait >= Patience && epoch > 0 && Model is not null)
        {
            StoppedEpoch = epoch;
            Model.StopTraining = true;
        }
    }

    /// <inheritdoc/>
    public override void OnTrainEnd(History history)
    {
        if (Model is null)
        {
            return;
        }

        if (StoppedEpoch > 0 && Verbose > 0)
        {
            Model.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Epoch {StoppedEpoch + 1}: early stopping"));
        }

        if (RestoreBestWeights && _bestWeights is not null)
        {
            if (Verbose > 0)
            {
                Model.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Restoring model weights from the end of the best epoch: {BestEpoch + 1}."));
            }

            Model.SetWeights(_bestWeights);
        }
    }
}
