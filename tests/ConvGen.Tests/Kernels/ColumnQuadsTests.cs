using System.Runtime.Intrinsics;
using ConvGen.Kernels;

namespace ConvGen.Tests.Kernels;

/// <summary>The blocks of a product's last four columns (the column-quad tiles' operands and results), against
/// index-by-index definitions: lane 4j + i pairs column j with row (or step) i.</summary>
public class ColumnQuadsTests
{
    [Theory]
    [InlineData(20, 0, 8)]
    [InlineData(20, 4, 12)]
    [InlineData(28, 8, 20)]
    public void PackByRowsPutsEachBlockOfFourRowsColumnByColumn(int columns, int first, int end)
    {
        float[] matrix = Pinned(Values(24 * columns));
        float[] packed = Pinned(new float[24 * 4]);
        ColumnQuads.PackByRows(ref matrix[0], ref packed[0], columns, (first, end));

        for (int row = 0; row < 24; row++)
        {
            for (int j = 0; j < 4; j++)
            {
                float expected = row >= first && row < end ? matrix[(row * columns) + columns - 4 + j] : 0f;
                Assert.Equal(expected, packed[(row / 4 * 16) + (4 * j) + (row % 4)]);
            }
        }
    }

    [Fact]
    public void RepeatByRowsWritesEachOfTheLastFourColumnsFourTimes()
    {
        const int Rows = 5, Columns = 12;
        float[] matrix = Pinned(Values(Rows * Columns));
        float[] repeated = Pinned(new float[(Rows * 16) + 16]);
        ColumnQuads.RepeatByRows(ref matrix[0], ref repeated[0], Rows, Columns);

        for (int row = 0; row < Rows; row++)
        {
            for (int j = 0; j < 4; j++)
            {
                for (int copy = 0; copy < 4; copy++)
                {
                    Assert.Equal(matrix[(row * Columns) + Columns - 4 + j], repeated[(row * 16) + (4 * j) + copy]);
                }
            }
        }

        Assert.All(repeated[(Rows * 16)..], value => Assert.Equal(0f, value));
    }

    [Fact]
    public void LoadRepeatedPutsFourFloatsInEveryLane()
    {
        float[] values = Pinned(Values(8));
        Vector512<float> wide = ColumnQuads.LoadRepeated512(ref values[2]);
        Vector256<float> narrow = ColumnQuads.LoadRepeated256(ref values[2]);

        for (int lane = 0; lane < 16; lane++)
        {
            Assert.Equal(values[2 + (lane % 4)], wide[lane]);
        }

        for (int lane = 0; lane < 8; lane++)
        {
            Assert.Equal(values[2 + (lane % 4)], narrow[lane]);
        }
    }

    [Fact]
    public void SumStepsAddsTheFourStepsOfEachColumn()
    {
        float[] block = Values(16);
        Vector128<float> expected = Vector128.Create(1f + 2 + 3 + 4, 5 + 6 + 7 + 8, 9 + 10 + 11 + 12, 13 + 14 + 15 + 16);

        Assert.Equal(expected, ColumnQuads.SumSteps(Vector512.Create(block)));
        Assert.Equal(expected, ColumnQuads.SumSteps(Vector256.Create(block, 0), Vector256.Create(block, 8)));
    }

    [Fact]
    public void StoreRowsWritesEachRowsFourColumnsAndNothingElse()
    {
        const int Stride = 7;
        float[] block = Values(16);
        foreach (bool halves in new[] { false, true })
        {
            float[] destination = Pinned(new float[(4 * Stride) + 1]);
            if (halves)
            {
                ColumnQuads.StoreRows(Vector256.Create(block, 0), Vector256.Create(block, 8), ref destination[1], Stride);
            }
            else
            {
                ColumnQuads.StoreRows(Vector512.Create(block), ref destination[1], Stride);
            }

            var expected = new float[destination.Length];
            for (int row = 0; row < 4; row++)
            {
                for (int j = 0; j < 4; j++)
                {
                    expected[1 + (row * Stride) + j] = block[(4 * j) + row];
                }
            }

            Assert.Equal(expected, destination);
        }
    }

    private static float[] Values(int length) => Enumerable.Range(1, length).Select(v => (float)v).ToArray();

    // The loads and stores take references into pinned memory (the engine's buffers are).
    private static float[] Pinned(float[] values)
    {
        float[] pinned = GC.AllocateArray<float>(values.Length, pinned: true);
        values.CopyTo(pinned, 0);
        return pinned;
    }
}
