using ConvGen.Kernels;

namespace ConvGen.Tests.Kernels;

/// <summary>The index list of nonzero inputs that one-sample Dense products read the kernel rows of.</summary>
public class NonzeroInputsTests
{
    [Fact]
    public void FindsEveryInputThatIsNotZeroInOrder()
    {
        // Zeros of both signs are skipped; NaN, infinities and the smallest subnormal are not zero. Ranges start and
        // end off the vector width, so the vector loop, its tail and the one-by-one rest all take part.
        var random = new Random(3);
        var input = new float[700];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = random.Next(4) switch
            {
                0 => 0f,
                1 => -0f,
                _ => (float)random.NextDouble() - 0.5f,
            };
        }

        input[17] = float.NaN;
        input[40] = float.NegativeInfinity;
        input[41] = float.Epsilon;
        input.AsSpan(100, 60).Clear();
        var indices = new int[NonzeroInputs.ListLength];
        foreach ((int first, int end) in new[] { (0, 256), (3, 259), (17, 18), (100, 160), (90, 101), (444, 700), (5, 5) })
        {
            int[] expected = Enumerable.Range(first, end - first).Where(k => input[k] != 0).ToArray();
            int found = NonzeroInputs.Find(ref input[0], first, end, indices);
            Assert.Equal(expected, indices[..found]);
        }
    }

    [Fact]
    public void RefusesMoreThanAChunkOrTooShortAList()
    {
        var input = new float[600];
        Assert.Throws<ArgumentException>(() => NonzeroInputs.Find(ref input[0], 0, NonzeroInputs.Chunk + 1, new int[NonzeroInputs.ListLength]));
        Assert.Throws<ArgumentException>(() => NonzeroInputs.Find(ref input[0], 0, 16, new int[NonzeroInputs.ListLength - 1]));
    }
}
