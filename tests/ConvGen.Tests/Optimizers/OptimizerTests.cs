using System.Numerics;

namespace ConvGen.Tests.Optimizers;

/// <summary>
/// Each optimizer against its published update rule, recomputed here in double precision from Keras 3's formulas
/// (keras/src/optimizers/{sgd,adam,rmsprop}.py), over lengths that exercise the vector body and the scalar tail.
/// </summary>
public class OptimizerTests
{
    // One vector only, shorter than a vector, vectors plus a tail of 3, vectors plus a tail of 1, whole vectors.
    public static TheoryData<int> Lengths => new() { 1, 7, 19, 33, 16, Vector<float>.Count * 5 };

    [Theory]
    [MemberData(nameof(Lengths))]
    public void SgdPlainIsLearningRateTimesGradient(int length)
    {
        var (w0, grads) = Problem(length, steps: 3, seed: 1);
        var optimizer = new Sgd(learningRate: 0.1);
        double[] expected = ToDouble(w0);
        float[] w = (float[])w0.Clone();
        foreach (float[] g in grads)
        {
            optimizer.Apply(w, g);
            for (int i = 0; i < length; i++)
            {
                expected[i] -= 0.1 * g[i];
            }

            AssertClose(expected, w);
        }

        Assert.Equal(3, optimizer.Iterations);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void SgdMomentumKeepsAVelocity(int length)
    {
        var (w0, grads) = Problem(length, steps: 3, seed: 2);
        const double lr = 0.05, mu = 0.9;
        var optimizer = new Sgd(lr, momentum: mu);
        double[] expected = ToDouble(w0);
        var velocity = new double[length];
        float[] w = (float[])w0.Clone();
        foreach (float[] g in grads)
        {
            optimizer.Apply(w, g);
            for (int i = 0; i < length; i++)
            {
                velocity[i] = (mu * velocity[i]) - (lr * g[i]);
                expected[i] += velocity[i];
            }

            AssertClose(expected, w);
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void SgdNesterovLooksAhead(int length)
    {
        var (w0, grads) = Problem(length, steps: 3, seed: 3);
        const double lr = 0.05, mu = 0.8;
        var optimizer = new Sgd(lr, momentum: mu, nesterov: true);
        double[] expected = ToDouble(w0);
        var velocity = new double[length];
        float[] w = (float[])w0.Clone();
        foreach (float[] g in grads)
        {
            optimizer.Apply(w, g);
            for (int i = 0; i < length; i++)
            {
                velocity[i] = (mu * velocity[i]) - (lr * g[i]);
                expected[i] += (mu * velocity[i]) - (lr * g[i]);
            }

            AssertClose(expected, w);
        }
    }

    [Fact]
    public void SgdMatchesKerasDocumentedExamples()
    {
        // keras.optimizers.SGD docstring: loss = var²/2 so the gradient is var; one step of lr 0.1 from 1.0 gives 0.9.
        float[] var1 = [1f];
        new Sgd(0.1).Apply(var1, [var1[0]]);
        Assert.Equal(0.9f, var1[0], 6);

        // With momentum 0.9: the first step moves by -0.1 (to 0.9), the second by 0.9·(-0.1) - 0.1·0.9 = -0.18 (to 0.72).
        var momentum = new Sgd(0.1, momentum: 0.9);
        float[] var2 = [1f];
        momentum.Apply(var2, [var2[0]]);
        Assert.Equal(0.9f, var2[0], 6);
        momentum.Apply(var2, [var2[0]]);
        Assert.Equal(0.72f, var2[0], 6);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void AdamStepsOneTwoAndThreeFollowKerasBiasCorrection(int length) => CheckAdam(length, amsgrad: false);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void AmsgradDividesByTheLargestSecondMoment(int length) => CheckAdam(length, amsgrad: true);

    [Fact]
    public void AmsgradDiffersFromAdamOnceTheSecondMomentShrinks()
    {
        // A large gradient then small ones: v decays but v̂ keeps its maximum, so AMSGrad takes smaller steps.
        float[] adam = [0f], ams = [0f];
        var plain = new Adam(0.1, beta2: 0.5);
        var max = new Adam(0.1, beta2: 0.5, amsgrad: true);
        foreach (float g in new[] { 10f, 0.1f, 0.1f, 0.1f })
        {
            plain.Apply(adam, [g]);
            max.Apply(ams, [g]);
        }

        Assert.True(Math.Abs(ams[0]) < Math.Abs(adam[0]) - 1e-3, $"AMSGrad {ams[0]} should have moved less than Adam {adam[0]}.");
    }

    [Fact]
    public void AdamFirstStepMovesByAboutTheLearningRate()
    {
        // At t = 1, m̂ = g and v̂ = g², so the step is lr · g / (|g| + ε / sqrt(1 - β2)): lr times the gradient's sign.
        float[] w = [1f, 1f];
        new Adam(0.01).Apply(w, [3f, -0.5f]);
        Assert.Equal(0.99, w[0], 5);
        Assert.Equal(1.01, w[1], 5);
    }

    [Fact]
    public void AdamStateDecayingTowardsZeroStillFollowsKeras()
    {
        // One gradient, then hundreds of zero and tiny ones (a ReLU unit that died): m and v decay geometrically into
        // the range the optimizer flushes to zero; the weights still follow the double-precision rule.
        const int length = 19;
        const double lr = 0.01, b1 = 0.5, b2 = 0.6, eps = 1e-7;
        var optimizer = new Adam(lr, b1, b2, eps);
        float[] w = new float[length];
        double[] expected = new double[length];
        var m = new double[length];
        var v = new double[length];
        for (int t = 1; t <= 300; t++)
        {
            float[] g = new float[length];
            for (int i = 0; i < length; i++)
            {
                g[i] = t == 1 ? 1f + i : (i % 3 == 0 ? 1e-30f : 0f);
            }

            optimizer.Apply(w, g);
            AdamReference(expected, m, v, null, g, lr, b1, b2, eps, t);
            AssertClose(expected, w);
        }
    }

    [Fact]
    public void SubnormalFlushZeroesOnlyValuesTooSmallToMatter()
    {
        float[] state = [1e-31f, -1e-31f, 2e-30f, 1e-40f, 0f, 1f, -3e-20f, 1e-38f];
        float[] gradient = [1e-20f, -1e-20f, 2e-19f, 1e-40f, 0f, 1f, -3e-5f, 1e-30f];
        float[] flushedState = Flush(state, Subnormal.Flush);
        float[] flushedGradient = Flush(gradient, Subnormal.FlushGradient);
        Assert.Equal([0f, 0f, 2e-30f, 0f, 0f, 1f, -3e-20f, 0f], flushedState);
        Assert.Equal([0f, 0f, 2e-19f, 0f, 0f, 1f, -3e-5f, 0f], flushedGradient);

        static float[] Flush(float[] values, Func<Vector<float>, Vector<float>> flush)
        {
            var result = new float[values.Length];
            var lanes = new float[Vector<float>.Count];
            for (int start = 0; start < values.Length; start += lanes.Length)
            {
                Array.Clear(lanes);
                int n = Math.Min(lanes.Length, values.Length - start);
                values.AsSpan(start, n).CopyTo(lanes);
                flush(new Vector<float>(lanes)).CopyTo(lanes);
                lanes.AsSpan(0, n).CopyTo(result.AsSpan(start));
            }

            return result;
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void RmsPropPlain(int length) => CheckRmsProp(length, centered: false, momentum: 0);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void RmsPropCentered(int length) => CheckRmsProp(length, centered: true, momentum: 0);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void RmsPropWithMomentum(int length) => CheckRmsProp(length, centered: false, momentum: 0.7);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void RmsPropCenteredWithMomentum(int length) => CheckRmsProp(length, centered: true, momentum: 0.5);

    [Fact]
    public void RmsPropMatchesKerasDocumentedExample()
    {
        // keras.optimizers.RMSprop docstring: lr 0.1, var 10, gradient var → 9.683772.
        float[] var1 = [10f];
        new RmsProp(0.1).Apply(var1, [var1[0]]);
        Assert.Equal(9.683772f, var1[0], 5);
    }

    [Fact]
    public void ChangingTheLearningRateKeepsTheMoments()
    {
        const int length = 19;
        var (w0, grads) = Problem(length, steps: 4, seed: 9);
        var optimizer = new Adam(0.1);
        float[] w = (float[])w0.Clone();
        double[] expected = ToDouble(w0);
        var m = new double[length];
        var v = new double[length];
        double[] rates = [0.1, 0.1, 0.01, 0.001];
        for (int t = 1; t <= grads.Length; t++)
        {
            optimizer.LearningRate = rates[t - 1];
            optimizer.Apply(w, grads[t - 1]);
            AdamReference(expected, m, v, null, grads[t - 1], rates[t - 1], 0.9, 0.999, 1e-7, t);
            AssertClose(expected, w);
        }

        // The same rates with the moments dropped at the change would land elsewhere.
        var restarted = new Adam(0.1);
        float[] w2 = (float[])w0.Clone();
        restarted.Apply(w2, grads[0]);
        restarted.Apply(w2, grads[1]);
        restarted = new Adam(0.01);
        restarted.Apply(w2, grads[2]);
        Assert.NotEqual(w[0], w2[0]);

        var momentum = new Sgd(0.1, momentum: 0.9);
        float[] s = [0f];
        momentum.Apply(s, [1f]);             // v = -0.1, s = -0.1
        momentum.LearningRate = 0.0;
        momentum.Apply(s, [1f]);             // v = -0.09, s = -0.19: the velocity carries on
        Assert.Equal(-0.19f, s[0], 6);
    }

    [Fact]
    public void OneOptimizerOnTwoBuffersOfDifferentLengthsThrows()
    {
        foreach (Optimizer optimizer in new Optimizer[] { new Sgd(), new Sgd(momentum: 0.9), new Adam(), new RmsProp() })
        {
            float[] first = new float[32];
            optimizer.Apply(first, new float[32]);
            float[] second = [1f, 2f, 3f];
            var error = Assert.Throws<InvalidOperationException>(() => optimizer.Apply(second, new float[3]));
            Assert.Contains("32", error.Message);
            Assert.Contains("3", error.Message);
            Assert.Contains("one optimizer per model", error.Message);
            Assert.Equal([1f, 2f, 3f], second);
            Assert.Equal(1, optimizer.Iterations);
        }
    }

    [Fact]
    public void MismatchedParameterAndGradientLengthsThrow()
    {
        var error = Assert.Throws<ArgumentException>(() => new Adam().Apply(new float[4], new float[5]));
        Assert.Contains("4 parameters but 5 gradients", error.Message);
    }

    [Fact]
    public void DefaultsAreKeras()
    {
        var sgd = new Sgd();
        Assert.Equal(0.01, sgd.LearningRate);
        Assert.Equal(0.0, sgd.Momentum);
        Assert.False(sgd.Nesterov);

        var adam = new Adam();
        Assert.Equal(1e-3, adam.LearningRate);
        Assert.Equal(0.9, adam.Beta1);
        Assert.Equal(0.999, adam.Beta2);
        Assert.Equal(1e-7, adam.Epsilon);
        Assert.False(adam.Amsgrad);

        var rms = new RmsProp();
        Assert.Equal(1e-3, rms.LearningRate);
        Assert.Equal(0.9, rms.Rho);
        Assert.Equal(0.0, rms.Momentum);
        Assert.Equal(1e-7, rms.Epsilon);
        Assert.False(rms.Centered);
    }

    [Fact]
    public void InvalidHyperparametersThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(-0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(momentum: -0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(momentum: 1.5));
        Assert.Equal(1.0, new Sgd(momentum: 1.0).Momentum); // Keras accepts [0, 1]
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta1: 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta2: -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(epsilon: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(rho: 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(epsilon: -1e-7));
        var optimizer = new Adam();
        Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.LearningRate = double.PositiveInfinity);
        Assert.Equal(1e-3, optimizer.LearningRate);
    }

    private static void CheckAdam(int length, bool amsgrad)
    {
        // Large gradients first, then small ones, so v shrinks and AMSGrad's maximum matters.
        var (w0, grads) = Problem(length, steps: 3, seed: amsgrad ? 5 : 4, decay: 0.1);
        const double lr = 0.1, b1 = 0.8, b2 = 0.95, eps = 1e-6;
        var optimizer = new Adam(lr, b1, b2, eps, amsgrad);
        float[] w = (float[])w0.Clone();
        double[] expected = ToDouble(w0);
        var m = new double[length];
        var v = new double[length];
        double[]? vMax = amsgrad ? new double[length] : null;
        for (int t = 1; t <= grads.Length; t++)
        {
            optimizer.Apply(w, grads[t - 1]);
            AdamReference(expected, m, v, vMax, grads[t - 1], lr, b1, b2, eps, t);
            AssertClose(expected, w);
        }
    }

    // Keras 3: alpha = lr·sqrt(1-β2^t)/(1-β1^t); m += (g-m)(1-β1); v += (g²-v)(1-β2); [v̂ = max(v̂, v)]; w -= alpha·m/(sqrt(v)+ε).
    private static void AdamReference(double[] w, double[] m, double[] v, double[]? vMax, float[] g, double lr, double b1, double b2, double eps, int t)
    {
        double alpha = lr * Math.Sqrt(1 - Math.Pow(b2, t)) / (1 - Math.Pow(b1, t));
        for (int i = 0; i < w.Length; i++)
        {
            m[i] += (g[i] - m[i]) * (1 - b1);
            v[i] += ((double)g[i] * g[i] - v[i]) * (1 - b2);
            double second = v[i];
            if (vMax is not null)
            {
                vMax[i] = Math.Max(vMax[i], v[i]);
                second = vMax[i];
            }

            w[i] -= alpha * m[i] / (Math.Sqrt(second) + eps);
        }
    }

    // Keras 3: s = ρs + (1-ρ)g²; centered a = ρa + (1-ρ)g, denominator s - a² + ε, else s + ε; Δ = lr·g/sqrt(denominator);
    // with momentum m = μm + Δ, w -= m; else w -= Δ.
    private static void CheckRmsProp(int length, bool centered, double momentum)
    {
        var (w0, grads) = Problem(length, steps: 3, seed: centered ? 7 : 6);
        const double lr = 0.01, rho = 0.8, eps = 1e-6;
        var optimizer = new RmsProp(lr, rho, momentum, eps, centered);
        float[] w = (float[])w0.Clone();
        double[] expected = ToDouble(w0);
        var s = new double[length];
        var a = new double[length];
        var mom = new double[length];
        foreach (float[] g in grads)
        {
            optimizer.Apply(w, g);
            for (int i = 0; i < length; i++)
            {
                s[i] = (rho * s[i]) + ((1 - rho) * g[i] * g[i]);
                double denominator;
                if (centered)
                {
                    a[i] = (rho * a[i]) + ((1 - rho) * g[i]);
                    denominator = s[i] - (a[i] * a[i]) + eps;
                }
                else
                {
                    denominator = s[i] + eps;
                }

                double increment = lr * g[i] / Math.Sqrt(denominator);
                if (momentum > 0)
                {
                    mom[i] = (momentum * mom[i]) + increment;
                    expected[i] -= mom[i];
                }
                else
                {
                    expected[i] -= increment;
                }
            }

            AssertClose(expected, w);
        }
    }

    // Weights around ±1 and gradients of varied sign and size (each step's scaled by decay^t), all distinct per element.
    private static (float[] Weights, float[][] Gradients) Problem(int length, int steps, int seed, double decay = 1.0)
    {
        var random = new Random(seed);
        float[] w = Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        var grads = new float[steps][];
        for (int t = 0; t < steps; t++)
        {
            double scale = Math.Pow(decay, t);
            grads[t] = Enumerable.Range(0, length).Select(_ => (float)(((random.NextDouble() * 4) - 2) * scale)).ToArray();
        }

        return (w, grads);
    }

    private static double[] ToDouble(float[] values) => values.Select(v => (double)v).ToArray();

    // float32 arithmetic against a double reference: a few ulps of values around 1.
    private static void AssertClose(double[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = 2e-6 * Math.Max(1.0, Math.Abs(expected[i]));
            Assert.True(
                Math.Abs(expected[i] - actual[i]) <= tolerance,
                $"element {i} of {expected.Length}: expected {expected[i]:R}, got {actual[i]:R} (difference {expected[i] - actual[i]:E3}).");
        }
    }
}
