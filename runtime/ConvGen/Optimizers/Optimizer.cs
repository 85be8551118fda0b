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
        if (parameters.Length != gradients.Length)
        {
            throw new ArgumentException($"{parameters.Length} parameters but {gradients.Length} gradients.", nameof(gradients));
        }

        if (Length == 0)
        {
            Build(parameters.Length);
            Length = parameters.Length;
        }
        else if (Length != parameters.Length)
        {
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"This {GetType().Name} holds state for {Length} parameters and cannot update {parameters.Length}; use one optimizer per model."));
        }

        Iterations++;
        Update(parameters, gradients, Iterations);
    }

    /// <summary>Allocates the per-parameter state for <paramref name="length"/> parameters.</summary>
    protected abstract void Build(int length);

    /// <summary>Applies update number <paramref name="step"/> (1 for the first).</summary>
    protected abstract void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long step);
}
