using System.Runtime.Intrinsics;
using ConvGen.Kernels;
using ConvGen.Threading;

namespace ConvGen.Tests.Kernels;

/// <summary>The data movement the generated kernels call, against index-by-index definitions.</summary>
public class TensorLayoutTests
{
    [Fact]
    public void SameBitsComparesEveryFloatBitForBit()
    {
        float[] a = Values(70);
        float[] b = (float[])a.Clone();
        Assert.True(TensorLayout.SameBits(ref a[0], ref b[0], a.Length));
        foreach (int at in new[] { 0, 15, 16, 69 })
        {
            float[] changed = (float[])a.Clone();
            changed[at] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(changed[at]) ^ 1);
            Assert.False(TensorLayout.SameBits(ref a[0], ref changed[0], a.Length), $"the lowest bit of float {at}");
            Assert.True(TensorLayout.SameBits(ref a[0], ref changed[0], at), $"the floats before {at}");
        }

        // Equal values in different bits differ (a kernel's transform may differ with them); the same NaN is the same.
        float[] zero = [0f, float.NaN];
        float[] negativeZero = [-0f, float.NaN];
        Assert.False(TensorLayout.SameBits(ref zero[0], ref negativeZero[0], 2));
        Assert.True(TensorLayout.SameBits(ref zero[1], ref negativeZero[1], 1));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 13)]
    [InlineData(8, 8)]
    [InlineData(16, 24)]
    [InlineData(33, 17)]
    [InlineData(200, 10)]
    public void TransposeWritesEveryElementToItsMirror(int rows, int columns)
    {
        float[] matrix = Values(rows * columns);
        foreach (int parts in new[] { 1, 2, 3 })
        {
            var transposed = new float[rows * columns];
            for (int part = 0; part < parts; part++)
            {
                TensorLayout.Transpose(ref matrix[0], ref transposed[0], rows, columns, part, parts);
            }

            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < columns; c++)
                {
                    Assert.Equal(matrix[(r * columns) + c], transposed[(c * rows) + r]);
                }
            }
        }
    }

    [Theory]
    [InlineData(200, 200, 16)]
    [InlineData(90, 70, 16)]
    [InlineData(13, 9, 2)]
    public void TransposeRowsWritesOnlyTheOwnedColumnsOfAPaddedTranspose(int rows, int columns, int block)
    {
        // A thread of a layer trained by rows transposes its own rows into its own columns; the transpose's rows are a
        // whole number of 64-byte lines apart, and nothing else is written (the other threads' columns, the padding).
        int stride = (rows + 15) / 16 * 16;
        float[] matrix = Values(rows * columns);
        foreach (int parts in new[] { 1, 2, 3 })
        {
            for (int part = 0; part < parts; part++)
            {
                var transposed = new float[columns * stride];
                transposed.AsSpan().Fill(float.NaN);
                (int first, int end) = ConvGen.Threading.Partition.Blocks(rows, block, part, parts);
                TensorLayout.TransposeRows(ref matrix[0], ref transposed[0], columns, (first, end), stride);
                for (int c = 0; c < columns; c++)
                {
                    for (int r = 0; r < stride; r++)
                    {
                        float value = transposed[(c * stride) + r];
                        if (r >= first && r < end)
                        {
                            Assert.Equal(matrix[(r * columns) + c], value);
                        }
                        else
                        {
                            Assert.True(float.IsNaN(value), $"{parts} parts, part {part}: row {r} of column {c} written");
                        }
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 3)]
    [InlineData(3, 4)]
    public void PadCopiesEveryRowIntoTheInteriorAndLeavesTheBorder(int count, int parts)
    {
        // Parts cut the count · H rows anywhere, also inside an image.
        const int height = 5, width = 4, channels = 3, top = 1, left = 2, bottom = 2, right = 1;
        const int paddedHeight = height + top + bottom, paddedWidth = width + left + right;
        float[] source = Values(count * height * width * channels);
        var padded = new float[count * paddedHeight * paddedWidth * channels];
        for (int part = 0; part < parts; part++)
        {
            TensorLayout.Pad(ref source[0], ref padded[0], count, height, width, channels, top, left, bottom, right, part, parts);
        }

        for (int n = 0; n < count; n++)
        {
            for (int y = 0; y < paddedHeight; y++)
            {
                for (int x = 0; x < paddedWidth; x++)
                {
                    for (int c = 0; c < channels; c++)
                    {
                        bool inside = y >= top && y < top + height && x >= left && x < left + width;
                        float expected = inside ? source[((((n * height) + y - top) * width) + x - left) * channels + c] : 0f;
                        Assert.Equal(expected, padded[((((n * paddedHeight) + y) * paddedWidth) + x) * channels + c]);
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(25, 25, 8, 24, 24)]
    [InlineData(7, 5, 3, 6, 5)]
    [InlineData(7, 5, 3, 7, 4)]
    [InlineData(4, 4, 2, 4, 4)]
    public void ClearOutsideZeroesExactlyTheUncoveredCells(int height, int width, int channels, int coveredHeight, int coveredWidth)
    {
        const int Count = 3;
        float[] tensor = Values(Count * height * width * channels);
        float[] original = (float[])tensor.Clone();
        TensorLayout.ClearOutside(ref tensor[0], Count, height, width, channels, coveredHeight, coveredWidth);
        for (int n = 0; n < Count; n++)
        {
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    for (int c = 0; c < channels; c++)
                    {
                        int i = (((((n * height) + y) * width) + x) * channels) + c;
                        Assert.Equal(y < coveredHeight && x < coveredWidth ? original[i] : 0f, tensor[i]);
                    }
                }
            }
        }
    }

    [Fact]
    public void FlipTransposeKernelMirrorsTapsAndSwapsChannels()
    {
        const int KH = 3, KW = 2, C = 5, F = 7;
        float[] kernel = Values(KH * KW * C * F);
        foreach (int parts in new[] { 1, 2, 4 })
        {
            var flipped = new float[kernel.Length];
            for (int part = 0; part < parts; part++)
            {
                TensorLayout.FlipTransposeKernel(ref kernel[0], ref flipped[0], KH, KW, C, F, part, parts);
            }

            for (int ky = 0; ky < KH; ky++)
            {
                for (int kx = 0; kx < KW; kx++)
                {
                    for (int c = 0; c < C; c++)
                    {
                        for (int f = 0; f < F; f++)
                        {
                            float expected = kernel[((((ky * KW) + kx) * C) + c) * F + f];
                            float actual = flipped[(((((KH - 1 - ky) * KW) + (KW - 1 - kx)) * F) + f) * C + c];
                            Assert.Equal(expected, actual);
                        }
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 3)]
    public void DilateSpreadsValuesAndLeavesTheRestAsItWas(int strideHeight, int strideWidth)
    {
        const int N = 2, H = 3, W = 4, C = 3, Top = 2, Left = 1;
        int outHeight = ((H - 1) * strideHeight) + 1 + (2 * Top);
        int outWidth = ((W - 1) * strideWidth) + 1 + (2 * Left);
        float[] source = Values(N * H * W * C);
        var destination = new float[N * outHeight * outWidth * C];
        const float Untouched = -7f;
        Array.Fill(destination, Untouched);
        TensorLayout.Dilate(ref source[0], ref destination[0], N, H, W, C, strideHeight, strideWidth, Top, Left, outHeight, outWidth);
        var written = new bool[destination.Length];
        for (int n = 0; n < N; n++)
        {
            for (int y = 0; y < H; y++)
            {
                for (int x = 0; x < W; x++)
                {
                    for (int c = 0; c < C; c++)
                    {
                        int at = ((((n * outHeight) + Top + (y * strideHeight)) * outWidth) + Left + (x * strideWidth)) * C + c;
                        Assert.Equal(source[((((n * H) + y) * W) + x) * C + c], destination[at]);
                        written[at] = true;
                    }
                }
            }
        }

        // Only the data positions are written: the region's zero border (from its allocation) is never touched.
        for (int i = 0; i < destination.Length; i++)
        {
            if (!written[i])
            {
                Assert.Equal(Untouched, destination[i]);
            }
        }
    }

    [Fact]
    public void CropCopiesTheWindow()
    {
        const int N = 2, SH = 6, SW = 5, C = 2, Top = 1, Left = 2, H = 3, W = 2;
        float[] source = Values(N * SH * SW * C);
        var destination = new float[N * H * W * C];
        TensorLayout.Crop(ref source[0], ref destination[0], N, SH, SW, C, Top, Left, H, W);
        for (int n = 0; n < N; n++)
        {
            for (int y = 0; y < H; y++)
            {
                for (int x = 0; x < W; x++)
                {
                    for (int c = 0; c < C; c++)
                    {
                        Assert.Equal(source[((((n * SH) + Top + y) * SW) + Left + x) * C + c], destination[((((n * H) + y) * W) + x) * C + c]);
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(15)]
    [InlineData(16)]
    public void LanesTouchExactlyTheFirstCount(int count)
    {
        // Stores write exactly `count` floats (a neighbour's values stay), loads read exactly `count` (zeros after).
        // Each width stores into a buffer of its own, so one width's lanes cannot hide another's.
        var buffer = GC.AllocateArray<float>(48, pinned: true);
        var buffer256 = GC.AllocateArray<float>(48, pinned: true);
        var buffer128 = GC.AllocateArray<float>(48, pinned: true);
        Array.Fill(buffer, -1f);
        Array.Fill(buffer256, -1f);
        Array.Fill(buffer128, -1f);
        Vector512<float> value = Vector512.Create(3f);
        Lanes.StoreFirst(ref buffer[8], value, count);
        Lanes.StoreFirst(ref buffer256[8], value.GetLower(), Math.Min(count, 8));
        Lanes.StoreFirst(ref buffer128[8], value.GetLower().GetLower(), Math.Min(count, 4));
        for (int i = 0; i < buffer.Length; i++)
        {
            Assert.Equal(i >= 8 && i < 8 + count ? 3f : -1f, buffer[i]);
            Assert.Equal(i >= 8 && i < 8 + Math.Min(count, 8) ? 3f : -1f, buffer256[i]);
            Assert.Equal(i >= 8 && i < 8 + Math.Min(count, 4) ? 3f : -1f, buffer128[i]);
        }

        Vector512<float> loaded = Lanes.LoadFirst512(ref buffer[8], count);
        Vector256<float> loaded256 = Lanes.LoadFirst256(ref buffer[8], Math.Min(count, 8));
        Vector128<float> loaded128 = Lanes.LoadFirst128(ref buffer[8], Math.Min(count, 4));
        for (int i = 0; i < 16; i++)
        {
            Assert.Equal(i < count ? 3f : 0f, loaded.GetElement(i));
            if (i < 8)
            {
                Assert.Equal(i < Math.Min(count, 8) ? 3f : 0f, loaded256.GetElement(i));
            }

            if (i < 4)
            {
                Assert.Equal(i < Math.Min(count, 4) ? 3f : 0f, loaded128.GetElement(i));
            }
        }
    }

    [Fact]
    public void PadPartCopiesItsRowsOfEveryImage()
    {
        // The rows a split pass's convolutions, poolings and batch normalisations of images give each part: the copy
        // reads only those, so it needs no barrier after them.
        const int count = 3, height = 7, width = 2, channels = 2, parts = 2;
        float[] source = Values(count * height * width * channels);
        for (int part = 0; part < parts; part++)
        {
            var padded = new float[count * (height + 2) * (width + 2) * channels];
            TensorLayout.Pad(ref source[0], ref padded[0], count, height, width, channels, 1, 1, 1, 1, part, parts);
            (int first, int end) = Partition.Range(height, part, parts);
            for (int n = 0; n < count; n++)
            {
                for (int y = 0; y < height; y++)
                {
                    float firstValue = padded[((((n * (height + 2)) + y + 1) * (width + 2)) + 1) * channels];
                    Assert.Equal(y >= first && y < end ? source[((n * height) + y) * width * channels] : 0f, firstValue);
                }
            }
        }
    }

    private static float[] Values(int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = i + 1;
        }

        return values;
    }
}
