using ConvGen.Engines;
using ConvGen.Layers;

namespace ConvGen.Tests.Interpreted;

/// <summary>Batch normalisation's training and inference paths and its moving statistics.</summary>
public class BatchNormalizationTests
{
    // Four samples of two features: feature 0 is [1, 2, 3, 6] (mean 3, biased variance 3.5),
    // feature 1 is [0, 0, 4, 4] (mean 2, variance 4).
    private static readonly float[] FlatBatch = [1, 0, 2, 0, 3, 4, 6, 4];
    private static readonly int[] Labels = [0, 1, 1, 0];

    [Fact]
    public void OneTrainingStepMovesTheMovingStatisticsByTheBatchMeanAndBiasedVariance()
    {
        var model = new InterpretedModel(new ModelDescription("bn", Shape.Flat(2), [new BatchNormalizationLayer(momentum: 0.9), new DenseLayer(2, Activation.Softmax)]), seed: 1);
        WeightInfo mean = model.Description.Weights.Single(w => w.Variable == "moving_mean");
        WeightInfo variance = model.Description.Weights.Single(w => w.Variable == "moving_variance");
        Assert.Equal([0f, 0f], model.Buffers.Values(mean).ToArray());
        Assert.Equal([1f, 1f], model.Buffers.Values(variance).ToArray());

        model.Engine.ComputeGradients(model.Buffers, FlatBatch, Labels, 4, dropoutSeed: 0);

        // movingMean = 0·0.9 + mean·0.1; movingVar = 1·0.9 + var·0.1.
        AssertClose([0.3f, 0.2f], model.Buffers.Values(mean).ToArray(), 1e-6f);
        AssertClose([1.25f, 1.3f], model.Buffers.Values(variance).ToArray(), 1e-6f);

        model.Engine.ComputeGradients(model.Buffers, FlatBatch, Labels, 4, dropoutSeed: 0);
        AssertClose([0.3f * 0.9f + 0.3f, 0.2f * 0.9f + 0.2f], model.Buffers.Values(mean).ToArray(), 1e-6f);
        AssertClose([1.25f * 0.9f + 0.35f, 1.3f * 0.9f + 0.4f], model.Buffers.Values(variance).ToArray(), 1e-6f);
    }

    [Fact]
    public void TrainingNormalisesWithTheBatchStatistics()
    {
        var network = new DoubleNetwork(new ModelDescription("bn", Shape.Flat(2), [new BatchNormalizationLayer(epsilon: 1e-3), new DenseLayer(2, Activation.Softmax)]));
        network.Set("batch_normalization/gamma", 2, 1);
        network.Set("batch_normalization/beta", 0.5, 0);
        network.Set("batch_normalization/moving_mean", 100, 100); // ignored in training
        network.Set("batch_normalization/moving_variance", 100, 100);

        double[] output = network.TrainingOutput(FlatBatch.Select(v => (double)v).ToArray(), 4, 0, 0);

        double[] x0 = [1, 2, 3, 6], x1 = [0, 0, 4, 4];
        for (int n = 0; n < 4; n++)
        {
            Assert.Equal((2 * (x0[n] - 3) / Math.Sqrt(3.5 + 1e-3)) + 0.5, output[2 * n], 1e-14);
            Assert.Equal((x1[n] - 2) / Math.Sqrt(4 + 1e-3), output[(2 * n) + 1], 1e-14);
        }
    }

    [Fact]
    public void ImageStatisticsRunOverBatchHeightAndWidthPerChannel()
    {
        // Two samples of 1×2 pixels with two channels: channel 0 takes [1, 3 | 5, 7] (mean 4, variance 5), channel 1
        // takes [2, 2 | 2, 10] (mean 4, variance 12).
        var network = new DoubleNetwork(new ModelDescription("bn", Shape.Image(1, 2, 2), [new BatchNormalizationLayer(momentum: 0.5, epsilon: 1e-3), new FlattenLayer(), new DenseLayer(2, Activation.Softmax)]));
        network.Set("batch_normalization/gamma", 1, 1);
        network.Set("batch_normalization/moving_variance", 1, 1);
        double[] images = [1, 2, 3, 2, 5, 2, 7, 10];

        network.ComputeGradients(images, [0, 1], 0);
        double[] output = network.TrainingOutput(images, 2, 0, 0);

        Assert.Equal([2.0, 2.0], network.Values("batch_normalization/moving_mean").ToArray());
        Assert.Equal([3.0, 6.5], network.Values("batch_normalization/moving_variance").ToArray());
        Assert.Equal((7 - 4) / Math.Sqrt(5 + 1e-3), output[6], 1e-14);
        Assert.Equal((10 - 4) / Math.Sqrt(12 + 1e-3), output[7], 1e-14);
    }

    [Fact]
    public void InferenceUsesTheMovingStatistics()
    {
        var network = new DoubleNetwork(new ModelDescription("bn", Shape.Flat(2), [new BatchNormalizationLayer(epsilon: 1e-3), new DenseLayer(2, Activation.Softmax)]));
        network.Set("batch_normalization/gamma", 2, 3);
        network.Set("batch_normalization/beta", 0.5, -0.5);
        network.Set("batch_normalization/moving_mean", 1, -1);
        network.Set("batch_normalization/moving_variance", 4, 0.25);

        double[] output = network.InferenceOutput([3, 1], 1, 0);

        Assert.Equal((2 * (3 - 1) / Math.Sqrt(4.001)) + 0.5, output[0], 1e-15);
        Assert.Equal((3 * (1 + 1) / Math.Sqrt(0.251)) - 0.5, output[1], 1e-15);
    }

    [Fact]
    public void PredictAndEvaluateLeaveTheMovingStatisticsAlone()
    {
        var model = new InterpretedModel(new ModelDescription("bn", Shape.Flat(2), [new BatchNormalizationLayer(), new DenseLayer(2, Activation.Softmax)]), seed: 2);
        model.Buffers.State.Span.Fill(0.5f);
        float[] before = model.Buffers.State.Span.ToArray();

        model.Engine.Predict(model.Buffers, FlatBatch, 4, new float[8]);
        model.Engine.Evaluate(model.Buffers, FlatBatch, Labels, 4);

        Assert.Equal(before, model.Buffers.State.Span.ToArray());
    }

    private static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], tolerance);
        }
    }
}
