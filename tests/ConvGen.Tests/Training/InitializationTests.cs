using ConvGen.Layers;

namespace ConvGen.Tests.Training;

/// <summary>
/// Initial weights: reproducible from the seed, and distributed as Keras' initialisers (keras/src/initializers):
/// variance scaling with fan_in / fan_out (a Conv2D kernel's fans include its receptive field), truncated normals cut
/// at two standard deviations and rescaled so the truncated distribution keeps the intended standard deviation.
/// </summary>
public class InitializationTests
{
    private static TestModel Model(ModelDescription description, int seed = 0) => new(new DescriptionOnlyEngine(description), seed);

    [Fact]
    public void TheSameSeedGivesTheSameWeightsAndAnotherSeedOthers()
    {
        ModelDescription description = SummaryTests.MnistCnn();
        float[][] a = Model(description, seed: 1).GetWeights();
        float[][] b = Model(description, seed: 1).GetWeights();
        float[][] c = Model(description, seed: 2).GetWeights();
        float[][] negative = Model(description, seed: -1).GetWeights();

        Assert.Equal(a, b);
        foreach (int kernel in new[] { 0, 2, 4, 6 })
        {
            Assert.NotEqual(a[kernel], c[kernel]);
            Assert.NotEqual(a[kernel], negative[kernel]);
        }
    }

    [Fact]
    public void LayersOfTheSameShapeDrawDifferentValues()
    {
        var description = new ModelDescription("twins", Shape.Flat(10), [new DenseLayer(10), new DenseLayer(10), new DenseLayer(10, Activation.Softmax)]);
        float[][] weights = Model(description).GetWeights();
        Assert.NotEqual(weights[0], weights[2]);
        Assert.NotEqual(weights[2], weights[4]);
    }

    [Fact]
    public void BiasesStartAtZeroAndBatchNormalizationAtTheIdentity()
    {
        var description = new ModelDescription(
            "bn",
            Shape.Image(6, 6, 2),
            [new Conv2DLayer(4, 3, 3), new BatchNormalizationLayer(), new FlattenLayer(), new DenseLayer(3, Activation.Softmax)]);
        TestModel model = Model(description, seed: 3);
        Dictionary<string, float[]> weights = description.Weights.Zip(model.GetWeights()).ToDictionary(p => p.First.Name, p => p.Second);

        Assert.All(weights["conv2d/bias"], v => Assert.Equal(0f, v));
        Assert.All(weights["dense/bias"], v => Assert.Equal(0f, v));
        Assert.All(weights["batch_normalization/gamma"], v => Assert.Equal(1f, v));
        Assert.All(weights["batch_normalization/beta"], v => Assert.Equal(0f, v));
        Assert.All(weights["batch_normalization/moving_mean"], v => Assert.Equal(0f, v));
        Assert.All(weights["batch_normalization/moving_variance"], v => Assert.Equal(1f, v));
        Assert.Contains(weights["conv2d/kernel"], v => v != 0f);
    }

    [Fact]
    public void InitializeWeightsRestoresAFreshModel()
    {
        var model = new TestModel(new SoftmaxEngine(SoftmaxEngine.Describe()), seed: 9) { Output = TextWriter.Null };
        float[][] fresh = model.GetWeights();
        model.Fit(TestData.Separable(32), epochs: 2, batchSize: 8, optimizer: new Sgd(0.5), verbose: 0);
        Assert.NotEqual(fresh, model.GetWeights());
        model.InitializeWeights();
        Assert.Equal(fresh, model.GetWeights());
    }

    // The standard deviation of a unit normal truncated to [-2, 2], by Simpson's rule: sqrt(∫x²φ / ∫φ).
    private static double TruncatedUnitStddev()
    {
        const int intervals = 20_000;
        double h = 4.0 / intervals, mass = 0, second = 0;
        for (int i = 0; i <= intervals; i++)
        {
            double x = -2 + (i * h);
            double weight = i == 0 || i == intervals ? 1 : (i % 2 == 1 ? 4 : 2);
            double density = Math.Exp(-x * x / 2);
            mass += weight * density;
            second += weight * x * x * density;
        }

        return Math.Sqrt(second / mass);
    }

    [Fact]
    public void TheTruncationCorrectionIsKerasConstant()
    {
        // Keras divides by 0.87962566103423978, the stddev of a unit normal truncated at ±2; check it is that.
        Assert.Equal(0.87962566103423978, TruncatedUnitStddev(), 9);
    }

    public static TheoryData<Initializer, string> Layers => new()
    {
        { Initializer.GlorotUniform, "dense" },
        { Initializer.GlorotUniform, "conv" },
        { Initializer.HeUniform, "conv" },
        { Initializer.LecunUniform, "dense" },
        { Initializer.RandomUniform, "dense" },
        { Initializer.GlorotNormal, "dense" },
        { Initializer.HeNormal, "conv" },
        { Initializer.HeNormal, "dense" },
        { Initializer.LecunNormal, "dense" },
        { Initializer.RandomNormal, "dense" },
    };

    [Theory]
    [MemberData(nameof(Layers))]
    public void KernelsFollowKerasDistributions(Initializer initializer, string layer)
    {
        // Dense 700 → 300: fan_in 700, fan_out 300, 210,000 values. Conv2D 3×3, 48 → 64 channels: fan_in 9·48 = 432,
        // fan_out 9·64 = 576, 27,648 values.
        ModelDescription description = layer == "dense"
            ? new("d", Shape.Flat(700), [new DenseLayer(300, Activation.Softmax, kernelInitializer: initializer)])
            : new("c", Shape.Image(5, 5, 48), [new Conv2DLayer(64, 3, 3, kernelInitializer: initializer), new FlattenLayer(), new DenseLayer(2, Activation.Softmax)]);
        double fanIn = layer == "dense" ? 700 : 432;
        double fanOut = layer == "dense" ? 300 : 576;
        float[] kernel = Model(description, seed: 5).GetWeights()[0];

        double c = TruncatedUnitStddev();
        (double stddev, double? bound) = initializer switch
        {
            Initializer.GlorotUniform => Uniform(Math.Sqrt(6 / (fanIn + fanOut))),
            Initializer.HeUniform => Uniform(Math.Sqrt(6 / fanIn)),
            Initializer.LecunUniform => Uniform(Math.Sqrt(3 / fanIn)),
            Initializer.RandomUniform => Uniform(0.05),
            Initializer.GlorotNormal => Truncated(Math.Sqrt(2 / (fanIn + fanOut)), c),
            Initializer.HeNormal => Truncated(Math.Sqrt(2 / fanIn), c),
            Initializer.LecunNormal => Truncated(Math.Sqrt(1 / fanIn), c),
            Initializer.RandomNormal => (0.05, null),
            _ => throw new ArgumentOutOfRangeException(nameof(initializer)),
        };

        double mean = kernel.Average(v => (double)v);
        double sampleStddev = Math.Sqrt(kernel.Sum(v => (v - mean) * (v - mean)) / (kernel.Length - 1));
        double largest = kernel.Max(v => Math.Abs((double)v));

        // The sample stddev of ≥ 27,648 draws is within ~0.4 % of the truth (one standard error); 2 % is > 5 of them,
        // while the usual mistakes (no truncation correction: -12 %; wrong fan: ≥ 15 %) are far outside.
        Assert.InRange(sampleStddev / stddev, 0.98, 1.02);
        Assert.InRange(Math.Abs(mean), 0, 5 * stddev / Math.Sqrt(kernel.Length));
        if (bound is double limit)
        {
            // Every value inside the bound, and the bound reached (so the range is not narrower than it should be).
            Assert.True(largest <= limit * (1 + 1e-6), $"largest |w| {largest} exceeds the bound {limit}");
            Assert.True(largest >= limit * 0.98, $"largest |w| {largest} falls short of the bound {limit}");
        }
        else
        {
            // A plain normal: about 4.55 % of the values lie beyond two standard deviations.
            double beyond = kernel.Count(v => Math.Abs(v) > 2 * stddev) / (double)kernel.Length;
            Assert.InRange(beyond, 0.040, 0.051);
        }
    }

    private static (double Stddev, double? Bound) Uniform(double limit) => (limit / Math.Sqrt(3), limit);

    // Keras draws a normal of stddev target / c and redraws values beyond two of those stddevs.
    private static (double Stddev, double? Bound) Truncated(double target, double c) => (target, 2 * target / c);
}
