using System.Globalization;

namespace ConvGen;

/// <summary>
/// Updates a model's trainable parameters from their gradients, in one pass over the flat parameter buffer. An
/// optimizer keeps its state (moments, step count) across <see cref="Model.Fit"/> calls, and its
/// <see cref="LearningRate"/> may be changed between them — the annealing recipe of "Beating MNIST".
/// An optimizer belongs to one model: its state is sized on first use, and Fit and Compile refuse it to a second model.
/// </summary>
public abstract class Optimizer
{
    private double _learningRate;

    /// <summary>An optimizer with the given learning rate.</summary>
    protected Optimizer(double learningRate)
    {
        LearningRate = learningRate;
    }

    /// <summary>The step size; changeable at any time, the state is kept.</summary>
    public double LearningRate
    {
        get => _learningRate;
        set
        {
            if (!double.IsFinite(value) || value < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The learning rate must be a finite number, zero or more.");
            }

            _learningRate = value;
        }
    }

    /// <summary>The model whose <see cref="Model.Fit"/> or <see cref="Model.Compile"/> adopted this optimizer; another
    /// model may not use it.</summary>
    internal Model? Owner { get; set; }

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

        return ++Iterations;
    }

    /// <summary>Applies step <paramref name="step"/> to parameters <paramref name="offset"/> ... offset + length - 1.</summary>
    internal void UpdateRange(Span<float> parameters, ReadOnlySpan<float> gradients, int offset, long step) =>
        Update(parameters, gradients, offset, step);

    /// <summary>The part of a state array that goes with parameters <paramref name="offset"/> ... + length - 1; empty
    /// for state the rule does not use.</summary>
    protected static Span<float> State(float[] state, int offset, int length) =>
        state.Length == 0 ? default : state.AsSpan(offset, length);

    /// <summary>Allocates the per-parameter state for <paramref name="length"/> parameters.</summary>
    protected abstract void Build(int length);

    /// <summary>Applies update number <paramref name="step"/> (1 for the first) to the parameters starting at
    /// <paramref name="offset"/> of the buffer (whose state starts at the same offset).</summary>
    protected abstract void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int offset, long step);
}
