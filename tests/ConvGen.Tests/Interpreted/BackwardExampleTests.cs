using ConvGen.Engines.Interpreted;
using ConvGen.Layers;

namespace ConvGen.Tests.Interpreted;

/// <summary>Backward rules finite differences cannot see (ties, which sit on kinks) or that are easiest to state by
/// hand: pooling gradients routed cell by cell.</summary>
public class BackwardExampleTests
{
    [Fact]
    public void MaxPoolingTieSendsTheWholeGradientToTheFirstMaximumInScanOrder()
    {
        Assert.Equal([1.0, 0, 0, 0], MaxPoolInputGradient(Shape.Image(2, 2, 1), new MaxPooling2DLayer(2, 2), [3, 3, 1, 3], [1]));
        Assert.Equal([0.0, 0, 1, 0], MaxPoolInputGradient(Shape.Image(2, 2, 1), new MaxPooling2DLayer(2, 2), [1, 2, 5, 5], [1]));
    }

    [Fact]
    public void MaxPoolingOverlappingWindowsAccumulate()
    {
        // [1 5 2] with 1×2 windows, stride 1: 5 wins both windows.
        Assert.Equal([0.0, 3, 0], MaxPoolInputGradient(Shape.Image(1, 3, 1), new MaxPooling2DLayer(1, 2, 1, 1), [1, 5, 2], [1, 2]));
    }

    [Fact]
    public void MaxPoolingSamePaddingRoutesToTheWinningInputCell()
    {
        // All-negative 3×3, 2×2 'same' pool, stride 2: winners (0,0), (0,2), (2,0), (2,2).
        double[] image = [-1, -2, -3, -4, -5, -6, -7, -8, -9];
        Assert.Equal(
            [1.0, 0, 2, 0, 0, 0, 3, 0, 4],
            MaxPoolInputGradient(Shape.Image(3, 3, 1), new MaxPooling2DLayer(2, 2, padding: Padding.Same), image, [1, 2, 3, 4]));
    }

    [Fact]
    public void MaxPoolingRoutesEachChannelSeparately()
    {
        // One 2×2 window, two channels: channel 0 peaks at (1,0), channel 1 at (0,1).
        double[] image = [0, 0, 1, 9, 7, 0, 0, 0];
        Assert.Equal([0.0, 0, 0, 2, 1, 0, 0, 0], MaxPoolInputGradient(Shape.Image(2, 2, 2), new MaxPooling2DLayer(2, 2), image, [1, 2]));
    }

    [Fact]
    public void AveragePoolingSharesAmongValidCellsOnly()
    {
        // 2×2 'same' pool, stride 2 over 3×3: windows of 4, 2, 2 and 1 valid cells receive 4, 2, 2 and 1.
        double[] gradient = AveragePoolInputGradient(Shape.Image(3, 3, 1), new AveragePooling2DLayer(2, 2, padding: Padding.Same), new double[9], [4, 2, 2, 1]);
        Assert.Equal(Enumerable.Repeat(1.0, 9), gradient);
    }

    [Fact]
    public void AveragePoolingOverlappingWindowsAccumulate()
    {
        Assert.Equal([1.0, 3, 2], AveragePoolInputGradient(Shape.Image(1, 3, 1), new AveragePooling2DLayer(1, 2, 1, 1), new double[3], [2, 4]));
    }

    private static double[] MaxPoolInputGradient(Shape input, MaxPooling2DLayer pool, double[] image, double[] outputGradient)
    {
        LayerInfo info = PlaceLayer(input, pool);
        return RunBackward(new InterpretedMaxPooling2D<double>(info, pool), image, outputGradient);
    }

    private static double[] AveragePoolInputGradient(Shape input, AveragePooling2DLayer pool, double[] image, double[] outputGradient)
    {
        LayerInfo info = PlaceLayer(input, pool);
        return RunBackward(new InterpretedAveragePooling2D<double>(info, pool), image, outputGradient);
    }

    private static LayerInfo PlaceLayer(Shape input, Layer layer) =>
        new ModelDescription("m", input, [layer, new FlattenLayer(), new ActivationLayer(Activation.Softmax)]).Layers[0];

    private static double[] RunBackward(InterpretedLayer<double> layer, double[] image, double[] outputGradient)
    {
        var output = new double[layer.OutputSize];
        layer.ForwardTraining(image, output, 1, [], [], 0);
        var inputGradient = new double[layer.InputSize];
        Array.Fill(inputGradient, double.NaN); // must be overwritten
        layer.Backward(image, output, outputGradient.ToArray(), inputGradient, 1, [], []);
        return inputGradient;
    }
}
