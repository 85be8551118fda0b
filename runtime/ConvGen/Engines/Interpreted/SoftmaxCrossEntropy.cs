using System.Numerics;

namespace ConvGen.Engines.Interpreted;

/// <summary>
/// Softmax fused with the categorical cross-entropy loss, computed stably from the logits z (count rows of
/// <c>classes</c> values). Per sample: m = max z, lse = m + log Σ exp(z - m), loss = lse - z[label],
/// p = exp(z - lse). The gradient of the mean loss over the batch with respect to z is (p - onehot(label)) / count.
/// A sample is correct when argmax z == label, the first index winning ties. The loss sum is accumulated in double.
/// </summary>
internal static class SoftmaxCrossEntropy
{
    /// <summary>Writes the class probabilities p of every row of <paramref name="logits"/>.</summary>
    public static void Probabilities<T>(ReadOnlySpan<T> logits, int count, int classes, Span<T> probabilities)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int n = 0; n < count; n++)
        {
            ReadOnlySpan<T> z = logits.Slice(n * classes, classes);
            Span<T> p = probabilities.Slice(n * classes, classes);
            T lse = LogSumExp(z);
            for (int k = 0; k < classes; k++)
            {
                p[k] = T.Exp(z[k] - lse);
            }
        }
    }

    /// <summary>The batch's loss sum and correct count.</summary>
    public static BatchMetrics Loss<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, int count, int classes)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double lossSum = 0;
        int correct = 0;
        for (int n = 0; n < count; n++)
        {
            ReadOnlySpan<T> z = logits.Slice(n * classes, classes);
            int label = labels[n];
            lossSum += double.CreateChecked(LogSumExp(z) - z[label]);
            correct += ArgMax(z) == label ? 1 : 0;
        }

        return new BatchMetrics(lossSum, correct);
    }

    /// <summary>The batch's loss sum and correct count, and in <paramref name="logitGradient"/> the gradient of the
    /// mean loss with respect to the logits.</summary>
    public static BatchMetrics LossAndGradient<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, int count, int classes, Span<T> logitGradient)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T batch = T.CreateChecked(count);
        double lossSum = 0;
        int correct = 0;
        for (int n = 0; n < count; n++)
        {
            ReadOnlySpan<T> z = logits.Slice(n * classes, classes);
            Span<T> dz = logitGradient.Slice(n * classes, classes);
            int label = labels[n];
            T lse = LogSumExp(z);
            lossSum += double.CreateChecked(lse - z[label]);
            correct += ArgMax(z) == label ? 1 : 0;
            for (int k = 0; k < classes; k++)
            {
                T p = T.Exp(z[k] - lse);
                T target = k == label ? T.One : T.Zero;
                dz[k] = (p - target) / batch;
            }
        }

        return new BatchMetrics(lossSum, correct);
    }

    /// <summary>log Σ exp(z), as m + log Σ exp(z - m) with m = max z so no exponential overflows.</summary>
    public static T LogSumExp<T>(ReadOnlySpan<T> z)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T m = z[0];
        for (int k = 1; k < z.Length; k++)
        {
            m = T.Max(m, z[k]);
        }

        T sum = T.Zero;
        for (int k = 0; k < z.Length; k++)
        {
            sum += T.Exp(z[k] - m);
        }

        return m + T.Log(sum);
    }

    /// <summary>The index of the largest value, the first one on ties.</summary>
    public static int ArgMax<T>(ReadOnlySpan<T> z)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int best = 0;
        for (int k = 1; k < z.Length; k++)
        {
            if (z[k] > z[best])
            {
                best = k;
            }
        }

        return best;
    }
}
