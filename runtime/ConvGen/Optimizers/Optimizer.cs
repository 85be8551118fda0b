using System.Globalization;

namespace ConvGen;

/// <summary>
/// Updates a model's trainable parameters from their gradients, in one pass over the flat parameter buffer. An
/// optimizer keeps its state (moments, step count) across <see cref="Model.Fit"/> calls, and its
/// <see cref="LearningRate"/> may be changed between them — the annealing recipe of "Beating MNIST".
/// An optimizer belongs to one model: its state is sized on first use, and Fit and Compile refuse it to a second model.
/// Given a <see cref="LearningRateSchedule"/> instead of a number, it sets its rate from the schedule before every
/// update.
/// </summary>
public abstract class Optimizer
{
    private double _learningRate;

    /// <summary>An optimizer with the given learning rate.</summary>
    protected Optimizer(double learningRate)
    {
        LearningRate = learningRate;
    }

    /// <summary>An optimizer whose learning rate follows <paramref name="schedule"/> step by step, or is
    /// <paramref name="learningRate"/> when there is no schedule.</summary>
    protected Optimizer(double learningRate, LearningRateSchedule? schedule)
    {
        Schedule = schedule;
        if (schedule is null)
        {
            LearningRate = learningRate;
        }
        else
        {
            Scheduled(0);
        }
    }

    /// <summary>
    /// The step size of the next update; changeable at any time, the state is kept. With a <see cref="Schedule"/>, it is
    /// the scheduled rate times <see cref="LearningRateScale"/>, and setting it changes the scale so that the current
    /// step's rate becomes the value set: the rest of the schedule keeps its shape at that scale (how
    /// <see cref="ReduceLROnPlateau"/> and an annealing between <see cref="Model.Fit"/> calls compose with a schedule).
    /// </summary>
    public double LearningRate
    {
        get => Schedule is null ? _learningRate : LearningRateScale * Scheduled(Iterations);
        set
        {
            if (!double.IsFinite(value) || value < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The learning rate must be a finite number, zero or more.");
            }

            if (Schedule is not null)
            {
                double scheduled = Schedule.Rate(Iterations);
                if (scheduled > 0)
                {
                    LearningRateScale = value / scheduled;
                }
                else if (value != 0)
                {
                    throw new InvalidOperationException(string.Create(
                        CultureInfo.InvariantCulture,
                        $"The learning-rate schedule {Schedule} is 0 at step {Iterations}, so a rate of {value} cannot be set as a scale of it; set it at a step where the schedule is positive."));
                }

                return;
            }

            _learningRate = value;
        }
    }

    /// <summary>The schedule the learning rate follows step by step; null for a rate that changes only when set.</summary>
    public LearningRateSchedule? Schedule { get; }

    /// <summary>The factor applied to every rate of the <see cref="Schedule"/>: 1 until <see cref="LearningRate"/> is
    /// set, then the ratio of the rate set to the rate scheduled at that step.</summary>
    public double LearningRateScale { get; private set; } = 1;

    /// <summary>The model whose <see cref="Model.Fit"/> or <see cref="Model.Compile"/> adopted this optimizer; another
    /// model may not use it.</summary>
    internal Model? Owner { get; set; }

    /// <summary>The learning rate of the update being applied (<see cref="LearningRate"/> when it began): what
    /// <see cref="Update"/> uses.</summary>
    protected double StepLearningRate { get; private set; }

    /// <summary>Number of updates applied so far (Keras' <c>optimizer.iterations</c>).</summary>
    public long Iterations { get; private set; }

    /// <summary>Number of parameters the state was sized for; 0 before the first update.</summary>
    public int Length { get; private set; }

    /// <summary>Applies one update: <paramref name="parameters"/> move against <paramref name="gradients"/>.</summary>
    public void Apply(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        long step = BeginStep(parameters.Length, gradients.Length);
        Update(parameters, gradients, 0, step);
    }

    /// <summary>
    /// Starts update number <see cref="Iterations"/> + 1 of <paramref name="length"/> parameters and returns its step
    /// number; the update itself may then be applied in ranges (<see cref="UpdateRange"/>), by several threads at once,
    /// since every rule is element-wise.
    /// </summary>
    internal long BeginStep(int length, int gradients)
    {
        if (length != gradients)
        {
            throw new ArgumentException($"{length} parameters but {gradients} gradients.", nameof(gradients));
        }

        if (Length == 0)
        {
            Build(length);
            Length = length;
        }
        else if (Length != length)
        {
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"This {GetType().Name} holds state for {Length} parameters and cannot update {length}; use one optimizer per model."));
        }

        StepLearningRate = LearningRate;
        return ++Iterations;
    }

    // The schedule's rate at a step, checked: a schedule of the user's own may return anything.
    private double Scheduled(long step)
    {
        double rate = Schedule!.Rate(step);
        if (!double.IsFinite(rate) || rate < 0)
        {
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"The learning-rate schedule {Schedule} gave {rate} at step {step}; a learning rate must be a finite number, zero or more."));
        }

        return rate;
    }

    /// <summary>Applies step <paramref name="step"/> to parameters <paramref name="offset"/> ... offset + length - 1.</summary>
    internal void UpdateRange(Span<float> parameters, ReadOnlySpan<float> gradients, int offset, long step) =>
        Update(parameters, gradients, offset, step);

    /// <summary>The part of a state array that goes with parameters <paramref name="offset"/> ... + length - 1; empty
    /// for state the rule does not use.</summary>
    protected static Span<float> State(float[] state, int offset, int length) =>
        state.Length == 0 ? default : state.AsSpan(offset, length);

    /// <summary>
    /// The rule's per-parameter state (moments, velocities), each array as long as the parameters or empty when the
    /// rule's options do not use it, in a fixed order: what <see cref="BackupAndRestore"/> saves so that a resumed
    /// run continues exactly. Empty for a rule without state. A derived optimizer with state lists its arrays here.
    /// </summary>
    protected virtual IReadOnlyList<float[]> StateArrays => [];

    /// <summary>The state <see cref="BackupAndRestore"/> saves: step count, rate (or scale of the schedule), arrays.</summary>
    internal OptimizerState CaptureState() => new(GetType().Name, Iterations, Length, Schedule is null ? _learningRate : LearningRateScale, [.. StateArrays.Select(a => a.ToArray())]);

    /// <summary>Puts back state captured by <see cref="CaptureState"/> from an optimizer of the same kind; checks
    /// everything before changing anything.</summary>
    internal void RestoreState(OptimizerState state, string source)
    {
        if (state.Kind != GetType().Name)
        {
            throw new InvalidDataException($"{source} holds the state of a {state.Kind} optimizer; this training uses {GetType().Name}.");
        }

        if (Length != 0 && state.Length != 0 && Length != state.Length)
        {
            throw new InvalidDataException($"{source} holds optimizer state for {state.Length} parameters; this optimizer already holds state for {Length}.");
        }

        if (state.Length != 0 && Length == 0)
        {
            Build(state.Length);
            Length = state.Length;
        }

        IReadOnlyList<float[]> arrays = StateArrays;
        if (arrays.Count != state.Arrays.Count || arrays.Where((a, i) => a.Length != state.Arrays[i].Length).Any())
        {
            throw new InvalidDataException($"{source} holds {GetType().Name} state arrays of lengths [{string.Join(", ", state.Arrays.Select(a => a.Length))}]; this {GetType().Name} (its options as given now) keeps [{string.Join(", ", arrays.Select(a => a.Length))}].");
        }

        for (int i = 0; i < arrays.Count; i++)
        {
            state.Arrays[i].CopyTo(arrays[i], 0);
        }

        Iterations = state.Iterations;
        if (Schedule is null)
        {
            _learningRate = state.RateOrScale;
        }
        else
        {
            LearningRateScale = state.RateOrScale;
        }
    }

    /// <summary>Allocates the per-parameter state for <paramref name="length"/> parameters.</summary>
    protected abstract void Build(int length);

    /// <summary>Applies update number <paramref name="step"/> (1 for the first) to the parameters starting at
    /// <paramref name="offset"/> of the buffer (whose state starts at the same offset).</summary>
    protected abstract void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int offset, long step);
}

/// <summary>An optimizer's state as a backup holds it: its kind, step count, parameter count, learning rate (or the
/// scale of its schedule) and its per-parameter arrays.</summary>
internal sealed record OptimizerState(string Kind, long Iterations, int Length, double RateOrScale, IReadOnlyList<float[]> Arrays);
