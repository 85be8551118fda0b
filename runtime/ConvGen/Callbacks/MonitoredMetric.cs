namespace ConvGen;

/// <summary>A metric a callback watches (<c>val_loss</c>, <c>accuracy</c>, ...) and which direction is better.</summary>
internal sealed class MonitoredMetric
{
    public MonitoredMetric(string monitor, string mode, double minDelta)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(monitor);
        if (monitor is not ("loss" or "accuracy" or "acc" or "val_loss" or "val_accuracy" or "val_acc"))
        {
            throw new ArgumentException($"Cannot monitor '{monitor}'; use loss, accuracy, val_loss or val_accuracy.", nameof(monitor));
        }

        HigherIsBetter = mode switch
        {
            "auto" => monitor.Contains("acc", StringComparison.Ordinal),
            "max" => true,
            "min" => false,
            _ => throw new ArgumentException($"Unknown mode '{mode}'; use auto, min or max.", nameof(mode)),
        };
        Monitor = monitor;
        MinDelta = Math.Abs(minDelta);
    }

    public string Monitor { get; }

    public bool HigherIsBetter { get; }

    public double MinDelta { get; }

    /// <summary>The worst possible value, where a search for the best starts.</summary>
    public double Worst => HigherIsBetter ? double.NegativeInfinity : double.PositiveInfinity;

    /// <summary>Whether the metric needs validation data.</summary>
    public bool NeedsValidation => Monitor.StartsWith("val_", StringComparison.Ordinal);

    /// <summary>Throws, before training starts, when the metric will not be produced.</summary>
    public void Check(bool validates, string callback, string parameter)
    {
        if (NeedsValidation && !validates)
        {
            throw new ArgumentException(Missing(callback), parameter);
        }
    }

    /// <summary>The metric's value in <paramref name="logs"/>; throws when the epoch lacks it (no validation data).</summary>
    public double Read(EpochLogs logs, string callback) => logs.Get(Monitor) ?? throw new InvalidOperationException(Missing(callback));

    private string Missing(string callback) =>
        $"{callback} monitors '{Monitor}', which this training does not produce: there is no validation data. Pass validationData or validationSplit to Fit, or monitor 'loss' or 'accuracy'.";

    /// <summary>Whether <paramref name="value"/> beats <paramref name="reference"/> by more than the minimum delta.</summary>
    public bool IsImprovement(double value, double reference) =>
        HigherIsBetter ? value - MinDelta > reference : value + MinDelta < reference;
}
