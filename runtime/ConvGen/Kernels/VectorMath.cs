using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ConvGen.Kernels;

/// <summary>The activations the generated kernels apply and relu's derivative, on whole vectors (the exponential is
/// .NET's vectorised one).</summary>
public static class VectorMath
{
    /// <summary>All ones in the lanes of <paramref name="x"/> greater than zero, zero elsewhere: relu's derivative as a
    /// mask.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Positive(Vector512<float> x) => Vector512.GreaterThan(x, Vector512<float>.Zero);

    /// <summary>
    /// All ones in the lanes of <paramref name="x"/> greater than zero, zero elsewhere: relu's derivative as a mask. With
    /// AVX-512 the compare is made at 512 bits: the 256-bit compare is VEX-encoded and writes only registers 0–15,
    /// which a tall tile's accumulators fill (the JIT then spilled an accumulator inside the tile's loop to free one),
    /// where the 512-bit compare writes a mask register, turned into a vector in any of the 32.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Positive(Vector256<float> x) => Vector512.IsHardwareAccelerated
        ? Vector512.GreaterThan(x.ToVector512Unsafe(), Vector512<float>.Zero).GetLower()
        : Vector256.GreaterThan(x, Vector256<float>.Zero);

    /// <summary>All ones in the lanes of <paramref name="x"/> greater than zero, zero elsewhere: relu's derivative as a
    /// mask.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Positive(Vector128<float> x) => Vector128.GreaterThan(x, Vector128<float>.Zero);

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
