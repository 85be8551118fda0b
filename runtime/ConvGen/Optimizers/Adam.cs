using System.Numerics;
using System.Runtime.CompilerServices;

namespace ConvGen;

/// <summary>
/// Adam, exactly as Keras computes it: with <c>t</c> the step (from 1),
/// <c>m += (g - m)(1 - β1)</c>, <c>v += (g² - v)(1 - β2)</c>,
/// <c>w -= lr · sqrt(1 - β2^t) / (1 - β1^t) · m / (sqrt(v) + ε)</c> (ε is Keras' "epsilon hat").
/// </summary>
public sealed class Adam : Optimizer
{
    private float[] _m = [];
    private float[] _v = [];
    private float[] _vMax = [];

    /// <summary>Keras' defaults: learning rate 1e-3, β1 0.9, β2 0.999, ε 1e-7.</summary>
    public Adam(double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, bool amsgrad = false)
        : this(learningRate, null, beta1, beta2, epsilon, amsgrad)
    {
    }

    /// <summary>Adam whose learning rate follows <paramref name="learningRate"/> step by step (Keras'
    /// <c>Adam(learning_rate=schedule)</c>).</summary>
    public Adam(LearningRateSchedule learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, bool amsgrad = false)
        : this(0, learningRate ?? throw new ArgumentNullException(nameof(learningRate)), beta1, beta2, epsilon, amsgrad)
    {
    }

    private Adam(double learningRate, LearningRateSchedule? schedule, double beta1, double beta2, double epsilon, bool amsgrad)
        : base(learningRate, schedule)
    {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(beta1), $"beta1 and beta2 must be in [0, 1); got {beta1} and {beta2}.");
        }

        if (!(epsilon > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be positive.");
        }

        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        Amsgrad = amsgrad;
    }

    /// <summary>Decay of the first moment.</summary>
    public double Beta1 { get; }

    /// <summary>Decay of the second moment.</summary>
    public double Beta2 { get; }

    /// <summary>Added to sqrt(v) before dividing.</summary>
    public double Epsilon { get; }

    /// <summary>Whether to use the AMSGrad variant (the maximum of past second moments).</summary>
    public bool Amsgrad { get; }

    /// <inheritdoc/>
    protected override IReadOnlyList<float[]> StateArrays => [_m, _v, _vMax];

    /// <inheritdoc/>
    protected override void Build(int length)
    {
        _m = new float[length];
        _v = new float[length];
        _vMax = Amsgrad ? new float[length] : [];
    }

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int offset, long step)
    {
        double alpha = StepLearningRate * Math.Sqrt(1 - Math.Pow(Beta2, step)) / (1 - Math.Pow(Beta1, step));
        var rule = new Rule(
            new Vector<float>((float)alpha),
            new Vector<float>((float)(1 - Beta1)),
            new Vector<float>((float)(1 - Beta2)),
            new Vector<float>((float)Epsilon),
            Amsgrad);
        ElementwiseUpdate.Run(rule, parameters, gradients, State(_m, offset, parameters.Length), State(_v, offset, parameters.Length), State(_vMax, offset, parameters.Length));
    }

    private readonly struct Rule(Vector<float> alpha, Vector<float> oneMinusBeta1, Vector<float> oneMinusBeta2, Vector<float> epsilon, bool amsgrad) : IUpdateRule
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(ref Vector<float> parameter, Vector<float> gradient, ref Vector<float> m, ref Vector<float> v, ref Vector<float> vMax)
        {
            // Each state read once and written once: values in registers, not through the references.
            Vector<float> g = Subnormal.FlushGradient(gradient);
            Vector<float> first = Subnormal.Flush(m);
            Vector<float> second = Subnormal.Flush(v);
            first += (g - first) * oneMinusBeta1;
            second += ((g * g) - second) * oneMinusBeta2;
            m = first;
            v = second;
            if (amsgrad)
            {
                second = Vector.Max(vMax, second);
                vMax = second;
            }

            parameter -= alpha * first / (Vector.SquareRoot(second) + epsilon);
        }
    }
}
