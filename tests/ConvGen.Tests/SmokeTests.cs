namespace ConvGen.Tests;

public class SmokeTests
{
    [Fact]
    public void DescriptionCountsParameters()
    {
        var description = new ModelDescription("m", Shape.Image(28, 28, 1), [new Layers.FlattenLayer(), new Layers.DenseLayer(10, Activation.Softmax)]);
        Assert.Equal(7850, description.ParameterCount);
    }
}
