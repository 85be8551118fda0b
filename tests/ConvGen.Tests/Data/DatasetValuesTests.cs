namespace ConvGen.Tests.Data;

/// <summary>Where data enters, a NaN or an infinity is refused with the sample that holds it, unless the caller lets it
/// in explicitly: before, one NaN pixel silently turned training and the batch-normalisation statistics into NaN.</summary>
public class DatasetValuesTests
{
    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    [InlineData(float.NegativeInfinity, "-Infinity")]
    public void ANonFiniteValueIsRefusedWithTheFirstSampleHoldingIt(float bad, string shown)
    {
        // 40 samples of 3 × 3 × 2: long enough for the vector scan, the first bad value in sample 29.
        var images = new float[40 * 18];
        images[(29 * 18) + 5] = bad;
        images[(33 * 18) + 1] = float.NaN;

        var error = Assert.Throws<ArgumentException>(() => new Dataset(images, new int[40], 3, 3, 2));

        Assert.Equal(
            $"Sample 29 holds {shown} (value 5 of its 18); every value must be a finite number. Clean or drop the sample, or pass allowNonFinite: true to keep it. (Parameter 'images')",
            error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(99)]
    public void EveryPositionIsChecked(int position)
    {
        // Vector-width boundaries and the scalar tail alike.
        var images = new float[100];
        images[position] = float.NaN;
        var error = Assert.Throws<ArgumentException>(() => new Dataset(images, new int[100], 1));
        Assert.StartsWith($"Sample {position} holds NaN (value 0 of its 1)", error.Message);
    }

    [Fact]
    public void NonFiniteValuesAreKeptWhenAllowedAndSlicesAndSelectionsKeepTheAllowance()
    {
        var images = new float[] { 1, float.NaN, 3, float.PositiveInfinity };
        var data = new Dataset(images, [0, 1, 0, 1], Shape.Flat(1), allowNonFinite: true);

        Assert.True(data.AllowsNonFinite);
        Assert.True(float.IsNaN(data.ImageSpan(1)[0]));
        Assert.True(data.Slice(1, 2).AllowsNonFinite);
        Dataset selected = data.Select([3, 1]);
        Assert.True(selected.AllowsNonFinite);
        Assert.True(float.IsPositiveInfinity(selected.ImageSpan(0)[0]));
        Assert.False(new Dataset([1f, 2f], [0, 1], 1).AllowsNonFinite);
    }

    [Fact]
    public void FiniteExtremesAreAccepted()
    {
        var data = new Dataset([float.MaxValue, float.MinValue, float.Epsilon, -0f], [0, 0, 0, 0], 1);
        Assert.Equal(4, data.Count);
    }
}
