using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ConvGen.Threading;

namespace ConvGen.Kernels;

/// <summary>
/// Data movement the generated kernels need around their arithmetic: zero padding, dilation, cropping and the
/// transposed kernels of backward passes. Tensors are NHWC; sizes are the generated constants.
/// </summary>
public static class TensorLayout
{
    /// <summary>Sets <paramref name="length"/> floats to zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Clear(ref float destination, int length) => MemoryMarshal.CreateSpan(ref destination, length).Clear();

    /// <summary>Copies <paramref name="length"/> floats, or part <paramref name="part"/> of <paramref name="parts"/> of
    /// them.</summary>
    public static void Copy(ref float source, ref float destination, int length, int part = 0, int parts = 1)
    {
        (int first, int end) = Partition.Blocks(length, KerasConventions.Alignment, part, parts);
        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref source, first), end - first).CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref destination, first), end - first));
    }

    /// <summary>Whether <paramref name="length"/> floats at <paramref name="a"/> and at <paramref name="b"/> are the
    /// same bit for bit (0 and −0 differ, a NaN equals the same NaN): whether a value computed from the ones at
    /// <paramref name="b"/> is still that of the ones at <paramref name="a"/>.</summary>
    public static bool SameBits(ref float a, ref float b, int length) =>
        MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref a, length)).SequenceEqual(MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref b, length)));

    /// <summary>
    /// Sets to zero the cells of [count, H, W, C] outside its top-left [coveredHeight, coveredWidth] block: the cells no
    /// pooling window covers when disjoint windows leave the last rows or columns out.
    /// </summary>
    public static void ClearOutside(ref float tensor, int count, int height, int width, int channels, int coveredHeight, int coveredWidth)
    {
        int row = width * channels;
        int coveredRow = coveredWidth * channels;
        for (int n = 0; n < count; n++)
        {
            ref float image = ref Unsafe.Add(ref tensor, n * height * row);
            if (coveredWidth < width)
            {
                for (int y = 0; y < coveredHeight; y++)
                {
                    Clear(ref Unsafe.Add(ref image, (y * row) + coveredRow), row - coveredRow);
                }
            }

            Clear(ref Unsafe.Add(ref image, coveredHeight * row), (height - coveredHeight) * row);
        }
    }

    /// <summary>
    /// Copies [count, H, W, C] into the interior of [count, H + top + bottom, W + left + right, C]. The border is not
    /// written: the destination is a region only this copy writes, zero since it was allocated. Part
    /// <paramref name="part"/> of <paramref name="parts"/> copies rows <c>Partition.Range(H, part, parts)</c> of every
    /// image: the rows the same part of a split pass's direct convolution, pooling or batch normalisation wrote, so it
    /// needs no barrier after them.
    /// </summary>
    public static void Pad(ref float source, ref float destination, int count, int height, int width, int channels, int top, int left, int bottom, int right, int part = 0, int parts = 1)
    {
        int paddedHeight = height + top + bottom;
        int paddedWidth = width + left + right;
        int row = width * channels;
        (int first, int end) = Partition.Range(height, part, parts);
        for (int n = 0; n < count; n++)
        {
            for (int y = first; y < end; y++)
            {
                ref float from = ref Unsafe.Add(ref source, ((n * height) + y) * row);
                ref float to = ref Unsafe.Add(ref destination, ((((n * paddedHeight) + top + y) * paddedWidth) + left) * channels);
                MemoryMarshal.CreateReadOnlySpan(ref from, row).CopyTo(MemoryMarshal.CreateSpan(ref to, row));
            }
        }
    }

    /// <summary>
    /// Spreads [count, H, W, C] over [count, outH, outW, C]: value (y, x) lands at (top + y·strideH, left + x·strideW);
    /// nothing else is written, so the destination is a region only this copy writes, zero since it was allocated.
    /// With strides 1 this is <see cref="Pad"/>; the backward pass of a convolution uses it to turn the output gradient
    /// into the input of a stride-1 convolution.
    /// </summary>
    public static void Dilate(ref float source, ref float destination, int count, int height, int width, int channels, int strideHeight, int strideWidth, int top, int left, int outHeight, int outWidth)
    {
        if (strideHeight == 1 && strideWidth == 1)
        {
            Pad(ref source, ref destination, count, height, width, channels, top, left, outHeight - height - top, outWidth - width - left);
            return;
        }

        for (int n = 0; n < count; n++)
        {
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    ref float from = ref Unsafe.Add(ref source, (((n * height) + y) * width + x) * channels);
                    ref float to = ref Unsafe.Add(ref destination, ((((n * outHeight) + top + (y * strideHeight)) * outWidth) + left + (x * strideWidth)) * channels);
                    MemoryMarshal.CreateReadOnlySpan(ref from, channels).CopyTo(MemoryMarshal.CreateSpan(ref to, channels));
                }
            }
        }
    }

    /// <summary>Copies the window starting at (top, left) of each [sourceH, sourceW, C] image into [count, H, W, C].</summary>
    public static void Crop(ref float source, ref float destination, int count, int sourceHeight, int sourceWidth, int channels, int top, int left, int height, int width)
    {
        int row = width * channels;
        for (int n = 0; n < count; n++)
        {
            for (int y = 0; y < height; y++)
            {
                ref float from = ref Unsafe.Add(ref source, ((((n * sourceHeight) + top + y) * sourceWidth) + left) * channels);
                ref float to = ref Unsafe.Add(ref destination, ((n * height) + y) * row);
                MemoryMarshal.CreateReadOnlySpan(ref from, row).CopyTo(MemoryMarshal.CreateSpan(ref to, row));
            }
        }
    }

    /// <summary>
    /// The kernel of the input-gradient convolution: K'[ky, kx, f, c] = K[KH - 1 - ky, KW - 1 - kx, c, f], so that
    /// the input gradient is the stride-1 convolution of the (dilated, padded) output gradient with K'. Part
    /// <paramref name="part"/> of <paramref name="parts"/> of the kernel's taps: the threads of a step each flip a share.
    /// </summary>
    public static void FlipTransposeKernel(ref float kernel, ref float flipped, int kernelHeight, int kernelWidth, int inChannels, int outChannels, int part = 0, int parts = 1)
    {
        int taps = kernelHeight * kernelWidth;
        (int first, int end) = Partition.Range(taps, part, parts);
        for (int tap = first; tap < end; tap++)
        {
            int ky = tap / kernelWidth;
            int kx = tap % kernelWidth;
            ref float from = ref Unsafe.Add(ref kernel, tap * inChannels * outChannels);
            ref float to = ref Unsafe.Add(ref flipped, (((kernelHeight - 1 - ky) * kernelWidth) + (kernelWidth - 1 - kx)) * inChannels * outChannels);
            Transpose(ref from, ref to, inChannels, outChannels);
        }
    }

    /// <summary>Writes the transpose [columns, rows] of the row-major [rows, columns] matrix: part
    /// <paramref name="part"/> of <paramref name="parts"/> of its rows (the threads of a step each transpose a share).</summary>
    public static void Transpose(ref float matrix, ref float transposed, int rows, int columns, int part = 0, int parts = 1)
    {
        (int first, int end) = Partition.Range(rows, part, parts);
        TransposeRowRange(ref matrix, ref transposed, rows, columns, first, end);
    }

    /// <summary>Writes the rows [First, End) of a row-major matrix of <paramref name="columns"/> columns into the same
    /// columns of its transpose, whose rows are <paramref name="transposedStride"/> floats apart: a thread that owns
    /// those rows (a layer trained by rows) transposes them alone.</summary>
    public static void TransposeRows(ref float matrix, ref float transposed, int columns, (int First, int End) range, int transposedStride) =>
        TransposeRowRange(ref matrix, ref transposed, transposedStride, columns, range.First, range.End);

    private static void TransposeRowRange(ref float matrix, ref float transposed, int transposedStride, int columns, int firstRow, int endRow)
    {
        int r0 = firstRow;
        if (Avx.IsSupported)
        {
            // 8×8 blocks through registers: eight row loads, the shuffle network, eight column stores.
            for (; r0 + 8 <= endRow; r0 += 8)
            {
                int c0 = 0;
                for (; c0 + 8 <= columns; c0 += 8)
                {
                    Transpose8x8(ref Unsafe.Add(ref matrix, (r0 * columns) + c0), columns, ref Unsafe.Add(ref transposed, (c0 * transposedStride) + r0), transposedStride);
                }

                TransposeScalar(ref matrix, ref transposed, transposedStride, columns, r0, r0 + 8, c0, columns);
            }
        }

        TransposeScalar(ref matrix, ref transposed, transposedStride, columns, r0, endRow, 0, columns);
    }

    private static void TransposeScalar(ref float matrix, ref float transposed, int transposedStride, int columns, int firstRow, int endRow, int firstColumn, int endColumn)
    {
        for (int r = firstRow; r < endRow; r++)
        {
            for (int c = firstColumn; c < endColumn; c++)
            {
                Unsafe.Add(ref transposed, (c * transposedStride) + r) = Unsafe.Add(ref matrix, (r * columns) + c);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(ref float source, int sourceStride, ref float destination, int destinationStride)
    {
        Vector256<float> r0 = Vector256.LoadUnsafe(ref source);
        Vector256<float> r1 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, sourceStride));
        Vector256<float> r2 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 2 * sourceStride));
        Vector256<float> r3 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 3 * sourceStride));
        Vector256<float> r4 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 4 * sourceStride));
        Vector256<float> r5 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 5 * sourceStride));
        Vector256<float> r6 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 6 * sourceStride));
        Vector256<float> r7 = Vector256.LoadUnsafe(ref Unsafe.Add(ref source, 7 * sourceStride));

        Vector256<float> t0 = Avx.UnpackLow(r0, r1);
        Vector256<float> t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3);
        Vector256<float> t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5);
        Vector256<float> t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7);
        Vector256<float> t7 = Avx.UnpackHigh(r6, r7);

        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44);
        Vector256<float> s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44);
        Vector256<float> s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44);
        Vector256<float> s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44);
        Vector256<float> s7 = Avx.Shuffle(t5, t7, 0xEE);

        Avx.Permute2x128(s0, s4, 0x20).StoreUnsafe(ref destination);
        Avx.Permute2x128(s1, s5, 0x20).StoreUnsafe(ref Unsafe.Add(ref destination, destinationStride));
        Avx.Permute2x128(s2, s6, 0x20).StoreUnsafe(ref Unsafe.Add(ref destination, 2 * destinationStride));
        Avx.Permute2x128(s3, s7, 0x20).StoreUnsafe(ref Unsafe.Add(ref destination, 3 * destinationStride));
        Avx.Permute2x128(s0, s4, 0x31).StoreUnsafe(ref Unsafe.Add(ref destination, 4 * destinationStride));
        Avx.Permute2x128(s1, s5, 0x31).StoreUnsafe(ref Unsafe.Add(ref destination, 5 * destinationStride));
        Avx.Permute2x128(s2, s6, 0x31).StoreUnsafe(ref Unsafe.Add(ref destination, 6 * destinationStride));
        Avx.Permute2x128(s3, s7, 0x31).StoreUnsafe(ref Unsafe.Add(ref destination, 7 * destinationStride));
    }
}
