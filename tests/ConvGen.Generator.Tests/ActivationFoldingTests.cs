using ConvGen.Generator.Emitting;
using ConvGen.Generator.Model;
using ConvGen.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace ConvGen.Generator.Tests;

/// <summary>
/// An <c>Activation</c> layer right after a linear <c>Conv2D</c> or <c>Dense</c> becomes that layer's epilogue in the
/// generated engine; every other activation stays a layer of its own. (The folded engines are checked against the
/// interpreted one in the runtime tests: StandaloneLayersModel and the seed networks fold.)
/// </summary>
public class ActivationFoldingTests
{
    [Fact]
    public void ReluAfterALinearConvolutionBecomesItsEpilogue()
    {
        ModelSpec declared = Parse("""
            [Sequential(8, 8, 1)]
            [Conv2D(4, 3)]
            [Activation(Activation.Relu)]
            [Flatten]
            [Dense(5)]
            [Activation(Activation.Tanh)]
            [Dense(3, Activation = Activation.Softmax)]
            """);

        ModelSpec folded = ActivationFolding.Fold(declared);

        Assert.Equal(declared.Layers.Count, folded.Layers.Count);
        Assert.Equal(ActivationKind.Relu, Assert.IsType<Conv2DSpec>(folded.Layers[0]).Activation);
        Assert.Equal(folded.Layers[0].Name, Assert.IsType<ActivationSpec>(folded.Layers[1]).AppliedBy);
        Assert.Equal(ActivationKind.Tanh, Assert.IsType<DenseSpec>(folded.Layers[3]).Activation);
        Assert.Equal(folded.Layers[3].Name, Assert.IsType<ActivationSpec>(folded.Layers[4]).AppliedBy);
        // The declared model is untouched: its description still lists linear layers and separate activations.
        Assert.Equal(ActivationKind.Linear, Assert.IsType<Conv2DSpec>(declared.Layers[0]).Activation);
        Assert.Null(Assert.IsType<ActivationSpec>(declared.Layers[1]).AppliedBy);
    }

    [Theory]
    [InlineData("[Conv2D(4, 3, Activation = Activation.Relu)]\n[Activation(Activation.Sigmoid)]")]
    [InlineData("[Conv2D(4, 3)]\n[MaxPooling2D(2)]\n[Activation(Activation.Relu)]")]
    [InlineData("[Activation(Activation.Tanh)]")]
    [InlineData("[Conv2D(4, 3)]\n[Activation(Activation.Linear)]")]
    public void OtherActivationsStayLayersOfTheirOwn(string layers)
    {
        ModelSpec declared = Parse($"[Sequential(8, 8, 1)]\n{layers}\n[Flatten]\n[Dense(3)]\n[Activation(Activation.Softmax)]");

        Assert.Same(declared, ActivationFolding.Fold(declared));
    }

    [Fact]
    public void FoldedActivationsTakeNoWorkspace()
    {
        ModelSpec declared = Parse("""
            [Sequential(8, 8, 1)]
            [Conv2D(4, 3)]
            [Activation(Activation.Relu)]
            [Flatten]
            [Dense(3, Activation = Activation.Softmax)]
            """);

        NetworkPlan engine = NetworkPlan.ForEngine(declared);
        NetworkPlan unfolded = new(declared);

        Assert.True(engine.WorkspacePerSample < unfolded.WorkspacePerSample, $"folded {engine.WorkspacePerSample} floats per sample, unfolded {unfolded.WorkspacePerSample}");
    }

    private static ModelSpec Parse(string attributes) => GeneratorHarness.ParseModel(attributes);
}
