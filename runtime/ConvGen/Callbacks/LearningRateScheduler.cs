using System.Globalization;

namespace ConvGen;

/// <summary>
/// Sets the learning rate at the start of every epoch from a schedule, as Keras' <c>LearningRateScheduler</c>:
/// <c>schedule(epoch, currentRate)</c> returns the rate for <c>epoch</c> (counted from 0).
/// </summary>
public sealed class LearningRateScheduler : Callback
{
    private readonly Func<int, double, double> _schedule;

    /// <summary>A scheduler calling <paramref name="schedule"/>(epoch, current rate).</summary>
    public LearningRateScheduler(Func<int, double, double> schedule, int verbose = 0)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        _schedule = schedule;
        Verbose = verbose;
    }

    /// <summary>A scheduler calling <paramref name="schedule"/>(epoch).</summary>
    public LearningRateScheduler(Func<int, double> schedule, int verbose = 0)
        : this((epoch, _) => schedule(epoch), verbose)
    {
        ArgumentNullException.ThrowIfNull(schedule);
    }

    /// <summary>1 prints every change.</summary>
    public int Verbose { get; }

    /// <inheritdoc/>
    public override void OnEpochBegin(int epoch)
    {
        Optimizer optimizer = Model?.Optimizer ?? throw new InvalidOperationException("LearningRateScheduler runs only inside Model.Fit.");
        double rate = _schedule(epoch, optimizer.LearningRate);
        optimizer.LearningRate = rate;
        if (Verbose > 0)
        {
            Model.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {rate}."));
        }
    }
}
