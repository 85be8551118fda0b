using ConvGen.Engines;
using ConvGen.Layers;

namespace ConvGen.Tests.Interpreted;

/// <summary>The public float engine: agreement with the double network, what it writes and what it leaves alone,
/// and its workspace.</summary>
public class InterpretedEngineTests
{
    private const int Batch = 6;
    private const ulong DropoutSeed = 21;
    private const double Tolerance = 1e-5;

    // Every layer kind, so the float path of each is compared with its double path.
    private static ModelDescription Everything() => new(
        "everything",
        Shape.Image(8, 8, 2),
        [
            new RescalingLayer(0.5, 0.1),
            new NormalizationLayer(0.05, 0.6),
            new Conv2DLayer(4, 3, 3, padding: Padding.Same, activation: Activation.Relu),
            new BatchNormalizationLayer(momentum: 0.8),
            new MaxPooling2DLayer(2, 2),
            new Conv2DLayer(4, 2, 2, activation: Activation.Linear, useBias: false),
            new ActivationLayer(Activation.Tanh),
            new AveragePooling2DLayer(3, 3, 2, 2, Padding.Same),
            new FlattenLayer(),
            new DropoutLayer(0.25),
            new DenseLayer(8, Activation.Sigmoid),
            new BatchNormalizationLayer(),
            new DenseLayer(5, Activation.Softmax),
        ]);

    [Fact]
    public void FloatEngineAgreesWithTheDoubleNetwork()
    {
        var model = new InterpretedModel(Everything(), seed: 4);
        Randomize(model.Buffers.State.Span, model.Description, 8);
        float[] images = RandomImages(Batch * model.Description.InputShape.Size, 5);
        int[] labels = [0, 1, 2, 3, 4, 0];
        DoubleNetwork reference = ToDouble(model);
        double[] doubleImages = images.Select(v => (double)v).ToArray();

        // Inference first (it must not move anything), then one training step.
        var probabilities = new float[Batch * 5];
        model.Engine.Predict(model.Buffers, images, Batch, probabilities);
        var expectedProbabilities = new double[Batch * 5];
        reference.Network.Predict(doubleImages, Batch, reference.Parameters, reference.State, expectedProbabilities);
        AssertClose(expectedProbabilities, probabilities, "probabilities");

        BatchMetrics evaluated = model.Engine.Evaluate(model.Buffers, images, labels, Batch);
        BatchMetrics expectedEvaluated = reference.Network.Evaluate(doubleImages, labels, Batch, reference.Parameters, reference.State);
        Assert.Equal(expectedEvaluated.LossSum, evaluated.LossSum, expectedEvaluated.LossSum * 1e-5);
        Assert.Equal(expectedEvaluated.Correct, evaluated.Correct);

        BatchMetrics trained = model.Engine.ComputeGradients(model.Buffers, images, labels, Batch, DropoutSeed);
        BatchMetrics expectedTrained = reference.ComputeGradients(doubleImages, labels, DropoutSeed);
        Assert.Equal(expectedTrained.LossSum, trained.LossSum, expectedTrained.LossSum * 1e-5);
        Assert.Equal(expectedTrained.Correct, trained.Correct);

        // Gradients against the largest of the model: where a batch sum nearly cancels (a bias ahead of batch
        // normalisation) float keeps fewer digits of the small remainder, as it should.
        double gradientScale = reference.Gradients.Max(Math.Abs);
        foreach (WeightInfo weight in model.Description.Weights)
        {
            if (weight.Trainable)
            {
                AssertClose(reference.Gradient(weight.Name).ToArray(), model.Buffers.Gradient(weight).ToArray(), weight.Name + " gradient", gradientScale);
            }
            else
            {
                AssertClose(reference.Values(weight).ToArray(), model.Buffers.Values(weight).ToArray(), weight.Name);
            }
        }
    }

    [Fact]
    public void ComputeGradientsOverwritesEveryGradientAndLeavesAlignmentGapsZero()
    {
        var model = new InterpretedModel(Everything(), seed: 6);
        model.Buffers.Gradients.Span.Fill(float.NaN);
        float[] images = RandomImages(Batch * model.Description.InputShape.Size, 7);

        model.Engine.ComputeGradients(model.Buffers, images, [1, 2, 3, 4, 0, 1], Batch, DropoutSeed);

        float[] gradients = model.Buffers.Gradients.Span.ToArray();
        var inWeight = new bool[gradients.Length];
        foreach (WeightInfo weight in model.Description.Weights.Where(w => w.Trainable))
        {
            Array.Fill(inWeight, true, weight.Offset, weight.Length);
        }

        Assert.Contains(inWeight, b => !b); // the model has gaps to check
        for (int i = 0; i < gradients.Length; i++)
        {
            Assert.True(inWeight[i] ? float.IsFinite(gradients[i]) : gradients[i] == 0, $"gradient {i} is {gradients[i]}");
        }
    }

    [Fact]
    public void PredictAndEvaluateChangeNothing()
    {
        var model = new InterpretedModel(Everything(), seed: 9);
        Randomize(model.Buffers.State.Span, model.Description, 10);
        model.Buffers.Gradients.Span.Fill(3f);
        float[] parameters = model.Buffers.Parameters.Span.ToArray();
        float[] state = model.Buffers.State.Span.ToArray();
        float[] images = RandomImages(Batch * model.Description.InputShape.Size, 11);

        model.Engine.Predict(model.Buffers, images, Batch, new float[Batch * 5]);
        model.Engine.Evaluate(model.Buffers, images, [0, 0, 0, 0, 0, 0], Batch);

        Assert.Equal(parameters, model.Buffers.Parameters.Span.ToArray());
        Assert.Equal(state, model.Buffers.State.Span.ToArray());
        Assert.All(model.Buffers.Gradients.Span.ToArray(), g => Assert.Equal(3f, g));
    }

    [Fact]
    public void ASmallerBatchAfterALargerOneGivesTheSameResultsAsAFreshEngine()
    {
        var model = new InterpretedModel(Everything(), seed: 12);
        float[] images = RandomImages(Batch * model.Description.InputShape.Size, 13);
        int[] labels = [4, 3, 2, 1, 0, 4];
        ModelBuffers warmBuffers = Copy(model);
        ModelBuffers freshBuffers = Copy(model);
        var warm = new InterpretedEngine(model.Description);
        var fresh = new InterpretedEngine(model.Description);

        warm.ComputeGradients(warmBuffers, images, labels, Batch, DropoutSeed);
        Copy(model).State.Span.CopyTo(warmBuffers.State.Span);
        BatchMetrics small = warm.ComputeGradients(warmBuffers, images, labels, 2, DropoutSeed);
        BatchMetrics expected = fresh.ComputeGradients(freshBuffers, images, labels, 2, DropoutSeed);

        Assert.Equal(expected, small);
        Assert.Equal(freshBuffers.Gradients.Span.ToArray(), warmBuffers.Gradients.Span.ToArray());
        Assert.Equal(freshBuffers.State.Span.ToArray(), warmBuffers.State.Span.ToArray());
    }

    [Fact]
    public void AWarmEngineAllocatesNothing()
    {
        var model = new InterpretedModel(Everything(), seed: 14);
        float[] images = RandomImages(Batch * model.Description.InputShape.Size, 15);
        int[] labels = [0, 1, 2, 3, 4, 0];
        var probabilities = new float[Batch * 5];
        for (int i = 0; i < 3; i++)
        {
            Run();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);

        void Run()
        {
            model.Engine.ComputeGradients(model.Buffers, images, labels, Batch, DropoutSeed);
            model.Engine.ComputeGradients(model.Buffers, images, labels, 3, DropoutSeed);
            model.Engine.Evaluate(model.Buffers, images, labels, Batch);
            model.Engine.Predict(model.Buffers, images, Batch, probabilities);
        }
    }

    [Fact]
    public void AModelWithoutWeightsStillReportsItsLoss()
    {
        var model = new InterpretedModel(new ModelDescription("plain", Shape.Image(1, 2, 1), [new FlattenLayer(), new ActivationLayer(Activation.Softmax)]));

        BatchMetrics metrics = model.Engine.ComputeGradients(model.Buffers, [0f, MathF.Log(3f)], [1], 1, 0);

        Assert.Equal(0, model.Buffers.Gradients.Length);
        Assert.Equal(Math.Log(4.0 / 3.0), metrics.LossSum, 1e-6);
        Assert.Equal(1, metrics.Correct);
        Assert.Equal("interpreted", model.Engine.Name);
    }

    private static DoubleNetwork ToDouble(Model model)
    {
        var network = new DoubleNetwork(model.Description);
        for (int i = 0; i < network.Parameters.Length; i++)
        {
            network.Parameters[i] = model.Buffers.Parameters.Span[i];
        }

        for (int i = 0; i < network.State.Length; i++)
        {
            network.State[i] = model.Buffers.State.Span[i];
        }

        return network;
    }

    private static ModelBuffers Copy(Model model)
    {
        var buffers = new ModelBuffers(model.Description);
        model.Buffers.Parameters.Span.CopyTo(buffers.Parameters.Span);
        model.Buffers.State.Span.CopyTo(buffers.State.Span);
        return buffers;
    }

    // Moving means in [-0.2, 0.2), moving variances in [0.5, 1.5), so inference differs from a fresh model's.
    private static void Randomize(Span<float> state, ModelDescription description, int seed)
    {
        var random = new Random(seed);
        foreach (WeightInfo weight in description.Weights.Where(w => !w.Trainable))
        {
            Span<float> values = state.Slice(weight.Offset, weight.Length);
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = weight.Variable == "moving_variance" ? 0.5f + random.NextSingle() : (random.NextSingle() - 0.5f) * 0.4f;
            }
        }
    }

    private static float[] RandomImages(int length, int seed)
    {
        var random = new Random(seed);
        var images = new float[length];
        for (int i = 0; i < length; i++)
        {
            images[i] = random.NextSingle();
        }

        return images;
    }

    // Every |float - double| within Tolerance of the array's largest magnitude.
    private static void AssertClose(double[] expected, float[] actual, string what) =>
        AssertClose(expected, actual, what, expected.Max(Math.Abs));

    // Every |float - double| within Tolerance of scale.
    private static void AssertClose(double[] expected, float[] actual, string what, double scale)
    {
        Assert.Equal(expected.Length, actual.Length);
        Assert.True(scale > 0, $"{what}: nothing to compare, every value is 0");
        int worst = 0;
        for (int i = 1; i < expected.Length; i++)
        {
            if (Math.Abs(actual[i] - expected[i]) > Math.Abs(actual[worst] - expected[worst]))
            {
                worst = i;
            }
        }

        double error = Math.Abs(actual[worst] - expected[worst]) / scale;
        Assert.True(error <= Tolerance, $"{what}[{worst}]: float {actual[worst]:R}, double {expected[worst]:R}, error {error:E2} of the largest {scale:E2}");
    }
}
