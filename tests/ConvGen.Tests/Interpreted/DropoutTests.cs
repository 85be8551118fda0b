using ConvGen.Kernels;
using ConvGen.Layers;

namespace ConvGen.Tests.Interpreted;

/// <summary>Dropout: off in inference, inverted scaling in training, masks a function of the seed and layer.</summary>
public class DropoutTests
{
    private const int Batch = 8;
    private const int Features = 500;

    [Fact]
    public void InferenceIsTheIdentity()
    {
        DoubleNetwork network = Network(0.5);
        double[] images = DoubleNetwork.RandomValues(Batch * Features, 1);

        Assert.Equal(images, network.InferenceOutput(images, Batch, 0));
    }

    [Fact]
    public void TrainingKeepsValuesScaledByOneOverOneMinusRateOrDropsThem()
    {
        const float rate = 0.3f;
        DoubleNetwork network = Network(rate);
        double[] images = DoubleNetwork.RandomValues(Batch * Features, 2);

        double[] output = network.TrainingOutput(images, Batch, 0, dropoutSeed: 77);

        var mask = new float[Batch * Features];
        DropoutMask.Fill(mask, rate, 77, layer: 0, firstElement: 0);
        double scale = 1f / (1f - rate);
        int dropped = 0;
        for (int i = 0; i < images.Length; i++)
        {
            if (output[i] == 0)
            {
                dropped++;
                Assert.Equal(0f, mask[i]);
            }
            else
            {
                Assert.Equal(images[i] * scale, output[i]);
                Assert.Equal((float)scale, mask[i]);
            }
        }

        Assert.InRange(dropped / (double)images.Length, rate - 0.04, rate + 0.04);
    }

    [Fact]
    public void TheSameSeedGivesTheSameMaskAndAnotherSeedAnother()
    {
        DoubleNetwork network = Network(0.5);
        double[] images = DoubleNetwork.RandomValues(Batch * Features, 3);

        double[] first = network.TrainingOutput(images, Batch, 0, dropoutSeed: 5);
        double[] again = network.TrainingOutput(images, Batch, 0, dropoutSeed: 5);
        double[] other = network.TrainingOutput(images, Batch, 0, dropoutSeed: 6);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void EachLayerDrawsItsOwnMask()
    {
        // Two dropout layers in a row: the second drops values the first kept, so more than half go.
        var network = new DoubleNetwork(new ModelDescription("d", Shape.Flat(Features), [new DropoutLayer(0.5), new DropoutLayer(0.5), new DenseLayer(2, Activation.Softmax)]));
        double[] images = DoubleNetwork.RandomValues(Batch * Features, 4);

        double[] once = network.TrainingOutput(images, Batch, 0, dropoutSeed: 9);
        double[] twice = network.TrainingOutput(images, Batch, 1, dropoutSeed: 9);

        double keptOnce = once.Count(v => v != 0) / (double)once.Length;
        double keptTwice = twice.Count(v => v != 0) / (double)twice.Length;
        Assert.InRange(keptOnce, 0.45, 0.55);
        Assert.InRange(keptTwice, 0.2, 0.3);
    }

    [Fact]
    public void RateZeroIsTheIdentityInTraining()
    {
        DoubleNetwork network = Network(0);
        double[] images = DoubleNetwork.RandomValues(Batch * Features, 5);

        Assert.Equal(images, network.TrainingOutput(images, Batch, 0, dropoutSeed: 1));
    }

    [Fact]
    public void PredictionsIgnoreDropout()
    {
        // The same weights with and without a dropout layer give the same probabilities.
        var with = new InterpretedModel(new ModelDescription("d", Shape.Flat(6), [new DenseLayer(5, Activation.Tanh), new DropoutLayer(0.5), new DenseLayer(3, Activation.Softmax)]), seed: 3);
        var without = new InterpretedModel(new ModelDescription("d", Shape.Flat(6), [new DenseLayer(5, Activation.Tanh), new DenseLayer(3, Activation.Softmax)]), seed: 3);
        with.Buffers.Parameters.Span.CopyTo(without.Buffers.Parameters.Span);
        float[] image = [0.1f, -0.4f, 0.9f, 0.3f, -0.2f, 0.5f];

        Assert.Equal(without.Predict(image), with.Predict(image));
    }

    private static DoubleNetwork Network(double rate) =>
        new(new ModelDescription("d", Shape.Flat(Features), [new DropoutLayer(rate), new DenseLayer(2, Activation.Softmax)]));
}
