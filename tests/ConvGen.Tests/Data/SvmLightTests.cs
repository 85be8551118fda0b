namespace ConvGen.Tests.Data;

public sealed class SvmLightTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void ReadsNotebookStyleLinesAsOneBasedFlatSamples()
    {
        string path = Write("5 1:3 3:18\n0 2:255\n");

        Dataset data = SvmLight.Load(path, features: 4);

        Assert.Equal(Shape.Flat(4), data.Shape);
        Assert.Equal([5, 0], data.Labels.ToArray());
        Assert.Equal([3f, 0f, 18f, 0f, 0f, 255f, 0f, 0f], data.Images.ToArray());
    }

    [Fact]
    public void IndexZeroAnywhereMakesTheFileZeroBased()
    {
        string path = Write("1 3:1\n2 1:5\n3 0:7\n");

        Dataset data = SvmLight.Load(path, features: 4);

        Assert.Equal([0f, 0f, 0f, 1f, 0f, 5f, 0f, 0f, 7f, 0f, 0f, 0f], data.Images.ToArray());
    }

    [Fact]
    public void IndexEqualToTheFeatureCountIsValidOneBased()
    {
        string path = Write("1 4:9 1:1\n");

        Assert.Equal([1f, 0f, 0f, 9f], SvmLight.Load(path, features: 4).Images.ToArray());
    }

    [Fact]
    public void ExplicitlyZeroBased()
    {
        string path = Write("1 3:1 1:2\n");

        Assert.Equal([0f, 2f, 0f, 1f], SvmLight.Load(path, features: 4, zeroBased: true).Images.ToArray());
    }

    [Fact]
    public void ExplicitlyOneBased()
    {
        string path = Write("1 3:1 1:2\n");

        Assert.Equal([2f, 0f, 1f, 0f], SvmLight.Load(path, features: 4, zeroBased: false).Images.ToArray());
    }

    [Fact]
    public void IndexZeroInAOneBasedFile()
    {
        string path = Write("1 1:1\n2 0:3 2:1\n");

        AssertInvalid(() => SvmLight.Load(path, 4, zeroBased: false), path, 2, "index 0 in '0:3' is out of range: one-based indices of 4 features run from 1 to 4");
    }

    [Fact]
    public void FeatureCountInAZeroBasedFile()
    {
        string path = Write("1 4:1\n");

        AssertInvalid(() => SvmLight.Load(path, 4, zeroBased: true), path, 1, "index 4 in '4:1' is out of range: zero-based indices of 4 features run from 0 to 3");
    }

    [Fact]
    public void FeatureCountInAFileThatTurnsOutZeroBased()
    {
        string path = Write("1 1:1\n2 4:2.5\n3 2:1\n4 0:1\n");

        AssertInvalid(
            () => SvmLight.Load(path, 4),
            path,
            2,
            "index 4 in '4:2.5' is out of range: index 0 on line 4 makes the file's indices zero-based, and zero-based indices of 4 features run from 0 to 3");
    }

    [Fact]
    public void IndexBeyondTheFeatures()
    {
        string path = Write("5 153:3 785:18\n");

        AssertInvalid(() => SvmLight.Load(path, 784), path, 1, "index 785 in '785:18' is out of range for 784 features (0 to 783 zero-based, 1 to 784 one-based)");
    }

    [Fact]
    public void NegativeIndex()
    {
        string path = Write("5 1:1\n5 -1:3\n");

        AssertInvalid(() => SvmLight.Load(path, 784), path, 2, "index -1 in '-1:3' is out of range for 784 features (0 to 783 zero-based, 1 to 784 one-based)");
    }

    [Fact]
    public void NegativeIndexWithExplicitBase()
    {
        string path = Write("5 -2:3\n");

        AssertInvalid(() => SvmLight.Load(path, 784, zeroBased: true), path, 1, "index -2 in '-2:3' is out of range: zero-based indices of 784 features run from 0 to 783");
    }

    [Fact]
    public void PairWithoutColon()
    {
        string path = Write("5 153:3\n1 153:3 154\n");

        AssertInvalid(() => SvmLight.Load(path, 784), path, 2, "'154' is not an index:value pair (it has no ':')");
    }

    [Theory]
    [InlineData("x:3", "the index 'x' in 'x:3' is not an integer")]
    [InlineData(":3", "the index '' in ':3' is not an integer")]
    [InlineData("1.5:3", "the index '1.5' in '1.5:3' is not an integer")]
    // An integer beyond int is out of range, not "not an integer" (as it was called before).
    [InlineData("99999999999:3", "index 99999999999 in '99999999999:3' is out of range for 784 features (0 to 783 zero-based, 1 to 784 one-based)")]
    [InlineData("-99999999999:3", "index -99999999999 in '-99999999999:3' is out of range for 784 features (0 to 783 zero-based, 1 to 784 one-based)")]
    [InlineData("3:x", "the value 'x' in '3:x' is not a finite number")]
    [InlineData("3:", "the value '' in '3:' is not a finite number")]
    [InlineData("3:1:2", "the value '1:2' in '3:1:2' is not a finite number")]
    [InlineData("3:nan", "the value 'nan' in '3:nan' is not a finite number")]
    [InlineData("3:Infinity", "the value 'Infinity' in '3:Infinity' is not a finite number")]
    [InlineData("3:1,5", "the value '1,5' in '3:1,5' is not a finite number")]
    [InlineData("qid:q", "the query id 'q' in 'qid:q' is not an integer")]
    public void MalformedPair(string token, string problem)
    {
        string path = Write($"# a comment\n\n1 1:1 {token} 2:2\n");

        AssertInvalid(() => SvmLight.Load(path, 784), path, 3, problem);
    }

    [Fact]
    public void DuplicateIndexOnALine()
    {
        string path = Write("1 3:1 4:2\n2 3:1 5:1 3:0\n");

        AssertInvalid(() => SvmLight.Load(path, 784), path, 2, "index 3 appears twice on the line (again in '3:0')");
    }

    [Fact]
    public void SameIndexOnDifferentLines()
    {
        string path = Write("1 3:1\n2 3:2\n");

        Assert.Equal([0f, 0f, 1f, 0f, 0f, 2f], SvmLight.Load(path, 3).Images.ToArray());
    }

    [Theory]
    [InlineData("5", 5)]
    [InlineData("5.0", 5)]
    [InlineData("+5", 5)]
    [InlineData("5e0", 5)]
    [InlineData("0", 0)]
    [InlineData("12", 12)]
    public void IntegerValuedLabels(string label, int expected)
    {
        string path = Write($"{label} 1:1\n");

        Assert.Equal(expected, SvmLight.Load(path, 2).Label(0));
    }

    [Theory]
    [InlineData("-1", "the label '-1' is negative; labels are class indices 0, 1, 2, ...")]
    [InlineData("1.5", "the label '1.5' is not an integer; labels are class indices 0, 1, 2, ...")]
    [InlineData("five", "the label 'five' is not a number")]
    [InlineData("NaN", "the label 'NaN' is not a number")]
    [InlineData("1,2", "the label '1,2' is not a number")]
    [InlineData("1:1", "the label '1:1' is not a number")]
    [InlineData("1e10", "the label '1e10' is too large for a class index")]
    public void BadLabel(string label, string problem)
    {
        string path = Write($"1 1:1\n2 2:1\n{label} 1:1\n");

        AssertInvalid(() => SvmLight.Load(path, 2), path, 3, problem);
    }

    [Fact]
    public void CommentsBlankLinesAndQueryIdsAreIgnored()
    {
        string path = Write("# MNIST, svmlight\n\n   \n3 qid:7 1:2 # two\n\t# indented comment\n4 qid:8 2:1\n");

        Dataset data = SvmLight.Load(path, 2);

        Assert.Equal([3, 4], data.Labels.ToArray());
        Assert.Equal([2f, 0f, 0f, 1f], data.Images.ToArray());
    }

    [Fact]
    public void LineNumbersCountCommentsAndBlankLines()
    {
        string path = Write("# header\n\n1 1:1\n\n# more\n1 1:x\n");

        AssertInvalid(() => SvmLight.Load(path, 2), path, 6, "the value 'x' in '1:x' is not a finite number");
    }

    [Fact]
    public void TabsAndWindowsLineEndings()
    {
        string path = Write("1\t1:2 \t2:3\r\n2  2:4\r\n");

        Dataset data = SvmLight.Load(path, 2);

        Assert.Equal([1, 2], data.Labels.ToArray());
        Assert.Equal([2f, 3f, 0f, 4f], data.Images.ToArray());
    }

    [Fact]
    public void LabelWithoutPairsIsAnAllZeroSample()
    {
        string path = Write("7\n1 2:1\n");

        Assert.Equal([0f, 0f, 0f, 1f], SvmLight.Load(path, 2).Images.ToArray());
    }

    [Fact]
    public void EmptyFileHasNoSamples()
    {
        string path = Write("");

        var error = Assert.Throws<InvalidDataException>(() => SvmLight.Load(path, 784));

        Assert.Equal($"'{path}': no samples; the file is empty or has only blank lines and comments", error.Message);
    }

    [Fact]
    public void CommentsOnlyHaveNoSamples()
    {
        string path = Write("# nothing here\n\n# still nothing\n");

        var error = Assert.Throws<InvalidDataException>(() => SvmLight.Load(path, 784));

        Assert.Equal($"'{path}': no samples; the file is empty or has only blank lines and comments", error.Message);
    }

    [Fact]
    public void ScaleMultipliesEveryValue()
    {
        string path = Write("5 1:255 2:3 3:-2.5\n");

        Dataset data = SvmLight.Load(path, 4, scale: 1 / 255f);

        Assert.Equal([255 * (1 / 255f), 3 * (1 / 255f), -2.5f * (1 / 255f), 0f], data.Images.ToArray());
        Assert.Equal(1f, data.Images[0], 6);
    }

    [Fact]
    public void DecimalAndExponentValues()
    {
        string path = Write("1 1:0.5 2:-1e-3 3:+2\n");

        Assert.Equal([0.5f, -0.001f, 2f], SvmLight.Load(path, 3).Images.ToArray());
    }

    [Fact]
    public void LeadingZerosAndLongDigitRuns()
    {
        string path = Write("1 0001:007 2:12345678 3:0000000000000000042\n");

        Assert.Equal([7f, 12345678f, 42f], SvmLight.Load(path, 3).Images.ToArray());
    }

    [Fact]
    public void ImagesTakeTheFeaturesInHeightWidthChannelOrder()
    {
        string path = Write("5 1:1 2:2 3:3 4:4 5:5 6:6\n7 6:60\n");

        Dataset data = SvmLight.Load(path, height: 2, width: 3, channels: 1, scale: 0.5f);

        Assert.Equal(Shape.Image(2, 3, 1), data.Shape);
        Assert.Equal(2, data.Count);
        Assert.Equal([0.5f, 1f, 1.5f, 2f, 2.5f, 3f], data.Image(0));
        Assert.Equal([0f, 0f, 0f, 0f, 0f, 30f], data.Image(1));
    }

    [Fact]
    public void ImageFeaturesAreCheckedAgainstTheImageSize()
    {
        string path = Write("5 1:1 7:2\n");

        AssertInvalid(() => SvmLight.Load(path, 2, 3, 1), path, 1, "index 7 in '7:2' is out of range for 6 features (0 to 5 zero-based, 1 to 6 one-based)");
    }

    [Fact]
    public void InvalidArguments()
    {
        string path = Write("1 1:1\n");

        Assert.Throws<ArgumentOutOfRangeException>(() => SvmLight.Load(path, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SvmLight.Load(path, 4, scale: float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => SvmLight.Load(path, 28, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SvmLight.Load(path, 65536, 65536, 1));
    }

    [Fact]
    public void MissingFile()
    {
        Assert.Throws<FileNotFoundException>(() => SvmLight.Load(_temp.File("missing.txt"), 784));
    }

    [Fact]
    public void ADirectoryIsNamedAsSuch()
    {
        // Before: "Access to the path ... is denied".
        string path = _temp.File("a-directory");
        Directory.CreateDirectory(path);

        var error = Assert.Throws<InvalidDataException>(() => SvmLight.Load(path, 784));

        Assert.Equal($"'{path}': it is a directory, not an svmlight file", error.Message);
    }

    [Fact]
    public void AValueThatTheScaleTakesBeyondFloatIsRefused()
    {
        string path = Write("1 1:1\n2 2:3e38\n");

        AssertInvalid(() => SvmLight.Load(path, 4, scale: 10f), path, 2, "the value '3e38' in '2:3e38' times the scale 10 is Infinity, beyond the range of float");
    }

    private string Write(string text) => _temp.WriteText("digits.txt", text);

    private static void AssertInvalid(Func<Dataset> load, string path, int line, string problem)
    {
        var error = Assert.Throws<InvalidDataException>(load);

        Assert.Equal($"'{path}' line {line}: {problem}", error.Message);
    }
}
