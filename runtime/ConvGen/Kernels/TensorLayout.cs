using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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

    /// <summary>Copies [count, H, W, C] into the interior of a zeroed [count, H + top + bottom, W + left + right, C].</summary>
    public static void Pad(ref float source, ref float destination, int count, int height, int width, int channels, int top, int left, int bottom, int right)
    {
        int paddedHeight = height + top + bottom;
        int paddedWidth = width + left + right;
        int row = width * channels;
        Clear(ref destination, count * paddedHeight * paddedWidth * channels);
        for (int n = 0; n < count; n++)
        {
            for (int y = 0; y < height; y++)
            {
                ref float from = ref Unsafe.Add(ref source, ((n * height) + y) * row);
                ref float to = ref Unsafe.Add(ref destination, ((((n * paddedHeight) + top + y) * paddedWidth) + left) * channels);
                MemoryMarshal.CreateReadOnlySpan(ref from, row).CopyTo(MemoryMarshal.CreateSpan(ref to, row));
            }
        }
    }

    /// <summary>
    /// Spreads [count, H, W, C] over a zeroed [count, outH, outW, C]: value (y, x) lands at
    /// (top + y·strideH, left + x·strideW). With strides 1 this is <see cref="Pad"/>; the backward pass of a strided
    /// convolution uses it to turn the output gradient into the input of a stride-1 convolution.
    /// </summary>
    public static void Dilate(ref float source, ref float destination, int count, int height, int width, int channels, int strideHeight, int strideWidth, int top, int left, int outHeight, int outWidth)
    {
        Clear(ref destination, count * outHeight * outWidth * channels);
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
    /// the input gradient is the stride-1 convolution of the (dilated, padded) output gradient with K'.
    /// </summary>
    public static void FlipTransposeKernel(ref float kernel, ref float flipped, int kernelHeight, int kernelWidth, int inChannels, int outChannels) =>
        FlipTransposeKernel(ref kernel, ref flipped, kernelHeight, kernelWidth, inChannels, outChannels, part: 0, parts: 1);

    /// <summary>Part <paramref name="part"/> of <paramref name="parts"/> of <see cref="FlipTransposeKernel(ref float, ref float, int, int, int, int)"/>:
    /// the threads of a step each flip a share of the kernel's taps.</summary>
    public static void FlipTransposeKernel(ref float kernel, ref float flipped, int kernelHeight, int kernelWidth, int inChannels, int outChannels, int part, int parts)
    {
        int taps = kernelHeight * kernelWidth;
        (int first, int end) = Share(taps, part, parts);
        for (int tap = first; tap < end; tap++)
        {
            int ky = tap / kernelWidth;
            int kx = tap % kernelWidth;
            ref float from = ref Unsafe.Add(ref kernel, tap * inChannels * outChannels);
            ref float to = ref Unsafe.Add(ref flipped, (((kernelHeight - 1 - ky) * kernelWidth) + (kernelWidth - 1 - kx)) * inChannels * outChannels);
            Transpose(ref from, ref to, inChannels, outChannels);
        }
    }

    /// <summary>Part <paramref name="part"/> of <paramref name="parts"/> of <see cref="Transpose(ref float, ref float, int, int)"/>:
    /// the threads of a step each transpose a share of the rows.</summary>
    public static void Transpose(ref float matrix, ref float transposed, int rows, int columns, int part, int parts)
    {
        (int first, int end) = Share(rows, part, parts);
        TransposeRows(ref matrix, ref transposed, rows, columns, first, end);
    }

    /// <summary>Writes the transpose [columns, rows] of the row-major [rows, columns] matrix.</summary>
    public static void Transpose(ref float matrix, ref float transposed, int rows, int columns) =>
        TransposeRows(ref matrix, ref transposed, rows, columns, 0, rows);

    private static (int First, int End) Share(int count, int part, int parts)
    {
        int size = (count + parts - 1) / parts;
        int first = Math.Min(count, part * size);
        return (first, Math.Min(count, first + size));
    }

    private static void TransposeRows(ref float matrix, ref float transposed, int rows, int columns, int firstRow, int endRow)
    {
        const int Block = 16;
        for (int r0 = firstRow; r0 < endRow; r0 += Block)
        {
            int r1 = Math.Min(endRow, r0 + Block);
            for (int c0 = 0; c0 < columns; c0 += Block)
            {
                int c1 = Math.Min(columns, c0 + Block);
                for (int r = r0; r < r1; r++)
                {
                    for (int c = c0; c < c1; c++)
                    {
                        Unsafe.Add(ref transposed, (c * rows) + r) = Unsafe.Add(ref matrix, (r * columns) + c);
                    }
                }
            }
        }
    }
}
