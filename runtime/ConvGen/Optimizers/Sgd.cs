using System.Numerics;
using System.Runtime.CompilerServices;

namespace ConvGen;

/// <summary>
/// Stochastic gradient descent, as Keras' <c>SGD</c>: without momentum <c>w -= lr * g</c>; with momentum
/// <c>v = momentum * v - lr * g</c> then <c>w += v</c>, or with Nesterov <c>w += momentum * v - lr * g</c>.
/// </summary>
public sealed class Sgd : Optimizer
{
    private float[] _velocity = [];

    /// <summary>Keras' defaults: learning rate 0.01, no momentum; <paramref name="momentum"/> in [0, 1], as Keras.</summary>
    public Sgd(double learningRate = 0.01, double momentum = 0.0, bool nesterov = false)
        : this(learningRate, null, momentum, nesterov)
    {
    }

    /// <summary>SGD whose learning rate follows <paramref name="learningRate"/> step by step (Keras'
    /// <c>SGD(learning_rate=schedule)</c>).</summary>
    public Sgd(LearningRateSchedule learningRate, double momentum = 0.0, bool nesterov = false)
        : this(0, learningRate ?? throw new ArgumentNullException(nameof(learningRate)), momentum, nesterov)
    {
    }

    private Sgd(double learningRate, LearningRateSchedule? schedule, double momentum, bool nesterov)
        : base(learningRate, schedule)
    {
        if (!(momentum >= 0 && momentum <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must be in [0, 1].");
        }

        Momentum = momentum;
        Nesterov = nesterov;
    }

    /// <summary>The momentum factor; 0 for plain SGD.</summary>
    public double Momentum { get; }

    /// <summary>Whether the momentum is Nesterov's.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    protected override IReadOnlyList<float[]> StateArrays => [_velocity];

    /// <inheritdoc/>
    protected override void Build(int length) => _velocity = Momentum > 0 ? new float[length] : [];

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int offset, long step)
    {
        var rule = new Rule(new Vector<float>((float)StepLearningRate), new Vector<float>((float)Momentum), Momentum > 0, Nesterov);
        ElementwiseUpdate.Run(rule, parameters, gradients, State(_velocity, offset, parameters.Length), default, default);
    }

    private readonly struct Rule(Vector<float> rate, Vector<float> momentum, bool hasMomentum, bool nesterov) : IUpdateRule
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(ref Vector<float> parameter, Vector<float> gradient, ref Vector<float> velocity, ref Vector<float> unused2, ref Vector<float> unused3)
        {
            // Gradients and velocity flushed of values too small to matter (see Subnormal).
            Vector<float> g = Subnormal.FlushGradient(gradient);
            if (!hasMomentum)
            {
                parameter -= rate * g;
                return;
            }

            Vector<float> moving = (momentum * Subnormal.Flush(velocity)) - (rate * g);
            velocity = moving;
            parameter += nesterov ? (momentum * moving) - (rate * g) : moving;
        }
    }
}
