using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ConvGen.Kernels;

/// <summary>The activations the generated kernels apply, on whole vectors (the exponential is .NET's vectorised one).</summary>
public static class VectorMath
{
    /// <summary>1 / (1 + exp(-x)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> x) =>
        Vector512<float>.One / (Vector512<float>.One + Vector512.Exp(-x));

    /// <summary>1 / (1 + exp(-x)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x) =>
        Vector256<float>.One / (Vector256<float>.One + Vector256.Exp(-x));

    /// <summary>1 / (1 + exp(-x)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sigmoid(Vector128<float> x) =>
        Vector128<float>.One / (Vector128<float>.One + Vector128.Exp(-x));

    /// <summary>tanh(x) = 1 - 2 / (exp(2x) + 1), with the input clamped where tanh is ±1 in float.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        Vector512<float> clamped = Vector512.Clamp(x, Vector512.Create(-10f), Vector512.Create(10f));
        Vector512<float> e = Vector512.Exp(clamped + clamped);
        return Vector512<float>.One - (Vector512.Create(2f) / (e + Vector512<float>.One));
    }

    /// <summary>tanh(x) = 1 - 2 / (exp(2x) + 1), with the input clamped where tanh is ±1 in float.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        Vector256<float> clamped = Vector256.Clamp(x, Vector256.Create(-10f), Vector256.Create(10f));
        Vector256<float> e = Vector256.Exp(clamped + clamped);
        return Vector256<float>.One - (Vector256.Create(2f) / (e + Vector256<float>.One));
    }

    /// <summary>tanh(x) = 1 - 2 / (exp(2x) + 1), with the input clamped where tanh is ±1 in float.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Tanh(Vector128<float> x)
    {
        Vector128<float> clamped = Vector128.Clamp(x, Vector128.Create(-10f), Vector128.Create(10f));
        Vector128<float> e = Vector128.Exp(clamped + clamped);
        return Vector128<float>.One - (Vector128.Create(2f) / (e + Vector128<float>.One));
    }
}
