using System.Numerics;
using System.Runtime.CompilerServices;

namespace ConvGen;

/// <summary>
/// RMSprop, as Keras computes it: <c>s = ρ s + (1 - ρ) g²</c> (centered: also <c>a = ρ a + (1 - ρ) g</c> and
/// <c>s - a²</c> below), <c>Δ = lr · g / sqrt(s + ε)</c>; with momentum <c>m = momentum · m + Δ</c>, <c>w -= m</c>,
/// else <c>w -= Δ</c>.
/// </summary>
public sealed class RmsProp : Optimizer
{
    private float[] _meanSquare = [];
    private float[] _meanGradient = [];
    private float[] _momentum = [];

    /// <summary>Keras' defaults: learning rate 1e-3, ρ 0.9, no momentum, ε 1e-7, not centered.</summary>
    public RmsProp(double learningRate = 0.001, double rho = 0.9, double momentum = 0.0, double epsilon = 1e-7, bool centered = false)
        : this(learningRate, null, rho, momentum, epsilon, centered)
    {
    }

    /// <summary>RMSprop whose learning rate follows <paramref name="learningRate"/> step by step (Keras'
    /// <c>RMSprop(learning_rate=schedule)</c>).</summary>
    public RmsProp(LearningRateSchedule learningRate, double rho = 0.9, double momentum = 0.0, double epsilon = 1e-7, bool centered = false)
        : this(0, learningRate ?? throw new ArgumentNullException(nameof(learningRate)), rho, momentum, epsilon, centered)
    {
    }

    private RmsProp(double learningRate, LearningRateSchedule? schedule, double rho, double momentum, double epsilon, bool centered)
        : base(learningRate, schedule)
    {
        if (!(rho >= 0 && rho < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(rho), rho, "rho must be in [0, 1).");
        }

        if (!(momentum >= 0 && momentum < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must be in [0, 1).");
        }

        if (!(epsilon > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be positive.");
        }

        Rho = rho;
        Momentum = momentum;
        Epsilon = epsilon;
        Centered = centered;
    }

    /// <summary>Decay of the moving mean square.</summary>
    public double Rho { get; }

    /// <summary>Momentum factor; 0 for none.</summary>
    public double Momentum { get; }

    /// <summary>Added to the mean square before the square root.</summary>
    public double Epsilon { get; }

    /// <summary>Whether to divide by the estimated variance rather than the mean square.</summary>
    public bool Centered { get; }

    /// <inheritdoc/>
    protected override IReadOnlyList<float[]> StateArrays => [_meanSquare, _meanGradient, _momentum];

    /// <inheritdoc/>
    protected override void Build(int length)
    {
        _meanSquare = new float[length];
        _meanGradient = Centered ? new float[length] : [];
        _momentum = Momentum > 0 ? new float[length] : [];
    }

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int offset, long step)
    {
        var rule = new Rule(
            new Vector<float>((float)StepLearningRate),
            new Vector<float>((float)Rho),
            new Vector<float>((float)(1 - Rho)),
            new Vector<float>((float)Momentum),
            new Vector<float>((float)Epsilon),
            Centered,
            Momentum > 0);
        ElementwiseUpdate.Run(rule, parameters, gradients, State(_meanSquare, offset, parameters.Length), State(_meanGradient, offset, parameters.Length), State(_momentum, offset, parameters.Length));
    }

    private readonly struct Rule(Vector<float> rate, Vector<float> rho, Vector<float> oneMinusRho, Vector<float> momentum, Vector<float> epsilon, bool centered, bool hasMomentum) : IUpdateRule
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(ref Vector<float> parameter, Vector<float> gradient, ref Vector<float> meanSquare, ref Vector<float> meanGradient, ref Vector<float> velocity)
        {
            // Each state read once and written once, flushed of values too small to matter (see Subnormal).
            Vector<float> g = Subnormal.FlushGradient(gradient);
            Vector<float> square = (rho * Subnormal.Flush(meanSquare)) + (oneMinusRho * g * g);
            meanSquare = square;
            if (centered)
            {
                Vector<float> mean = (rho * Subnormal.Flush(meanGradient)) + (oneMinusRho * g);
                meanGradient = mean;
                square -= mean * mean;
            }

            Vector<float> increment = rate * g / Vector.SquareRoot(square + epsilon);
            if (hasMomentum)
            {
                Vector<float> moving = (momentum * Subnormal.Flush(velocity)) + increment;
                velocity = moving;
                parameter -= moving;
            }
            else
            {
                parameter -= increment;
            }
        }
    }
}
