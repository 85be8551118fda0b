using ConvGen.Engines;
using ConvGen.Engines.Interpreted;

namespace ConvGen.Tests.Interpreted;

/// <summary>A model run in double by the interpreted network, with its own parameter, state and gradient arrays in
/// the layout of the description.</summary>
internal sealed class DoubleNetwork
{
    public DoubleNetwork(ModelDescription description)
    {
        Description = description;
        Network = new InterpretedNetwork<double>(description);
        Parameters = new double[description.ParameterLength];
        State = new double[description.StateLength];
        Gradients = new double[description.ParameterLength];
    }

    public ModelDescription Description { get; }

    public InterpretedNetwork<double> Network { get; }

    public double[] Parameters { get; }

    public double[] State { get; }

    public double[] Gradients { get; }

    /// <summary>A network whose every weight is drawn at random (seeded): kernels around Glorot's scale, biases and
    /// betas small, gammas and moving variances around 1, moving means small.</summary>
    public static DoubleNetwork Random(ModelDescription description, int seed)
    {
        var network = new DoubleNetwork(description);
        var random = new Random(seed);
        foreach (WeightInfo weight in description.Weights)
        {
            Span<double> values = network.Values(weight);
            for (int i = 0; i < values.Length; i++)
            {
                double u = (random.NextDouble() * 2) - 1;
                values[i] = weight.Variable switch
                {
                    "kernel" => u * Math.Sqrt(6.0 / (weight.FanIn + weight.FanOut)) * 1.5,
                    "gamma" or "moving_variance" => 1 + (0.5 * u),
                    _ => 0.3 * u,
                };
            }
        }

        return network;
    }

    /// <summary>Uniform random values in [-1, 1) (seeded).</summary>
    public static double[] RandomValues(int length, int seed)
    {
        var random = new Random(seed);
        var values = new double[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (random.NextDouble() * 2) - 1;
        }

        return values;
    }

    /// <summary>Random labels in [0, classes) (seeded).</summary>
    public static int[] RandomLabels(int count, int classes, int seed)
    {
        var random = new Random(seed);
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = random.Next(classes);
        }

        return labels;
    }

    public WeightInfo Weight(string name) => Description.Weights.Single(w => w.Name == name);

    public Span<double> Values(WeightInfo weight) =>
        (weight.Trainable ? Parameters : State).AsSpan(weight.Offset, weight.Length);

    public Span<double> Values(string name) => Values(Weight(name));

    public Span<double> Gradient(string name) => Gradients.AsSpan(Weight(name).Offset, Weight(name).Length);

    public void Set(string name, params double[] values)
    {
        Span<double> target = Values(name);
        Assert.Equal(target.Length, values.Length);
        values.CopyTo(target);
    }

    /// <summary>Runs the batch forward in inference mode and returns layer <paramref name="layer"/>'s output.</summary>
    public double[] InferenceOutput(double[] images, int count, int layer)
    {
        Network.ForwardInference(images, count, Parameters, State);
        return Network.LayerOutput(layer).ToArray();
    }

    /// <summary>Runs the batch forward in training mode (on a copy of the state) and returns layer
    /// <paramref name="layer"/>'s output.</summary>
    public double[] TrainingOutput(double[] images, int count, int layer, ulong dropoutSeed)
    {
        Network.ForwardTraining(images, count, Parameters, State.ToArray(), dropoutSeed);
        return Network.LayerOutput(layer).ToArray();
    }

    public BatchMetrics ComputeGradients(double[] images, int[] labels, ulong dropoutSeed) =>
        Network.ComputeGradients(images, labels, labels.Length, Parameters, State, Gradients, dropoutSeed);

    /// <summary>The mean training-mode loss of the batch at the current parameters; the state is left alone.</summary>
    public double TrainingLoss(double[] images, int[] labels, ulong dropoutSeed, double[] scratchState, double[] scratchGradients)
    {
        State.CopyTo(scratchState, 0);
        BatchMetrics metrics = Network.ComputeGradients(images, labels, labels.Length, Parameters, scratchState, scratchGradients, dropoutSeed);
        return metrics.LossSum / labels.Length;
    }
}
