using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ConvGen.Kernels;

/// <summary>
/// Loads and stores of the first <c>count</c> lanes of a vector, for the tails of rows whose length is not a multiple of
/// the vector width. They touch exactly <c>count</c> floats (masked instructions where the CPU has them), so a tail
/// never reads past a caller's array nor writes over a neighbour's values. The references must point into pinned
/// memory (the model and workspace buffers are).
/// </summary>
public static class Lanes
{
    /// <summary>Stores lanes 0 … <paramref name="count"/> - 1 of <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StoreFirst(ref float destination, Vector512<float> value, int count)
    {
        if (Avx512F.IsSupported)
        {
            Avx512F.MaskStore((float*)Unsafe.AsPointer(ref destination), Mask512(count), value);
            return;
        }

        for (int i = 0; i < count; i++)
        {
            Unsafe.Add(ref destination, i) = value.GetElement(i);
        }
    }

    /// <summary>Stores lanes 0 … <paramref name="count"/> - 1 of <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StoreFirst(ref float destination, Vector256<float> value, int count)
    {
        // With AVX-512 the masked store takes its mask in a mask register and its value in any of the 32 vector
        // registers; AVX's VEX-encoded one needs both in registers 0–15, which a tall tile's accumulators fill (the JIT
        // then spilled an accumulator to free one).
        if (Avx512F.VL.IsSupported)
        {
            Avx512F.VL.MaskStore((float*)Unsafe.AsPointer(ref destination), Mask256(count), value);
            return;
        }

        if (Avx.IsSupported)
        {
            Avx.MaskStore((float*)Unsafe.AsPointer(ref destination), Mask256(count), value);
            return;
        }

        for (int i = 0; i < count; i++)
        {
            Unsafe.Add(ref destination, i) = value.GetElement(i);
        }
    }

    /// <summary>Stores lanes 0 … <paramref name="count"/> - 1 of <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreFirst(ref float destination, Vector128<float> value, int count)
    {
        for (int i = 0; i < count; i++)
        {
            Unsafe.Add(ref destination, i) = value.GetElement(i);
        }
    }

    /// <summary>Loads <paramref name="count"/> floats into the first lanes; the other lanes are zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector512<float> LoadFirst512(ref float source, int count)
    {
        if (Avx512F.IsSupported)
        {
            return Avx512F.MaskLoad((float*)Unsafe.AsPointer(ref source), Mask512(count), Vector512<float>.Zero);
        }

        Vector512<float> value = Vector512<float>.Zero;
        for (int i = 0; i < count; i++)
        {
            value = value.WithElement(i, Unsafe.Add(ref source, i));
        }

        return value;
    }

    /// <summary>Loads <paramref name="count"/> floats into the first lanes; the other lanes are zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector256<float> LoadFirst256(ref float source, int count)
    {
        if (Avx.IsSupported)
        {
            return Avx.MaskLoad((float*)Unsafe.AsPointer(ref source), Mask256(count));
        }

        Vector256<float> value = Vector256<float>.Zero;
        for (int i = 0; i < count; i++)
        {
            value = value.WithElement(i, Unsafe.Add(ref source, i));
        }

        return value;
    }

    /// <summary>Loads <paramref name="count"/> floats into the first lanes; the other lanes are zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> LoadFirst128(ref float source, int count)
    {
        Vector128<float> value = Vector128<float>.Zero;
        for (int i = 0; i < count; i++)
        {
            value = value.WithElement(i, Unsafe.Add(ref source, i));
        }

        return value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Mask512(int count) =>
        Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Mask256(int count) =>
        Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(count)).AsSingle();
}
