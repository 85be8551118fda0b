using System.Runtime.CompilerServices;

namespace ConvGen.Threading;

/// <summary>
/// How a layer's work is cut when the threads of a team share one small batch (the generated split passes): part
/// <c>part</c> of <c>parts</c> takes a contiguous range, the same range every time, so each thread keeps reading the
/// same weights and they stay in its own cache.
/// </summary>
public static class Partition
{
    /// <summary>Part <paramref name="part"/> of <paramref name="parts"/> of [0, <paramref name="length"/>): contiguous,
    /// sizes differing by one at most, the longer parts first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (int First, int End) Range(int length, int part, int parts)
    {
        int quotient = length / parts;
        int remainder = length % parts;
        int first = (part * quotient) + Math.Min(part, remainder);
        return (first, first + quotient + (part < remainder ? 1 : 0));
    }

    /// <summary>Like <see cref="Range"/>, but in whole blocks of <paramref name="block"/> values (the last part takes
    /// the remainder): parts of an element-wise loop then never share a vector, and rarely a cache line.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (int First, int End) Blocks(int length, int block, int part, int parts)
    {
        int blocks = (length + block - 1) / block;
        (int first, int end) = Range(blocks, part, parts);
        return (Math.Min(first * block, length), Math.Min(end * block, length));
    }
}
