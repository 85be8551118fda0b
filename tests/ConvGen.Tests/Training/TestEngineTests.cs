using ConvGen.Engines;

namespace ConvGen.Tests.Training;

/// <summary>The hand-written test engine is itself checked, so the training tests built on it stand on solid ground.</summary>
public class TestEngineTests
{
    [Fact]
    public void GradientsMatchFiniteDifferencesOfTheMeanLoss()
    {
        ModelDescription description = SoftmaxEngine.Describe(features: 3, classes: 4);
        var engine = new SoftmaxEngine(description);
        var model = new TestModel(engine, seed: 5);
        float[] images = [0.5f, -1f, 2f, 1.5f, 0.25f, -0.75f, -2f, 1f, 0.1f];
        int[] labels = [3, 0, 2];
        engine.ComputeGradients(model.Buffers, images, labels, 3, dropoutSeed: 0);
        float[] analytic = model.Buffers.Gradients.Span.ToArray();

        foreach (WeightInfo weight in description.Weights)
        {
            for (int k = 0; k < weight.Length; k++)
            {
                Span<float> values = model.Buffers.Values(weight);
                float original = values[k];
                const float h = 1e-2f;
                values[k] = original + h;
                double plus = engine.Evaluate(model.Buffers, images, labels, 3).LossSum / 3;
                values[k] = original - h;
                double minus = engine.Evaluate(model.Buffers, images, labels, 3).LossSum / 3;
                values[k] = original;
                double numeric = (plus - minus) / (2 * h);
                Assert.Equal(numeric, analytic[weight.Offset + k], 3);
            }
        }
    }

    [Fact]
    public void ProbabilitiesFollowTheKerasKernelLayout()
    {
        // Kernel [in, out] row-major: W[i, o] at i * classes + o. With x = (1, 0) the logits are row 0 plus the bias.
        var engine = new SoftmaxEngine(SoftmaxEngine.Describe());
        var model = new TestModel(engine);
        model.SetWeights([[1f, 2f, 30f, 40f], [0.5f, 0f]]);
        float[] p = model.Predict([1f, 0f]);
        double e0 = Math.Exp(1.5), e1 = Math.Exp(2.0);
        Assert.Equal(e0 / (e0 + e1), p[0], 6);
        Assert.Equal(e1 / (e0 + e1), p[1], 6);
    }
}
