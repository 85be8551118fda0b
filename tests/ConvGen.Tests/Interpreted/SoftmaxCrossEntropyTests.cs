using ConvGen.Engines;
using ConvGen.Engines.Interpreted;

namespace ConvGen.Tests.Interpreted;

/// <summary>The fused softmax cross-entropy: loss sum, correct count, gradient and probabilities.</summary>
public class SoftmaxCrossEntropyTests
{
    [Fact]
    public void LossIsLogSumExpMinusTheLabelsLogitAndTheGradientIsPMinusOneHotOverCount()
    {
        // Two samples with logits [0, ln 3]: p = [1/4, 3/4].
        double[] logits = [0, Math.Log(3), 0, Math.Log(3)];
        var gradient = new double[4];

        BatchMetrics metrics = SoftmaxCrossEntropy.LossAndGradient<double>(logits, [0, 1], 2, 2, gradient);

        Assert.Equal(Math.Log(4) + (Math.Log(4) - Math.Log(3)), metrics.LossSum, 1e-15); // a sum, not a mean
        Assert.Equal(1, metrics.Correct);
        double[] expected = [(0.25 - 1) / 2, 0.75 / 2, 0.25 / 2, (0.75 - 1) / 2];
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(expected[i], gradient[i], 1e-15);
        }

        Assert.Equal(metrics, SoftmaxCrossEntropy.Loss<double>(logits, [0, 1], 2, 2));
    }

    [Fact]
    public void LargeLogitsNeitherOverflowNorUnderflow()
    {
        double[] logits = [1000, 0, -1000];
        var gradient = new double[3];
        var probabilities = new double[3];

        BatchMetrics metrics = SoftmaxCrossEntropy.LossAndGradient<double>(logits, [2], 1, 3, gradient);
        SoftmaxCrossEntropy.Probabilities<double>(logits, 1, 3, probabilities);

        Assert.Equal(2000, metrics.LossSum, 1e-9);
        Assert.Equal([1.0, 0, 0], probabilities);
        Assert.Equal([1.0, 0, -1], gradient);

        BatchMetrics single = SoftmaxCrossEntropy.Loss<float>([100f, -100f], [1], 1, 2);
        Assert.Equal(200, single.LossSum, 1e-3);
    }

    [Fact]
    public void TheFirstIndexWinsTies()
    {
        double[] logits = [2, 2, 1, 2, 2, 1];

        Assert.Equal(1, SoftmaxCrossEntropy.Loss<double>(logits, [0, 1], 2, 3).Correct);
        Assert.Equal(1, SoftmaxCrossEntropy.ArgMax<double>([1, 3, 3]));
    }

    [Fact]
    public void ProbabilitiesSumToOnePerRow()
    {
        double[] logits = [0.5, -1, 2, 3, 3, 3];
        var probabilities = new double[6];

        SoftmaxCrossEntropy.Probabilities<double>(logits, 2, 3, probabilities);

        Assert.Equal(1, probabilities[0] + probabilities[1] + probabilities[2], 1e-15);
        Assert.Equal(Math.Exp(2) / (Math.Exp(0.5) + Math.Exp(-1) + Math.Exp(2)), probabilities[2], 1e-15);
        Assert.All(probabilities[3..], p => Assert.Equal(1 / 3.0, p, 1e-15));
    }
}
