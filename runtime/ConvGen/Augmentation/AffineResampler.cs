using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace ConvGen.Augmentation;

/// <summary>
/// Resamples an image through an affine map in one pass, with bilinear interpolation: each output pixel takes the
/// input point the map sends it to, weighs the four pixels around that point by their distance, and reads taps that
/// fall outside the image by the fill mode. Vectorised over output pixels with <see cref="Vector{T}"/> (whatever
/// width the machine has); the four taps of a vector's pixels are read one by one from a small stack buffer of
/// indices, which costs less than the arithmetic around them on a 28 × 28 image.
/// </summary>
/// <remarks>
/// Every lane computes the same operations in the same order whatever the vector width, with fused multiply-adds where
/// the hardware has them, so an image comes out bit for bit the same on every path of one machine.
/// </remarks>
internal static class AffineResampler
{
    // Source coordinates are clamped to ±2^22 before rounding down: whole numbers there are exact in float and their
    // products with an image's width stay far from int overflow, and a tap that far out reads the fill anyway.
    private const float CoordinateLimit = 1 << 22;

    /// <summary>Writes <paramref name="map"/>(<paramref name="input"/>) to <paramref name="output"/>; both are images of
    /// <paramref name="grid"/>'s height and width with <paramref name="channels"/> channels, in height-width-channel
    /// order, and must not overlap.</summary>
    public static unsafe void Resample(ReadOnlySpan<float> input, Span<float> output, PixelGrid grid, int channels, AffineMap map, FillMode mode, float fill)
    {
        int pixels = grid.Height * grid.Width;
        if (input.Length < pixels * channels || output.Length < pixels * channels)
        {
            throw new ArgumentException($"An image of {grid.Height} × {grid.Width} × {channels} needs {pixels * channels} values.");
        }

        int lanes = Vector<float>.Count;
        Span<int> taps = stackalloc int[lanes];
        Span<float> values = stackalloc float[lanes];
        Span<float> result = stackalloc float[lanes];
        var fillValue = new Vector<float>(fill);
        fixed (float* source = input)
        {
            Resample(source, output, grid, channels, map, mode, fillValue, taps, values, result);
        }
    }

    private static unsafe void Resample(float* source, Span<float> output, PixelGrid grid, int channels, AffineMap map, FillMode mode, Vector<float> fillValue, Span<int> taps, Span<float> values, Span<float> result)
    {
        int pixels = grid.Height * grid.Width;
        int lanes = Vector<float>.Count;
        for (int first = 0; first < pixels; first += lanes)
        {
            // The grid is padded to whole vectors with coordinates inside the image, so the last block reads nothing
            // out of bounds; only its first pixels are written.
            var row = new Vector<float>(grid.Rows.AsSpan(first, lanes));
            var column = new Vector<float>(grid.Columns.AsSpan(first, lanes));
            Vector<float> sourceRow = Clamp(MultiplyAdd(new Vector<float>(map.RowFromColumn), column, MultiplyAdd(new Vector<float>(map.RowFromRow), row, new Vector<float>(map.RowOffset))));
            Vector<float> sourceColumn = Clamp(MultiplyAdd(new Vector<float>(map.ColumnFromColumn), column, MultiplyAdd(new Vector<float>(map.ColumnFromRow), row, new Vector<float>(map.ColumnOffset))));
            Vector<float> top = Vector.Floor(sourceRow);
            Vector<float> left = Vector.Floor(sourceColumn);
            Vector<float> down = sourceRow - top;
            Vector<float> right = sourceColumn - left;
            (Vector<int> row0, Vector<int> rowInside0) = Tap(top, grid.Height, mode);
            (Vector<int> row1, Vector<int> rowInside1) = Tap(top + Vector<float>.One, grid.Height, mode);
            (Vector<int> column0, Vector<int> columnInside0) = Tap(left, grid.Width, mode);
            (Vector<int> column1, Vector<int> columnInside1) = Tap(left + Vector<float>.One, grid.Width, mode);
            var width = new Vector<int>(grid.Width);
            var stride = new Vector<int>(channels);
            Vector<int> topLeftTap = ((row0 * width) + column0) * stride;
            Vector<int> topRightTap = ((row0 * width) + column1) * stride;
            Vector<int> bottomLeftTap = ((row1 * width) + column0) * stride;
            Vector<int> bottomRightTap = ((row1 * width) + column1) * stride;
            int count = Math.Min(lanes, pixels - first);
            for (int channel = 0; channel < channels; channel++)
            {
                float* plane = source + channel;
                Vector<float> topLeft = Gather(plane, topLeftTap, taps, values);
                Vector<float> topRight = Gather(plane, topRightTap, taps, values);
                Vector<float> bottomLeft = Gather(plane, bottomLeftTap, taps, values);
                Vector<float> bottomRight = Gather(plane, bottomRightTap, taps, values);
                if (mode == FillMode.Constant)
                {
                    topLeft = Vector.ConditionalSelect(rowInside0 & columnInside0, topLeft, fillValue);
                    topRight = Vector.ConditionalSelect(rowInside0 & columnInside1, topRight, fillValue);
                    bottomLeft = Vector.ConditionalSelect(rowInside1 & columnInside0, bottomLeft, fillValue);
                    bottomRight = Vector.ConditionalSelect(rowInside1 & columnInside1, bottomRight, fillValue);
                }

                // Along the columns on the two rows, then between the rows.
                Vector<float> upper = MultiplyAdd(right, topRight - topLeft, topLeft);
                Vector<float> lower = MultiplyAdd(right, bottomRight - bottomLeft, bottomLeft);
                Vector<float> value = MultiplyAdd(down, lower - upper, upper);
                if (channels == 1 && count == lanes)
                {
                    value.CopyTo(output[first..]);
                    continue;
                }

                value.CopyTo(result);
                for (int i = 0; i < count; i++)
                {
                    output[((first + i) * channels) + channel] = result[i];
                }
            }
        }
    }

    /// <summary>The values at <paramref name="taps"/> (indices from <paramref name="plane"/>, all inside the image): one
    /// hardware gather where the vector is AVX2's width, else one load per lane through the two buffers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector<float> Gather(float* plane, Vector<int> taps, Span<int> indices, Span<float> values)
    {
        if (Avx2.IsSupported && Vector<float>.Count == Vector256<float>.Count)
        {
            return Avx2.GatherVector256(plane, taps.AsVector256(), sizeof(float)).AsVector();
        }

        taps.CopyTo(indices);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = plane[indices[i]];
        }

        return new Vector<float>(values);
    }

    /// <summary>The row (or column) a tap at whole coordinate <paramref name="at"/> reads, among
    /// <paramref name="size"/>, and whether it lies inside the image (all lanes set when it does).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector<int> Index, Vector<int> Inside) Tap(Vector<float> at, int size, FillMode mode)
    {
        var last = new Vector<float>(size - 1);
        Vector<int> inside = Vector.GreaterThanOrEqual(at, Vector<float>.Zero) & Vector.LessThanOrEqual(at, last);
        Vector<float> index = mode switch
        {
            FillMode.Reflect => Reflect(at, size),
            FillMode.Wrap => Modulo(at, size),
            _ => Vector.Min(Vector.Max(at, Vector<float>.Zero), last),
        };
        return (Vector.ConvertToInt32(index), inside);
    }

    // abcddcba|abcd|dcbaabcd: position in a period of 2n, folded back in its second half.
    private static Vector<float> Reflect(Vector<float> at, int size)
    {
        Vector<float> inPeriod = Modulo(at, 2 * size);
        var period = new Vector<float>((2 * size) - 1);
        return Vector.ConditionalSelect(Vector.GreaterThanOrEqual(inPeriod, new Vector<float>(size)), period - inPeriod, inPeriod);
    }

    // at mod size, in [0, size): the floor of the quotient can be one off where the division rounds, so the result
    // is brought back into range once either way.
    private static Vector<float> Modulo(Vector<float> at, int size)
    {
        var period = new Vector<float>(size);
        Vector<float> remainder = at - (period * Vector.Floor(at / period));
        remainder = Vector.ConditionalSelect(Vector.LessThan(remainder, Vector<float>.Zero), remainder + period, remainder);
        return Vector.ConditionalSelect(Vector.GreaterThanOrEqual(remainder, period), remainder - period, remainder);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Clamp(Vector<float> coordinate) =>
        Vector.Min(Vector.Max(coordinate, new Vector<float>(-CoordinateLimit)), new Vector<float>(CoordinateLimit));

    /// <summary><c>a · b + c</c>, fused where the hardware fuses (x86 FMA3, Arm's AdvSimd), so every vector width
    /// rounds alike.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector<float> MultiplyAdd(Vector<float> a, Vector<float> b, Vector<float> c) =>
        Fma.IsSupported || AdvSimd.IsSupported ? Vector.FusedMultiplyAdd(a, b, c) : (a * b) + c;
}

/// <summary>The row and column of every pixel of a height × width image, as floats, padded to whole vectors with
/// pixel (0, 0): the coordinates the resampler maps, computed once per image size.</summary>
internal sealed class PixelGrid
{
    public PixelGrid(int height, int width)
    {
        Height = height;
        Width = width;
        int pixels = height * width;
        int padded = (pixels + Vector<float>.Count - 1) / Vector<float>.Count * Vector<float>.Count;
        Rows = new float[padded];
        Columns = new float[padded];
        for (int p = 0; p < pixels; p++)
        {
            Rows[p] = p / width;
            Columns[p] = p % width;
        }
    }

    public int Height { get; }

    public int Width { get; }

    public float[] Rows { get; }

    public float[] Columns { get; }
}
