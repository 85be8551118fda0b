namespace ConvGen;

/// <summary>
/// One weight array of a model, in Keras order and layout: where it lives (an offset into the parameter buffer when
/// trainable, into the state buffer when not), its shape and how it is initialised.
/// </summary>
public sealed class WeightInfo
{
    internal WeightInfo(string layerName, string variable, int[] shape, bool trainable, int offset, Initializer initializer, int fanIn, int fanOut)
    {
        LayerName = layerName;
        Variable = variable;
        Shape = shape;
        Trainable = trainable;
        Offset = offset;
        Initializer = initializer;
        FanIn = fanIn;
        FanOut = fanOut;
        Length = 1;
        foreach (int dimension in shape)
        {
            Length *= dimension;
        }
    }

    /// <summary>Keras' name of the weight: <c>conv2d/kernel</c>, <c>batch_normalization/moving_mean</c>.</summary>
    public string Name => LayerName + "/" + Variable;

    /// <summary>The layer the weight belongs to.</summary>
    public string LayerName { get; }

    /// <summary><c>kernel</c>, <c>bias</c>, <c>gamma</c>, <c>beta</c>, <c>moving_mean</c> or <c>moving_variance</c>.</summary>
    public string Variable { get; }

    /// <summary>Keras layout: Conv2D kernel [kh, kw, in, out]; Dense kernel [in, out]; vectors [n].</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>Number of values.</summary>
    public int Length { get; }

    /// <summary>Whether an optimizer updates it (false for batch-normalisation moving statistics).</summary>
    public bool Trainable { get; }

    /// <summary>Offset of the first value in the parameter buffer (trainable) or the state buffer (not trainable).</summary>
    public int Offset { get; }

    /// <summary>How the values are drawn when a model is created.</summary>
    public Initializer Initializer { get; }

    /// <summary>Fan-in used by the variance-scaling initialisers.</summary>
    public int FanIn { get; }

    /// <summary>Fan-out used by the variance-scaling initialisers.</summary>
    public int FanOut { get; }

    /// <summary>The shape as Keras prints it: <c>(3, 3, 1, 32)</c>.</summary>
    public string ShapeString => "(" + string.Join(", ", Shape) + (Shape.Count == 1 ? ",)" : ")");
}
