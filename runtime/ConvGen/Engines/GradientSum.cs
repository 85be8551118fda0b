using System.Numerics;
using System.Runtime.InteropServices;

namespace ConvGen.Engines;

/// <summary>Adds the threads' gradients into the model's buffer.</summary>
internal static class GradientSum
{
    // Floats summed at a time: a block stays in the first-level cache while every thread's part is added to it.
    private const int Block = 2048;

    /// <summary>
    /// Adds the gradients of threads 1 ... <paramref name="threads"/> - 1 at [<paramref name="start"/>,
    /// start + total.Length) into <paramref name="total"/>, always in thread order (so the result depends only on the
    /// thread count), a cache-sized block at a time: the total is read and written once whatever the thread count.
    /// </summary>
    public static void AddThreads(Span<float> total, AlignedBuffer?[] gradients, int threads, int start)
    {
        for (int first = 0; first < total.Length; first += Block)
        {
            int length = Math.Min(Block, total.Length - first);
            Span<float> block = total.Slice(first, length);
            for (int t = 1; t < threads; t++)
            {
                Add(block, gradients[t]!.Span.Slice(start + first, length));
            }
        }
    }

    private static void Add(Span<float> total, ReadOnlySpan<float> part)
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
