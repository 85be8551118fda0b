using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ConvGen.Kernels;

/// <summary>
/// The positions of the inputs that are not zero, for the one-sample product of a Dense layer (its generated
/// <c>ForwardNonzeroRows</c>): an input of zero (or −0) adds nothing to any unit, so the kernel's row for it need not
/// be read. After a ReLU, or on an image's blank background, most inputs are zero, and at one sample reading the
/// kernel is what bounds the layer. A NaN or an infinity is not zero, so it still reaches every unit.
/// </summary>
public static class NonzeroInputs
{
    /// <summary>The input features one call looks at: an index list of this many ints (1 KB) fits on the stack.</summary>
    public const int Chunk = 256;

    /// <summary>The length of the index list <see cref="Find"/> writes into: <see cref="Chunk"/>, and room for one
    /// whole vector of indices stored past the last one found.</summary>
    public const int ListLength = Chunk + 16;

    /// <summary>
    /// Writes into <paramref name="indices"/>, in increasing order, each k with <paramref name="first"/> ≤ k &lt;
    /// <paramref name="end"/> (at most <see cref="Chunk"/> apart) whose input is not zero, and returns how many.
    /// </summary>
    public static int Find(ref float input, int first, int end, Span<int> indices)
    {
        if (end - first > Chunk || indices.Length < ListLength)
        {
            throw new ArgumentException($"Looks at most {Chunk} inputs at a time into a list of {ListLength} indices.");
        }

        ref int list = ref indices[0];
        int found = 0;
        int k = first;
        if (Avx512F.IsSupported)
        {
            // 16 inputs at a time: the positions of the nonzero ones packed to the front of a vector (VPCOMPRESSD in
            // registers; its store form is slow on Zen 4) and stored whole; the next store starts past the last found.
            Vector512<int> lanes = Vector512<int>.Indices;
            for (; k <= end - 16; k += 16)
            {
                Vector512<int> nonzero = ~Vector512.Equals(Vector512.LoadUnsafe(ref input, (nuint)k), Vector512<float>.Zero).AsInt32();
                Avx512F.Compress(Vector512<int>.Zero, nonzero, lanes + Vector512.Create(k)).StoreUnsafe(ref Unsafe.Add(ref list, found));
                found += BitOperations.PopCount(nonzero.ExtractMostSignificantBits());
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            // 8 inputs at a time: a run of zeros (an image's background) costs one compare; the rest one by one.
            for (; k <= end - 8; k += 8)
            {
                uint nonzero = ~Vector256.Equals(Vector256.LoadUnsafe(ref input, (nuint)k), Vector256<float>.Zero).ExtractMostSignificantBits() & 0xFF;
                while (nonzero != 0)
                {
                    Unsafe.Add(ref list, found++) = k + BitOperations.TrailingZeroCount(nonzero);
                    nonzero &= nonzero - 1;
                }
            }
        }

        // The rest one by one, without a branch: the position is always written, and kept only when its input is not zero.
        for (; k < end; k++)
        {
            Unsafe.Add(ref list, found) = k;
            found += Unsafe.Add(ref input, k) != 0 ? 1 : 0;
        }

        return found;
    }
}
