using System.Numerics;
using System.Runtime.InteropServices;

namespace ConvGen.Engines;

/// <summary>Adds one thread's gradients into another's.</summary>
internal static class GradientSum
{
    public static void Add(Span<float> total, ReadOnlySpan<float> part)
    {
        Span<Vector<float>> totals = MemoryMarshal.Cast<float, Vector<float>>(total);
        ReadOnlySpan<Vector<float>> parts = MemoryMarshal.Cast<float, Vector<float>>(part);
        for (int i = 0; i < totals.Length; i++)
        {
            totals[i] += parts[i];
        }

        for (int i = totals.Length * Vector<float>.Count; i < total.Length; i++)
        {
            total[i] += part[i];
        }
    }
}
