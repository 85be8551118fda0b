using System.Globalization;
using System.Text;
using ConvGen.Engines;
using ConvGen.Tests.Interpreted;

namespace ConvGen.Tests.Generated;

/// <summary>Checks a generated engine against the interpreted engine (same weights, same batch, same dropout seed)
/// and against finite differences of the loss computed by the interpreted network in double.</summary>
internal static class EngineComparison
{
    /// <summary>Random images in [-1, 1) and labels, seeded. The left <paramref name="blankColumns"/> columns of every
    /// image are 0, as the borders of MNIST digits are: convolutions there output exactly their bias, so max-pool
    /// windows hold exact ties.</summary>
    public static (float[] Images, int[] Labels) Batch(ModelDescription description, int count, int seed, int blankColumns = 0)
    {
        var random = new Random(seed);
        Shape shape = description.InputShape;
        var images = new float[count * shape.Size];
        for (int i = 0; i < images.Length; i++)
        {
            int x = (i / shape.Channels) % shape.Width;
            images[i] = x < blankColumns ? 0f : (float)((random.NextDouble() * 2) - 1);
        }

        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = random.Next(description.Classes);
        }

        return (images, labels);
    }

    /// <summary>
    /// One training step, one evaluation and one prediction of <paramref name="count"/> samples on both engines:
    /// losses and correct counts equal, gradients, moving statistics and probabilities equal up to float rounding of
    /// different summation orders (<paramref name="tolerance"/> of the largest gradient).
    /// </summary>
    public static void AssertMatchesInterpreted(Model generated, int count, int seed, double tolerance = 2e-5, int blankColumns = 0)
    {
        InterpretedModel reference = generated.ToInterpreted();
        (float[] images, int[] labels) = Batch(generated.Description, count, seed, blankColumns);
        ulong dropoutSeed = (ulong)seed * 7919;

        BatchMetrics actual = generated.Engine.ComputeGradients(generated.Buffers, images, labels, count, dropoutSeed);
        BatchMetrics expected = reference.Engine.ComputeGradients(reference.Buffers, images, labels, count, dropoutSeed);
        AssertClose(expected.LossSum, actual.LossSum, 1e-5 * Math.Max(1, Math.Abs(expected.LossSum)), "training loss");
        Assert.Equal(expected.Correct, actual.Correct);
        AssertBuffersClose(reference.Buffers.Gradients.Span, generated.Buffers.Gradients.Span, generated.Description, trainable: true, tolerance, "gradient");
        AssertBuffersClose(reference.Buffers.State.Span, generated.Buffers.State.Span, generated.Description, trainable: false, 1e-5, "moving statistic");

        BatchMetrics evaluated = generated.Engine.Evaluate(generated.Buffers, images, labels, count);
        BatchMetrics evaluatedReference = reference.Engine.Evaluate(reference.Buffers, images, labels, count);
        AssertClose(evaluatedReference.LossSum, evaluated.LossSum, 1e-5 * Math.Max(1, Math.Abs(evaluatedReference.LossSum)), "evaluation loss");
        Assert.Equal(evaluatedReference.Correct, evaluated.Correct);

        int classes = generated.Description.Classes;
        var probabilities = new float[count * classes];
        var expectedProbabilities = new float[count * classes];
        generated.Engine.Predict(generated.Buffers, images, count, probabilities);
        reference.Engine.Predict(reference.Buffers, images, count, expectedProbabilities);
        for (int i = 0; i < probabilities.Length; i++)
        {
            AssertClose(expectedProbabilities[i], probabilities[i], 1e-5, $"probability {i}");
        }
    }

    /// <summary>
    /// The generated engine's gradient of every trainable parameter against central finite differences of the
    /// training-mode mean loss, computed in double by the interpreted network at the same weights (dropout masks come
    /// from the same seed). Float rounding allows about 1e-3 of the largest gradient; a wrong formula is off by far more.
    /// </summary>
    public static void AssertMatchesFiniteDifferences(Model generated, int count, int seed)
    {
        ModelDescription description = generated.Description;
        (float[] images, int[] labels) = Batch(description, count, seed);
        ulong dropoutSeed = (ulong)seed * 7919;
        var network = new DoubleNetwork(description);
        Copy(generated.Buffers.Parameters.Span, network.Parameters);
        Copy(generated.Buffers.State.Span, network.State);
        double[] doubleImages = images.Select(v => (double)v).ToArray();
        GradientCheck.AssertAwayFromKinks(network, doubleImages, count, dropoutSeed);

        generated.Engine.ComputeGradients(generated.Buffers, images, labels, count, dropoutSeed);
        float[] analytic = generated.Buffers.Gradients.Span.ToArray();

        var scratchState = new double[network.State.Length];
        var scratchGradients = new double[network.Gradients.Length];
        var numeric = new double[analytic.Length];
        foreach (WeightInfo weight in description.Weights.Where(w => w.Trainable))
        {
            for (int j = weight.Offset; j < weight.Offset + weight.Length; j++)
            {
                double saved = network.Parameters[j];
                network.Parameters[j] = saved + GradientCheck.Step;
                double plus = network.TrainingLoss(doubleImages, labels, dropoutSeed, scratchState, scratchGradients);
                network.Parameters[j] = saved - GradientCheck.Step;
                double minus = network.TrainingLoss(doubleImages, labels, dropoutSeed, scratchState, scratchGradients);
                network.Parameters[j] = saved;
                numeric[j] = (plus - minus) / (2 * GradientCheck.Step);
            }
        }

        double largest = numeric.Max(Math.Abs);
        var failures = new StringBuilder();
        foreach (WeightInfo weight in description.Weights.Where(w => w.Trainable))
        {
            double weightLargest = 0;
            for (int j = weight.Offset; j < weight.Offset + weight.Length; j++)
            {
                weightLargest = Math.Max(weightLargest, Math.Abs(numeric[j]));
                double error = Math.Abs(analytic[j] - numeric[j]) / Math.Max(Math.Abs(numeric[j]), 1e-2 * largest);
                if (!(error <= 1e-3) && failures.Length < 4000)
                {
                    failures.AppendLine(CultureInfo.InvariantCulture, $"{weight.Name}[{j - weight.Offset}]: generated {analytic[j]:R}, finite differences {numeric[j]:R}, error {error:E2}");
                }
            }

            Assert.True(weightLargest > 1e-6, $"{weight.Name}'s gradient is negligible ({weightLargest:E2}): the check would prove nothing");
        }

        Assert.True(failures.Length == 0, $"{generated.Engine.Name}, batch of {count}:\n{failures}");
    }

    private static void Copy(Span<float> from, double[] to)
    {
        for (int i = 0; i < from.Length; i++)
        {
            to[i] = from[i];
        }
    }

    private static void AssertBuffersClose(Span<float> expected, Span<float> actual, ModelDescription description, bool trainable, double tolerance, string what)
    {
        double largest = 0;
        foreach (float value in expected)
        {
            largest = Math.Max(largest, Math.Abs(value));
        }

        foreach (WeightInfo weight in description.Weights.Where(w => w.Trainable == trainable))
        {
            for (int j = 0; j < weight.Length; j++)
            {
                int i = weight.Offset + j;
                double bound = (tolerance * Math.Max(largest, 1e-3)) + (1e-6 * Math.Abs(expected[i]));
                Assert.True(
                    Math.Abs(expected[i] - actual[i]) <= bound,
                    $"{what} {weight.Name}[{j}]: interpreted {expected[i]:R}, generated {actual[i]:R} (largest {largest:E2})");
            }
        }
    }

    private static void AssertClose(double expected, double actual, double tolerance, string what) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"{what}: interpreted {expected:R}, generated {actual:R}");
}
