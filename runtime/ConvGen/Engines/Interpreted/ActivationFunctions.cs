using System.Numerics;

namespace ConvGen.Engines.Interpreted;

/// <summary>
/// The activations, applied in place to a layer's output, and their derivatives, computed from the output y:
/// <list type="bullet">
/// <item>Linear: y = x; dy/dx = 1.</item>
/// <item>Relu: y = max(x, 0); dy/dx = 1 where y &gt; 0, else 0.</item>
/// <item>Sigmoid: y = 1 / (1 + exp(-x)); dy/dx = y(1 - y).</item>
/// <item>Tanh: y = tanh(x); dy/dx = 1 - y².</item>
/// <item>Softmax: only on the last layer, whose output is then the logits z; the network fuses softmax with the
/// cross-entropy loss (<see cref="SoftmaxCrossEntropy"/>) and hands the layer the gradient with respect to z, so
/// here it is the identity.</item>
/// </list>
/// </summary>
internal static class ActivationFunctions
{
    /// <summary>Replaces every value x of <paramref name="values"/> with act(x).</summary>
    public static void Apply<T>(Activation activation, Span<T> values)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        switch (activation)
        {
            case Activation.Linear:
            case Activation.Softmax:
                break;
            case Activation.Relu:
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = T.Max(values[i], T.Zero);
                }

                break;
            case Activation.Sigmoid:
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = T.One / (T.One + T.Exp(-values[i]));
                }

                break;
            case Activation.Tanh:
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = T.Tanh(values[i]);
                }

                break;
            default:
                throw new NotSupportedException($"Activation {activation} is not supported.");
        }
    }

    /// <summary>Multiplies each gradient dL/dy in <paramref name="gradient"/> by act'(x), computed from the output
    /// y in <paramref name="output"/>, turning it into dL/dx.</summary>
    public static void MultiplyByDerivative<T>(Activation activation, ReadOnlySpan<T> output, Span<T> gradient)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        switch (activation)
        {
            case Activation.Linear:
            case Activation.Softmax:
                break;
            case Activation.Relu:
                for (int i = 0; i < gradient.Length; i++)
                {
                    gradient[i] = output[i] > T.Zero ? gradient[i] : T.Zero;
                }

                break;
            case Activation.Sigmoid:
                for (int i = 0; i < gradient.Length; i++)
                {
                    T y = output[i];
                    gradient[i] *= y * (T.One - y);
                }

                break;
            case Activation.Tanh:
                for (int i = 0; i < gradient.Length; i++)
                {
                    T y = output[i];
                    gradient[i] *= T.One - (y * y);
                }

                break;
            default:
                throw new NotSupportedException($"Activation {activation} is not supported.");
        }
    }
}
