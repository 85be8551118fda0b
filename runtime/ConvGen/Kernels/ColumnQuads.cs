using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ConvGen.Kernels;

/// <summary>
/// The last four columns of a product whose other columns fill whole vectors (a Dense of 20 units: 16 + 4), kept in
/// blocks of 16 floats, 4 columns × 4 rows or 4 reduction steps, so no vector lane is empty. The generated tiles of such
/// a layer multiply a block by the four floats of the other operand repeated in every 128-bit lane
/// (<see cref="LoadRepeated512"/>): lane 4j + i of a block pairs column j with float i. These are the layouts the
/// blocks are packed into and the reductions and stores that undo them. References must point into pinned memory (the
/// model and workspace buffers are).
/// </summary>
public static class ColumnQuads
{
    /// <summary>The four floats at <paramref name="source"/> in each of the four 128-bit lanes: one broadcast load.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector512<float> LoadRepeated512(ref float source) =>
        Avx512F.IsSupported
            ? Avx512F.BroadcastVector128ToVector512((float*)Unsafe.AsPointer(ref source))
            : Vector512.Create(Vector128.LoadUnsafe(ref source));

    /// <summary>The four floats at <paramref name="source"/> in both 128-bit lanes: one broadcast load.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector256<float> LoadRepeated256(ref float source) =>
        Avx.IsSupported
            ? Avx.BroadcastVector128ToVector256((float*)Unsafe.AsPointer(ref source))
            : Vector256.Create(Vector128.LoadUnsafe(ref source));

    /// <summary>Column j's sum of the four floats in lanes 4j … 4j + 3, for j = 0 … 3: a block of 4 steps × 4 columns
    /// reduced over its steps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> SumSteps(Vector512<float> block)
    {
        Vector512<float> pairs = block + Vector512.Shuffle(block, Vector512.Create(1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14));
        Vector512<float> sums = pairs + Vector512.Shuffle(pairs, Vector512.Create(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13));
        return Vector512.Shuffle(sums, Vector512.Create(0, 4, 8, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)).GetLower().GetLower();
    }

    /// <summary><see cref="SumSteps(Vector512{float})"/> of a block held as two 8-float halves (columns 0–1, then 2–3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> SumSteps(Vector256<float> first, Vector256<float> second) => SumSteps(Vector512.Create(first, second));

    /// <summary>Stores a block of 4 rows × 4 columns (lane 4j + i: row i, column j) as four rows of four floats,
    /// <paramref name="stride"/> floats apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreRows(Vector512<float> block, ref float destination, int stride)
    {
        Vector512<float> rows = Vector512.Shuffle(block, Vector512.Create(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15));
        rows.GetLower().GetLower().StoreUnsafe(ref destination);
        rows.GetLower().GetUpper().StoreUnsafe(ref Unsafe.Add(ref destination, stride));
        rows.GetUpper().GetLower().StoreUnsafe(ref Unsafe.Add(ref destination, 2 * stride));
        rows.GetUpper().GetUpper().StoreUnsafe(ref Unsafe.Add(ref destination, 3 * stride));
    }

    /// <summary><see cref="StoreRows(Vector512{float}, ref float, int)"/> of a block held as two 8-float halves
    /// (columns 0–1, then 2–3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreRows(Vector256<float> first, Vector256<float> second, ref float destination, int stride) =>
        StoreRows(Vector512.Create(first, second), ref destination, stride);

    /// <summary>
    /// Packs the last four columns of the rows [First, End) of a row-major matrix of <paramref name="columns"/>
    /// columns (a kernel [features, units]) in blocks of four rows: block b (rows 4b … 4b + 3) at 16b, column j of row
    /// 4b + i at 16b + 4j + i. First and End are multiples of 4; each thread packs the rows it owns.
    /// </summary>
    public static void PackByRows(ref float matrix, ref float packed, int columns, (int First, int End) rows)
    {
        for (int row = rows.First; row < rows.End; row += 4)
        {
            ref float block = ref Unsafe.Add(ref packed, row * 4);
            for (int i = 0; i < 4; i++)
            {
                ref float tail = ref Unsafe.Add(ref matrix, ((row + i) * columns) + columns - 4);
                for (int j = 0; j < 4; j++)
                {
                    Unsafe.Add(ref block, (4 * j) + i) = Unsafe.Add(ref tail, j);
                }
            }
        }
    }

    /// <summary>
    /// Writes the last four columns of each of <paramref name="rows"/> rows of a row-major matrix of
    /// <paramref name="columns"/> columns (an output gradient [samples, units]) as 16 floats: each value four times, so
    /// row r's column j fills 16r + 4j … 16r + 4j + 3.
    /// </summary>
    public static void RepeatByRows(ref float matrix, ref float repeated, int rows, int columns)
    {
        for (int row = 0; row < rows; row++)
        {
            Vector128<float> tail = Vector128.LoadUnsafe(ref Unsafe.Add(ref matrix, (row * columns) + columns - 4));
            Vector512.Shuffle(Vector512.Create(tail), Vector512.Create(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3))
                .StoreUnsafe(ref Unsafe.Add(ref repeated, row * 16));
        }
    }
}
