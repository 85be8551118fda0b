using System.Globalization;

namespace ConvGen;

/// <summary>
/// A learning rate that changes every step, as Keras' <c>keras.optimizers.schedules</c>: give one to an optimizer
/// (<c>new Adam(LearningRateSchedule.CosineDecay(1e-3, 5000))</c>) and before each update the optimizer sets its
/// <see cref="Optimizer.LearningRate"/> to <see cref="Rate"/>(<see cref="Optimizer.Iterations"/>), the number of
/// updates applied so far (0 for the first). Derive from it for a schedule of your own.
/// </summary>
/// <remarks>
/// A schedule composes with everything that sets <see cref="Optimizer.LearningRate"/> (<see cref="ReduceLROnPlateau"/>,
/// <see cref="LearningRateScheduler"/>, a change between <see cref="Model.Fit"/> calls): such a change scales the rest of
/// the schedule by the ratio of the new rate to the scheduled one (see <see cref="Optimizer.LearningRateScale"/>).
/// </remarks>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate of update number <paramref name="step"/> + 1 (<paramref name="step"/> updates have
    /// been applied before it): a finite number, zero or more.</summary>
    public abstract double Rate(long step);

    /// <summary>
    /// Keras' <c>ExponentialDecay</c>: <c>initialLearningRate · decayRate^(step / decaySteps)</c>, the exponent rounded
    /// down to an integer when <paramref name="staircase"/> (the rate then drops once every <paramref name="decaySteps"/>).
    /// </summary>
    public static LearningRateSchedule ExponentialDecay(double initialLearningRate, long decaySteps, double decayRate, bool staircase = false)
    {
        CheckRate(initialLearningRate, nameof(initialLearningRate));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(decaySteps);
        if (!(double.IsFinite(decayRate) && decayRate > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(decayRate), decayRate, "decayRate must be a finite positive number.");
        }

        return new Exponential(initialLearningRate, decaySteps, decayRate, staircase);
    }

    /// <summary>
    /// Keras 3's <c>CosineDecay</c>: without warm-up, half a cosine from <paramref name="initialLearningRate"/> down to
    /// <paramref name="alpha"/> · <paramref name="initialLearningRate"/> over <paramref name="decaySteps"/> steps, then
    /// flat. With <paramref name="warmupSteps"/> and <paramref name="warmupTarget"/>, the rate first rises linearly from
    /// <paramref name="initialLearningRate"/> to <paramref name="warmupTarget"/> over <paramref name="warmupSteps"/>
    /// steps, and the cosine then starts from <paramref name="warmupTarget"/>.
    /// </summary>
    public static LearningRateSchedule CosineDecay(double initialLearningRate, long decaySteps, double alpha = 0, double? warmupTarget = null, long warmupSteps = 0)
    {
        CheckRate(initialLearningRate, nameof(initialLearningRate));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(decaySteps);
        if (!(alpha >= 0 && alpha <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha, the final rate as a fraction of the initial one, must be in [0, 1].");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        if (warmupTarget is double target)
        {
            CheckRate(target, nameof(warmupTarget));
        }
        else if (warmupSteps > 0)
        {
            throw new ArgumentException("warmupSteps needs a warmupTarget, the rate the warm-up rises to.", nameof(warmupTarget));
        }

        return new Cosine(initialLearningRate, decaySteps, alpha, warmupTarget, warmupSteps);
    }

    /// <summary>
    /// Keras' <c>PiecewiseConstantDecay</c>: <c>values[0]</c> while <c>step &lt;= boundaries[0]</c>, <c>values[i]</c>
    /// while <c>boundaries[i - 1] &lt; step &lt;= boundaries[i]</c>, and the last value after the last boundary.
    /// <paramref name="values"/> has one more element than <paramref name="boundaries"/>, which must increase.
    /// </summary>
    public static LearningRateSchedule Piecewise(IReadOnlyList<long> boundaries, IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(boundaries);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count != boundaries.Count + 1)
        {
            throw new ArgumentException($"Piecewise needs one more value than boundaries; got {boundaries.Count} boundaries and {values.Count} values.", nameof(values));
        }

        for (int i = 0; i < boundaries.Count; i++)
        {
            if (boundaries[i] < 0 || (i > 0 && boundaries[i] <= boundaries[i - 1]))
            {
                throw new ArgumentException($"The boundaries must be zero or more and increase; boundary {i} is {boundaries[i]}.", nameof(boundaries));
            }
        }

        for (int i = 0; i < values.Count; i++)
        {
            CheckRate(values[i], $"{nameof(values)}[{i}]");
        }

        return new PiecewiseConstant([.. boundaries], [.. values]);
    }

    /// <summary>
    /// Leslie Smith's one-cycle policy, as PyTorch's <c>OneCycleLR</c> (learning rate only, cosine annealing, two
    /// phases): from <c>maxLearningRate / divFactor</c> up to <paramref name="maxLearningRate"/> over the first
    /// <paramref name="pctStart"/> of <paramref name="totalSteps"/>, then down to
    /// <c>maxLearningRate / divFactor / finalDivFactor</c> at the last step, both by half a cosine; after
    /// <paramref name="totalSteps"/> the last rate holds (PyTorch refuses further steps).
    /// </summary>
    public static LearningRateSchedule OneCycle(double maxLearningRate, long totalSteps, double pctStart = 0.3, double divFactor = 25, double finalDivFactor = 1e4)
    {
        CheckRate(maxLearningRate, nameof(maxLearningRate));
        if (totalSteps < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "A cycle needs at least 2 steps.");
        }

        if (!(pctStart > 0 && pctStart < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(pctStart), pctStart, "pctStart, the rising fraction of the cycle, must be in (0, 1).");
        }

        if (!(double.IsFinite(divFactor) && divFactor >= 1) || !(double.IsFinite(finalDivFactor) && finalDivFactor >= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(divFactor), $"divFactor and finalDivFactor must be finite and at least 1; got {divFactor} and {finalDivFactor}.");
        }

        return new OneCycleSchedule(maxLearningRate, totalSteps, pctStart, divFactor, finalDivFactor);
    }

    /// <summary>A constant rate: the schedule of an optimizer given a plain number.</summary>
    public static LearningRateSchedule Constant(double learningRate)
    {
        CheckRate(learningRate, nameof(learningRate));
        return new ConstantSchedule(learningRate);
    }

    private static void CheckRate(double rate, string parameter)
    {
        if (!(double.IsFinite(rate) && rate >= 0))
        {
            throw new ArgumentOutOfRangeException(parameter, rate, "A learning rate must be a finite number, zero or more.");
        }
    }

    // Half a cosine from start (pct 0) to end (pct 1), as PyTorch's _annealing_cos.
    private static double AnnealCosine(double start, double end, double pct) => end + ((start - end) / 2 * (Math.Cos(Math.PI * pct) + 1));

    private sealed class Exponential(double initial, long decaySteps, double decayRate, bool staircase) : LearningRateSchedule
    {
        public override double Rate(long step)
        {
            double exponent = (double)step / decaySteps;
            return initial * Math.Pow(decayRate, staircase ? Math.Floor(exponent) : exponent);
        }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"ExponentialDecay({initial}, {decaySteps}, {decayRate}{(staircase ? ", staircase" : "")})");
    }

    private sealed class Cosine(double initial, long decaySteps, double alpha, double? warmupTarget, long warmupSteps) : LearningRateSchedule
    {
        public override double Rate(long step)
        {
            if (warmupTarget is not double target)
            {
                return initial * Decayed(step);
            }

            if (step < warmupSteps)
            {
                return initial + ((target - initial) * step / warmupSteps);
            }

            return target * Decayed(step - warmupSteps);
        }

        private double Decayed(long step)
        {
            double progress = (double)Math.Min(step, decaySteps) / decaySteps;
            return ((1 - alpha) * 0.5 * (1 + Math.Cos(Math.PI * progress))) + alpha;
        }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"CosineDecay({initial}, {decaySteps}, alpha {alpha}{(warmupTarget is double t ? $", warm-up to {t} over {warmupSteps}" : "")})");
    }

    private sealed class PiecewiseConstant(long[] boundaries, double[] values) : LearningRateSchedule
    {
        public override double Rate(long step)
        {
            int piece = 0;
            while (piece < boundaries.Length && step > boundaries[piece])
            {
                piece++;
            }

            return values[piece];
        }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Piecewise([{string.Join(", ", boundaries)}], [{string.Join(", ", values)}])");
    }

    private sealed class OneCycleSchedule(double max, long totalSteps, double pctStart, double divFactor, double finalDivFactor) : LearningRateSchedule
    {
        public override double Rate(long step)
        {
            double initial = max / divFactor;
            double minimum = initial / finalDivFactor;
            double peakStep = (pctStart * totalSteps) - 1;
            double lastStep = totalSteps - 1;
            double at = Math.Min(step, lastStep);
            return at <= peakStep
                ? AnnealCosine(initial, max, peakStep <= 0 ? 1 : at / peakStep)
                : AnnealCosine(max, minimum, (at - peakStep) / (lastStep - peakStep));
        }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"OneCycle({max}, {totalSteps}, pctStart {pctStart})");
    }

    private sealed class ConstantSchedule(double rate) : LearningRateSchedule
    {
        public override double Rate(long step) => rate;

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Constant({rate})");
    }
}
