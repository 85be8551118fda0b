using System.Globalization;
using System.Text;
using ConvGen.Layers;

namespace ConvGen.Tests.Interpreted;

/// <summary>
/// Compares the backward pass of a <see cref="DoubleNetwork"/> with central finite differences of its training-mode
/// mean loss, parameter by parameter.
/// </summary>
internal static class GradientCheck
{
    /// <summary>Finite-difference step.</summary>
    public const double Step = 1e-6;

    /// <summary>Largest accepted |analytic - numeric| / max(|analytic|, |numeric|, <see cref="Floor"/>). Round-off in
    /// the numeric estimate is about 1e-10 absolute; a wrong formula is off by far more than 1e-5 relative.</summary>
    public const double Tolerance = 1e-5;

    /// <summary>Below this magnitude gradients are compared absolutely (to Tolerance × Floor = 1e-8).</summary>
    public const double Floor = 1e-3;

    /// <summary>How close to a kink (a max-pool tie, a ReLU at 0) a value may come before the finite differences
    /// would straddle it.</summary>
    public const double KinkMargin = 1e-4;

    /// <summary>
    /// Checks every trainable parameter. Each weight array must have a gradient that is not negligible, except those in
    /// <paramref name="vanishing"/>, whose gradient must be zero (as a bias followed by batch normalisation).
    /// Also checks that the backward pass overwrote every gradient value, leaving alignment gaps at zero.
    /// </summary>
    public static void AssertGradientsMatch(DoubleNetwork network, double[] images, int[] labels, ulong dropoutSeed, params string[] vanishing)
    {
        AssertAwayFromKinks(network, images, labels.Length, dropoutSeed);

        Array.Fill(network.Gradients, double.NaN);
        double[] stateBefore = network.State.ToArray();
        network.ComputeGradients(images, labels, dropoutSeed);
        double[] analytic = network.Gradients.ToArray();
        stateBefore.CopyTo(network.State, 0); // the step moved the moving statistics; put them back

        var inWeight = new bool[analytic.Length];
        foreach (WeightInfo weight in network.Description.Weights.Where(w => w.Trainable))
        {
            Array.Fill(inWeight, true, weight.Offset, weight.Length);
        }

        for (int i = 0; i < analytic.Length; i++)
        {
            if (!inWeight[i])
            {
                Assert.True(analytic[i] == 0, $"gradient {i} lies in an alignment gap and should be 0, is {analytic[i]}");
            }
        }

        double[] scratchState = new double[network.State.Length];
        double[] scratchGradients = new double[network.Gradients.Length];
        double[] parameters = network.Parameters;
        var failures = new StringBuilder();
        double worst = 0;
        int checkedCount = 0;
        foreach (WeightInfo weight in network.Description.Weights.Where(w => w.Trainable))
        {
            double largest = 0;
            for (int j = 0; j < weight.Length; j++)
            {
                int index = weight.Offset + j;
                double saved = parameters[index];
                parameters[index] = saved + Step;
                double plus = network.TrainingLoss(images, labels, dropoutSeed, scratchState, scratchGradients);
                parameters[index] = saved - Step;
                double minus = network.TrainingLoss(images, labels, dropoutSeed, scratchState, scratchGradients);
                parameters[index] = saved;
                double numeric = (plus - minus) / (2 * Step);

                double error = Math.Abs(analytic[index] - numeric) / Math.Max(Floor, Math.Max(Math.Abs(analytic[index]), Math.Abs(numeric)));
                worst = Math.Max(worst, error);
                largest = Math.Max(largest, Math.Abs(analytic[index]));
                checkedCount++;
                if (!(error <= Tolerance) && failures.Length < 4000)
                {
                    failures.AppendLine(CultureInfo.InvariantCulture, $"{weight.Name}[{j}]: analytic {analytic[index]:R}, numeric {numeric:R}, error {error:E2}");
                }
            }

            if (vanishing.Contains(weight.Name))
            {
                Assert.True(largest < 1e-12, $"{weight.Name} should have a zero gradient; its largest is {largest:E2}");
            }
            else
            {
                Assert.True(largest > 1e-4, $"{weight.Name}'s gradient is negligible (largest {largest:E2}): the check would prove nothing");
            }
        }

        Assert.Equal(network.Description.TrainableParameterCount, checkedCount);
        Assert.True(failures.Length == 0, $"worst relative error {worst:E2}; mismatches:\n{failures}");
    }

    /// <summary>Fails when an input of a max-pool window is within <see cref="KinkMargin"/> of the window's maximum,
    /// or a ReLU's input within it of 0, in the training-mode forward pass of the batch.</summary>
    public static void AssertAwayFromKinks(DoubleNetwork network, double[] images, int count, ulong dropoutSeed)
    {
        ModelDescription description = network.Description;
        for (int k = 0; k < description.Layers.Count; k++)
        {
            LayerInfo layer = description.Layers[k];
            if (layer.Layer is MaxPooling2DLayer pool)
            {
                double[] input = k == 0 ? images : network.TrainingOutput(images, count, k - 1, dropoutSeed);
                // After a ReLU (whose inputs are kept away from 0 below), a window whose maximum is an exact 0 holds
                // only dead units: their gradient is 0 and a step of 1e-6 cannot revive them, so such ties are harmless.
                bool afterRelu = k > 0 && description.Layers[k - 1].Layer.OutputActivation == Activation.Relu;
                AssertNoNearTies(input, count, layer, pool, afterRelu);
            }

            if (layer.Layer.OutputActivation == Activation.Relu)
            {
                double[] preActivation = layer.Layer is ActivationLayer
                    ? (k == 0 ? images : network.TrainingOutput(images, count, k - 1, dropoutSeed))
                    : PreActivation(network, images, count, k, dropoutSeed);
                double nearest = preActivation.Min(Math.Abs);
                Assert.True(nearest > KinkMargin, $"layer {layer.Name}: a ReLU input is {nearest:E2} from 0; pick another seed");
            }
        }
    }

    // The output of layer k before its ReLU: the same model with that one activation made linear, run on the same
    // weights (the layout does not depend on activations).
    private static double[] PreActivation(DoubleNetwork network, double[] images, int count, int k, ulong dropoutSeed)
    {
        ModelDescription description = network.Description;
        var layers = description.Layers.Select(l => l.Layer).ToList();
        layers[k] = layers[k] switch
        {
            Conv2DLayer c => new Conv2DLayer(c.Filters, c.KernelHeight, c.KernelWidth, c.StrideHeight, c.StrideWidth, c.Padding, Activation.Linear, c.UseBias, c.KernelInitializer, c.Name),
            DenseLayer d => new DenseLayer(d.Units, Activation.Linear, d.UseBias, d.KernelInitializer, d.Name),
            Layer other => throw new NotSupportedException($"no linear twin for {other.KerasType}"),
        };
        var twin = new DoubleNetwork(new ModelDescription(description.Name, description.InputShape, layers));
        network.Parameters.CopyTo(twin.Parameters, 0);
        network.State.CopyTo(twin.State, 0);
        return twin.TrainingOutput(images, count, k, dropoutSeed);
    }

    private static void AssertNoNearTies(double[] input, int count, LayerInfo layer, Pooling2DLayer pool, bool deadZerosTie)
    {
        Shape inShape = layer.InputShape;
        Shape outShape = layer.OutputShape;
        bool same = pool.Padding == Padding.Same;
        int padTop = KerasConventions.PaddingBefore(inShape.Height, pool.PoolHeight, pool.StrideHeight, same);
        int padLeft = KerasConventions.PaddingBefore(inShape.Width, pool.PoolWidth, pool.StrideWidth, same);
        for (int n = 0; n < count; n++)
        {
            for (int oy = 0; oy < outShape.Height; oy++)
            {
                for (int ox = 0; ox < outShape.Width; ox++)
                {
                    for (int c = 0; c < inShape.Channels; c++)
                    {
                        double best = double.NegativeInfinity, second = double.NegativeInfinity;
                        for (int y = Math.Max(0, (oy * pool.StrideHeight) - padTop); y < Math.Min(inShape.Height, (oy * pool.StrideHeight) - padTop + pool.PoolHeight); y++)
                        {
                            for (int x = Math.Max(0, (ox * pool.StrideWidth) - padLeft); x < Math.Min(inShape.Width, (ox * pool.StrideWidth) - padLeft + pool.PoolWidth); x++)
                            {
                                double v = input[((((n * inShape.Height) + y) * inShape.Width) + x) * inShape.Channels + c];
                                if (v > best)
                                {
                                    (best, second) = (v, best);
                                }
                                else if (v > second)
                                {
                                    second = v;
                                }
                            }
                        }

                        bool deadWindow = deadZerosTie && best == 0 && second == 0;
                        Assert.True(deadWindow || best - second > KinkMargin, $"layer {layer.Name}: window ({oy}, {ox}) of sample {n}, channel {c} has two values within {best - second:E2}; pick another seed");
                    }
                }
            }
        }
    }
}
