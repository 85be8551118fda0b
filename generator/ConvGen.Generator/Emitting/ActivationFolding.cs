using System.Collections.Generic;
using ConvGen.Generator.Model;

namespace ConvGen.Generator.Emitting;

/// <summary>
/// Folds an <c>Activation</c> layer into the <c>Conv2D</c> or <c>Dense</c> right before it when that layer's own
/// activation is linear — the notebooks' <c>model.add(Conv2D(8, ...)); model.add(Activation('relu'))</c> — so the
/// convolution writes f(x) as its epilogue, the activation layer hands its input on, and its derivative is applied
/// where the gradient is written anyway (by the next layer's input gradient, or the layer's own backward). Saves one
/// pass over the output forward and one backward, and a workspace region.
/// </summary>
/// <remarks>
/// Only the generated engine sees the folded layers: the model's description (its summary, weight order and
/// interpreted reference) is written from the layers as declared. Softmax is never folded: it is fused with the loss.
/// </remarks>
internal static class ActivationFolding
{
    public static ModelSpec Fold(ModelSpec model)
    {
        var layers = new List<LayerSpec>(model.Layers.Count);
        bool folded = false;
        foreach (LayerSpec layer in model.Layers)
        {
            LayerSpec? previous = layers.Count > 0 ? layers[layers.Count - 1] : null;
            if (layer is ActivationSpec { Activation: ActivationKind.Relu or ActivationKind.Sigmoid or ActivationKind.Tanh } activation
                && Absorb(previous, activation.Activation) is LayerSpec absorbed)
            {
                layers[layers.Count - 1] = absorbed;
                layers.Add(activation with { AppliedBy = absorbed.Name });
                folded = true;
            }
            else
            {
                layers.Add(layer);
            }
        }

        return folded ? model with { Layers = new ImmutableEquatableArray<LayerSpec>(layers) } : model;
    }

    // The layer before with the activation as its own, or null when it cannot take it.
    private static LayerSpec? Absorb(LayerSpec? previous, ActivationKind activation) => previous switch
    {
        Conv2DSpec { Activation: ActivationKind.Linear } conv => conv with { Activation = activation },
        DenseSpec { Activation: ActivationKind.Linear } dense => dense with { Activation = activation },
        _ => null,
    };
}
