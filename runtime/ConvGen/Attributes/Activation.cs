namespace ConvGen;

/// <summary>The activation applied to a layer's output, as Keras names them.</summary>
public enum Activation
{
    /// <summary>No activation: <c>a(x) = x</c>.</summary>
    Linear,

    /// <summary>Rectified linear unit: <c>max(x, 0)</c>.</summary>
    Relu,

    /// <summary>Logistic sigmoid: <c>1 / (1 + exp(-x))</c>.</summary>
    Sigmoid,

    /// <summary>Hyperbolic tangent.</summary>
    Tanh,

    /// <summary>Softmax over the units; only allowed on the last layer, where it is fused with the cross-entropy loss.</summary>
    Softmax,
}
