using System.Numerics;
using System.Runtime.CompilerServices;

namespace ConvGen;

/// <summary>
/// Keeps optimizer arithmetic out of the subnormal range, where x86 multiplications, square roots and divisions run
/// several times slower. Optimizer state decays geometrically where gradients vanish (dead ReLU units): without this,
/// Adam's second moment would spend thousands of steps subnormal. TensorFlow's CPU kernels avoid the same cost by
/// running with the FTZ/DAZ flags, which .NET cannot set; here values too small to move a weight are set to zero
/// before the update: state below 2^-100 (≈ 8e-31) and gradients below 2^-63 (≈ 1e-19, whose squares would be
/// subnormal). With the decay rates in [0, 1) scaled by at least 2^-20, no product of the state is then subnormal; a
/// squared gradient just above the threshold times 1 - β2 still can be (down to 2^-146), on the rare steps with such a
/// gradient.
/// </summary>
internal static class Subnormal
{
    private const float SmallestState = 7.888609E-31f; // 2^-100
    private const float SmallestGradient = 1.0842022E-19f; // 2^-63

    /// <summary>A state vector with its lanes below 2^-100 in magnitude set to zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Flush(Vector<float> x) => x & Vector.GreaterThanOrEqual(Vector.Abs(x), new Vector<float>(SmallestState)).As<int, float>();

    /// <summary>A gradient vector with its lanes below 2^-63 in magnitude set to zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> FlushGradient(Vector<float> g) => g & Vector.GreaterThanOrEqual(Vector.Abs(g), new Vector<float>(SmallestGradient)).As<int, float>();
}
