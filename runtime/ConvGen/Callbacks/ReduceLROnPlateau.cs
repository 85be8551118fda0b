using System.Globalization;

namespace ConvGen;

/// <summary>
/// Multiplies the learning rate by <see cref="Factor"/> when a metric has stopped improving for
/// <see cref="Patience"/> epochs, as Keras' <c>ReduceLROnPlateau</c>.
/// </summary>
public sealed class ReduceLROnPlateau : Callback
{
    private readonly MonitoredMetric _metric;
    private double _best;
    private int _wait;
    private int _cooldownLeft;

    /// <summary>Keras' defaults: monitor <c>val_loss</c>, factor 0.1, patience 10, min delta 1e-4, no cooldown, no floor.</summary>
    public ReduceLROnPlateau(string monitor = "val_loss", double factor = 0.1, int patience = 10, string mode = "auto", double minDelta = 1e-4, int cooldown = 0, double minLearningRate = 0, int verbose = 0)
    {
        if (!(factor > 0 && factor < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "The factor must be in (0, 1).");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        ArgumentOutOfRangeException.ThrowIfNegative(cooldown);
        if (!double.IsFinite(minLearningRate) || minLearningRate < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(minLearningRate), minLearningRate, "The minimum learning rate must be a finite number, zero or more.");
        }

        _metric = new MonitoredMetric(monitor, mode, minDelta);
        Factor = factor;
        Patience = patience;
        Cooldown = cooldown;
        MinLearningRate = minLearningRate;
        Verbose = verbose;
    }

    /// <summary>The factor applied to the learning rate.</summary>
    public double Factor { get; }

    /// <summary>Epochs without improvement before a reduction.</summary>
    public int Patience { get; }

    /// <summary>Epochs to wait after a reduction before watching again.</summary>
    public int Cooldown { get; }

    /// <summary>The learning rate never goes below this.</summary>
    public double MinLearningRate { get; }

    /// <summary>1 prints every reduction.</summary>
    public int Verbose { get; }

    /// <inheritdoc/>
    internal override void CheckBeforeTraining(bool validates, string parameter) =>
        _metric.Check(validates, nameof(ReduceLROnPlateau), parameter);

    /// <inheritdoc/>
    public override void OnTrainBegin()
    {
        _best = _metric.Worst;
        _wait = 0;
        _cooldownLeft = 0;
    }

    /// <inheritdoc/>
    public override void SaveState(CallbackState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Set("best", _best);
        state.Set("wait", _wait);
        state.Set("cooldown", _cooldownLeft);
    }

    /// <inheritdoc/>
    public override void RestoreState(CallbackState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _best = state.Get("best");
        _wait = (int)state.Get("wait");
        _cooldownLeft = (int)state.Get("cooldown");
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, EpochLogs logs)
    {
        double current = _metric.Read(logs, nameof(ReduceLROnPlateau));
        if (_cooldownLeft > 0)
        {
            _cooldownLeft--;
            _wait = 0;
        }

        if (_metric.IsImprovement(current, _best))
        {
            _best = current;
            _wait = 0;
            return;
        }

        if (_cooldownLeft > 0 || ++_wait < Patience || Model?.Optimizer is not Optimizer optimizer)
        {
            return;
        }

        // As Keras: at (or below) the floor nothing happens, and neither the cooldown nor the wait restarts, so a
        // rate raised later (by a scheduler) is reduced at the next plateau epoch.
        double rate = optimizer.LearningRate;
        if (rate <= MinLearningRate)
        {
            return;
        }

        double reduced = Math.Max(rate * Factor, MinLearningRate);
        optimizer.LearningRate = reduced;
        if (Verbose > 0)
        {
            Model.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {reduced}."));
        }

        _cooldownLeft = Cooldown;
        _wait = 0;
    }
}
