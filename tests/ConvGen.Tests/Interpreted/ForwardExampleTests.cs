using ConvGen.Layers;

namespace ConvGen.Tests.Interpreted;

/// <summary>Each layer's forward pass on tiny inputs whose outputs were worked out by hand.</summary>
public class ForwardExampleTests
{
    // A 3×3 single-channel image:
    //   1 2 3
    //   4 5 6
    //   7 8 9
    private static readonly double[] OneToNine = [1, 2, 3, 4, 5, 6, 7, 8, 9];

    [Fact]
    public void Conv2DFollowsTheKernelAndActivationLayout()
    {
        // Input 2×3 with two channels: channel 0 = [[1,2,3],[4,5,6]], channel 1 = ten times that.
        // Filter 0 reads channel 0 with [[1,2],[3,4]]; filter 1 reads channel 1 with [[1,0],[2,-1]].
        var network = new DoubleNetwork(Model(Shape.Image(2, 3, 2), new Conv2DLayer(2, 2, 2), new FlattenLayer()));
        network.Set(
            "conv2d/kernel",
            //   ci0: co0 co1  ci1: co0 co1
            1, 0, 0, 1,   // ky 0, kx 0
            2, 0, 0, 0,   // ky 0, kx 1
            3, 0, 0, 2,   // ky 1, kx 0
            4, 0, 0, -1); // ky 1, kx 1
        network.Set("conv2d/bias", 0.5, -0.5);
        double[] image = [1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60];

        double[] output = network.InferenceOutput(image, 1, 0);

        // (0,0): 1·1 + 2·2 + 4·3 + 5·4 + 0.5 = 37.5 and 10·1 + 40·2 - 50 - 0.5 = 39.5;
        // (0,1): 2·1 + 3·2 + 5·3 + 6·4 + 0.5 = 47.5 and 20·1 + 50·2 - 60 - 0.5 = 59.5.
        Assert.Equal([37.5, 39.5, 47.5, 59.5], output);
    }

    [Fact]
    public void Conv2DAppliesItsActivationAndSkipsTheBiasWhenAbsent()
    {
        var network = new DoubleNetwork(Model(Shape.Image(1, 2, 1), new Conv2DLayer(1, 1, 1, activation: Activation.Relu, useBias: false), new FlattenLayer()));
        Assert.DoesNotContain(network.Description.Weights, w => w.Variable == "bias");
        network.Set("conv2d/kernel", -2);

        Assert.Equal([0.0, 6.0], network.InferenceOutput([1, -3], 1, 0));
    }

    [Fact]
    public void Conv2DSamePaddingWithAnOddTotalPadsBottomAndRight()
    {
        // A 2×2 kernel over 3×3 with 'same' padding: one padded row and column in total, both after.
        // out[y,x] = in[y,x] + 10·in[y,x+1] + 100·in[y+1,x] + 1000·in[y+1,x+1], zeros past the bottom/right.
        var network = new DoubleNetwork(Model(Shape.Image(3, 3, 1), new Conv2DLayer(1, 2, 2, padding: Padding.Same, useBias: false), new FlattenLayer()));
        network.Set("conv2d/kernel", 1, 10, 100, 1000);

        double[] output = network.InferenceOutput(OneToNine, 1, 0);

        Assert.Equal([5421, 6532, 603, 8754, 9865, 906, 87, 98, 9], output);
    }

    [Fact]
    public void Conv2DSamePaddingPutsTheSmallerHalfBefore()
    {
        // A 4×4 kernel of ones over 4×4 with 'same' padding: 3 padded rows, 1 above and 2 below (likewise columns),
        // so out[y,x] sums rows y-1 .. y+2 and columns x-1 .. x+2 of the input, clipped.
        //    1  2  3  4
        //    5  6  7  8
        //    9 10 11 12
        //   13 14 15 16
        var network = new DoubleNetwork(Model(Shape.Image(4, 4, 1), new Conv2DLayer(1, 4, 4, padding: Padding.Same, useBias: false), new FlattenLayer()));
        network.Values("conv2d/kernel").Fill(1);
        double[] image = Enumerable.Range(1, 16).Select(v => (double)v).ToArray();

        double[] output = network.InferenceOutput(image, 1, 0);

        Assert.Equal(1 + 2 + 3 + 5 + 6 + 7 + 9 + 10 + 11, output[0]);        // rows 0-2, columns 0-2
        Assert.Equal(3 + 4 + 7 + 8 + 11 + 12, output[3]);                      // rows 0-2, columns 2-3
        Assert.Equal(1 + 2 + 3 + 5 + 6 + 7 + 9 + 10 + 11 + 13 + 14 + 15, output[4]); // (1, 0): rows 0-3, columns 0-2
        Assert.Equal(11 + 12 + 15 + 16, output[15]);                           // rows 2-3, columns 2-3
    }

    [Fact]
    public void Conv2DStrideSkipsPositions()
    {
        // 1×1 kernel of 1, stride 2 over 3×3 valid: picks rows and columns 0 and 2.
        var network = new DoubleNetwork(Model(Shape.Image(3, 3, 1), new Conv2DLayer(1, 1, 1, 2, 2, useBias: false), new FlattenLayer()));
        network.Set("conv2d/kernel", 1);

        Assert.Equal([1.0, 3, 7, 9], network.InferenceOutput(OneToNine, 1, 0));
    }

    [Fact]
    public void DenseUsesTheInputsByUnitsKernelLayout()
    {
        var network = new DoubleNetwork(Model(Shape.Flat(3), new DenseLayer(2)));
        network.Set("dense/kernel", 1, -1, 2, 0, 0.5, 3); // W[i, o] at i*2 + o
        network.Set("dense/bias", 0.25, -0.25);

        // Two samples: [1, 2, 3] and [0, 0, 2].
        double[] output = network.InferenceOutput([1, 2, 3, 0, 0, 2], 2, 0);

        Assert.Equal([6.75, 7.75, 1.25, 5.75], output);
    }

    [Theory]
    [InlineData(Activation.Linear)]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Tanh)]
    public void ActivationLayerAppliesTheFunction(Activation activation)
    {
        double[] x = [-2, -0.5, 0, 1.5];
        var network = new DoubleNetwork(Model(Shape.Flat(4), new ActivationLayer(activation)));
        double[] expected = activation switch
        {
            Activation.Linear => x,
            Activation.Relu => [0, 0, 0, 1.5],
            Activation.Sigmoid => [0.11920292202211755, 0.37754066879814546, 0.5, 0.8175744761936437],
            _ => [-0.9640275800758169, -0.46211715726000974, 0, 0.9051482536448664],
        };

        double[] output = network.InferenceOutput(x, 1, 0);

        for (int i = 0; i < x.Length; i++)
        {
            Assert.Equal(expected[i], output[i], 1e-15);
        }
    }

    [Fact]
    public void MaxPoolingTakesTheMaximumOfEachWindowPerChannel()
    {
        // 2×4 image with two channels; channel 1 is the negation of channel 0.
        //   1 5 2 0
        //   3 4 8 7
        double[] channel0 = [1, 5, 2, 0, 3, 4, 8, 7];
        double[] image = channel0.SelectMany(v => new[] { v, -v }).ToArray();
        var network = new DoubleNetwork(Model(Shape.Image(2, 4, 2), new MaxPooling2DLayer(2, 2), new FlattenLayer()));

        Assert.Equal([5.0, -1, 8, 0], network.InferenceOutput(image, 1, 0));
    }

    [Fact]
    public void MaxPoolingPaddingNeverWins()
    {
        // All-negative 3×3 with a 2×2 'same' pool, stride 2: the right column and bottom row windows are clipped;
        // a padded zero would win every one of them.
        double[] image = OneToNine.Select(v => -v).ToArray();
        var network = new DoubleNetwork(Model(Shape.Image(3, 3, 1), new MaxPooling2DLayer(2, 2, padding: Padding.Same), new FlattenLayer()));

        Assert.Equal([-1.0, -3, -7, -9], network.InferenceOutput(image, 1, 0));
    }

    [Fact]
    public void MaxPoolingOverlappingWindowsWithStride()
    {
        // 3×3 pool, stride 2 over a 5×5 ramp: windows start at 0 and 2 and share row/column 2.
        double[] image = Enumerable.Range(0, 25).Select(v => (double)((v * 7) % 25)).ToArray();
        var network = new DoubleNetwork(Model(Shape.Image(5, 5, 1), new MaxPooling2DLayer(3, 3, 2, 2), new FlattenLayer()));

        //   0  7 14 21  3
        //  10 17 24  6 13
        //  20  2  9 16 23
        //   5 12 19  1  8
        //  15 22  4 11 18
        Assert.Equal([24.0, 24, 22, 23], network.InferenceOutput(image, 1, 0));
    }

    [Fact]
    public void AveragePoolingDoesNotCountPaddedCells()
    {
        // 2×2 'same' pool, stride 2 over 3×3: the clipped windows average 4, 2, 2 and 1 cells.
        var network = new DoubleNetwork(Model(Shape.Image(3, 3, 1), new AveragePooling2DLayer(2, 2, padding: Padding.Same), new FlattenLayer()));

        Assert.Equal([(1 + 2 + 4 + 5) / 4.0, (3 + 6) / 2.0, (7 + 8) / 2.0, 9], network.InferenceOutput(OneToNine, 1, 0));
    }

    [Fact]
    public void AveragePoolingValidWindows()
    {
        var network = new DoubleNetwork(Model(Shape.Image(3, 3, 1), new AveragePooling2DLayer(2, 2, 1, 1), new FlattenLayer()));

        Assert.Equal([3.0, 4, 6, 7], network.InferenceOutput(OneToNine, 1, 0));
    }

    [Fact]
    public void FlattenKeepsHeightWidthChannelOrder()
    {
        double[] image = Enumerable.Range(0, 12).Select(v => (double)v).ToArray();
        var network = new DoubleNetwork(Model(Shape.Image(2, 3, 2), new FlattenLayer()));

        Assert.Equal(image, network.InferenceOutput(image, 1, 0));
    }

    [Fact]
    public void RescalingScalesThenOffsets()
    {
        var network = new DoubleNetwork(Model(Shape.Flat(3), new RescalingLayer(1 / 255.0, -0.5)));

        double[] output = network.InferenceOutput([0, 255, 51], 1, 0);

        Assert.Equal([-0.5, 0.5, -0.3], output.Select(v => Math.Round(v, 12)));
    }

    [Fact]
    public void NormalizationSubtractsTheMeanAndDividesByTheStd()
    {
        var network = new DoubleNetwork(Model(Shape.Flat(3), new NormalizationLayer(0.1307, 0.3081)));

        double[] output = network.InferenceOutput([0.1307, 0.4388, 0], 1, 0);

        Assert.Equal(0, output[0], 1e-15);
        Assert.Equal(1, output[1], 1e-12);
        Assert.Equal(-0.1307 / 0.3081, output[2], 1e-15);
    }

    [Fact]
    public void DenseWithSoftmaxOutputsItsLogits()
    {
        // The last layer's output is the pre-softmax value; Predict applies the softmax.
        var network = new DoubleNetwork(new ModelDescription("m", Shape.Flat(1), [new DenseLayer(2, Activation.Softmax)]));
        network.Set("dense/kernel", 1, 2);
        network.Set("dense/bias", -1, Math.Log(3) - 2);

        Assert.Equal([0.0, Math.Log(3)], network.InferenceOutput([1], 1, 0));
        var probabilities = new double[2];
        network.Network.Predict([1.0], 1, network.Parameters, network.State, probabilities);
        Assert.Equal(0.25, probabilities[0], 1e-15);
        Assert.Equal(0.75, probabilities[1], 1e-15);
    }

    // The layers under test (ending in a flat output), then a weightless softmax so the description is valid.
    private static ModelDescription Model(Shape input, params Layer[] layers) =>
        new("example", input, [.. layers, new ActivationLayer(Activation.Softmax)]);
}
