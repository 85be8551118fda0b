using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ConvGen.Randomness;

namespace ConvGen.Kernels;

/// <summary>
/// Inverted-dropout masks: each value is 0 (dropped, with probability <c>rate</c>) or <c>1 / (1 - rate)</c>. The value
/// for element <c>i</c> of a layer's batch output is a hash of (step seed, layer, i) and nothing else, so the compiled
/// and interpreted engines, and any split of a batch across threads, draw identical masks.
/// </summary>
public static class DropoutMask
{
    /// <summary>Fills <paramref name="mask"/> with the mask values of elements
    /// <paramref name="firstElement"/> ... <paramref name="firstElement"/> + length - 1 of layer <paramref name="layer"/>.</summary>
    public static void Fill(Span<float> mask, float rate, ulong stepSeed, int layer, int firstElement)
    {
        if (!(rate >= 0f && rate < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The dropout rate must be in [0, 1).");
        }

        float scale = 1f / (1f - rate);
        if (rate == 0f)
        {
            mask.Fill(scale);
            return;
        }

        ulong key = SplitMix64.Derive(stepSeed, (ulong)layer);
        uint key1 = (uint)key;
        uint key2 = (uint)(key >> 32);

        // Kept when the 32-bit hash falls below (1 - rate) * 2^32.
        uint threshold = (uint)Math.Min(uint.MaxValue, Math.Round((1.0 - rate) * 4294967296.0));
        int i = 0;
        ref float destination = ref MemoryMarshal.GetReference(mask);
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<uint> lanes = Vector512<uint>.Indices;
            Vector512<uint> bound = Vector512.Create(threshold);
            Vector512<float> kept = Vector512.Create(scale);
            for (; i <= mask.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                Vector512<uint> hash = Hash(Vector512.Create((uint)(firstElement + i)) + lanes, key1, key2);
                Vector512.ConditionalSelect(Vector512.LessThan(hash, bound).AsSingle(), kept, Vector512<float>.Zero)
                    .StoreUnsafe(ref destination, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Vector256<uint> lanes = Vector256<uint>.Indices;
            Vector256<uint> bound = Vector256.Create(threshold);
            Vector256<float> kept = Vector256.Create(scale);
            for (; i <= mask.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<uint> hash = Hash(Vector256.Create((uint)(firstElement + i)) + lanes, key1, key2);
                Vector256.ConditionalSelect(Vector256.LessThan(hash, bound).AsSingle(), kept, Vector256<float>.Zero)
                    .StoreUnsafe(ref destination, (nuint)i);
            }
        }

        for (; i < mask.Length; i++)
        {
            mask[i] = Hash((uint)(firstElement + i), key1, key2) < threshold ? scale : 0f;
        }
    }

    // murmur3's 32-bit finaliser over the keyed element index.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Hash(uint index, uint key1, uint key2)
    {
        uint h = (index ^ key1) * 0x9E3779B1u;
        h += key2;
        h ^= h >> 16;
        h *= 0x85EBCA6Bu;
        h ^= h >> 13;
        h *= 0xC2B2AE35u;
        h ^= h >> 16;
        return h;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Hash(Vector512<uint> index, uint key1, uint key2)
    {
        Vector512<uint> h = (index ^ Vector512.Create(key1)) * Vector512.Create(0x9E3779B1u);
        h += Vector512.Create(key2);
        h ^= Vector512.ShiftRightLogical(h, 16);
        h *= Vector512.Create(0x85EBCA6Bu);
        h ^= Vector512.ShiftRightLogical(h, 13);
        h *= Vector512.Create(0xC2B2AE35u);
        h ^= Vector512.ShiftRightLogical(h, 16);
        return h;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Hash(Vector256<uint> index, uint key1, uint key2)
    {
        Vector256<uint> h = (index ^ Vector256.Create(key1)) * Vector256.Create(0x9E3779B1u);
        h += Vector256.Create(key2);
        h ^= Vector256.ShiftRightLogical(h, 16);
        h *= Vector256.Create(0x85EBCA6Bu);
        h ^= Vector256.ShiftRightLogical(h, 13);
        h *= Vector256.Create(0xC2B2AE35u);
        h ^= Vector256.ShiftRightLogical(h, 16);
        return h;
    }
}
