using ConvGen.Layers;

namespace ConvGen;

/// <summary>
/// A sequential model: its input shape and layers with every shape inferred, and the layout of its weights in two
/// buffers: trainable parameters (what optimizers update, in one pass) and non-trainable state (batch-normalisation
/// moving statistics). The generator emits one per annotated class; the interpreted engine runs it directly.
/// </summary>
public sealed class ModelDescription
{
    /// <summary>Places <paramref name="layers"/> after an input of <paramref name="inputShape"/>; throws
    /// <see cref="ArgumentException"/> naming the layer when one cannot take its input.</summary>
    public ModelDescription(string name, Shape inputShape, IReadOnlyList<Layer> layers)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(layers);
        if (inputShape.Height <= 0 || inputShape.Width <= 0 || inputShape.Channels <= 0)
        {
            throw new ArgumentException($"Model '{name}': every input dimension must be positive; got {inputShape}.", nameof(inputShape));
        }

        if (layers.Count == 0)
        {
            throw new ArgumentException($"Model '{name}' has no layers.", nameof(layers));
        }

        Name = name;
        InputShape = inputShape;
        var ordinals = new Dictionary<string, int>(StringComparer.Ordinal);
        var infos = new List<LayerInfo>(layers.Count);
        var weights = new List<WeightInfo>();
        int parameterCursor = 0;
        int stateCursor = 0;
        Shape shape = inputShape;
        for (int index = 0; index < layers.Count; index++)
        {
            Layer layer = layers[index] ?? throw new ArgumentException($"Model '{name}': layer {index} is null.", nameof(layers));
            int ordinal = ordinals.TryGetValue(layer.KerasType, out int seen) ? seen : 0;
            ordinals[layer.KerasType] = ordinal + 1;
            string layerName = layer.Name ?? KerasConventions.AutomaticName(layer.KerasType, ordinal);
            Shape output;
            try
            {
                output = layer.ComputeOutputShape(shape);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Model '{name}', layer {index} '{layerName}' ({layer.KerasType}): {e.Message}", nameof(layers), e);
            }

            bool last = index == layers.Count - 1;
            if (layer.OutputActivation == Activation.Softmax && !last)
            {
                throw new ArgumentException($"Model '{name}', layer {index} '{layerName}' ({layer.KerasType}): softmax must be the last layer, where it is fused with the cross-entropy loss.", nameof(layers));
            }

            if (last && (layer.OutputActivation != Activation.Softmax || !output.IsFlat))
            {
                throw new ArgumentException($"Model '{name}': the last layer '{layerName}' must apply softmax to a flat output (Dense(classes, Activation = Activation.Softmax)); ConvGen trains with categorical cross-entropy.", nameof(layers));
            }

            var layerWeights = new List<WeightInfo>();
            foreach (WeightDeclaration declaration in layer.DeclareWeights(shape))
            {
                int length = 1;
                foreach (int dimension in declaration.Shape)
                {
                    length *= dimension;
                }

                int offset;
                if (declaration.Trainable)
                {
                    offset = KerasConventions.Align(parameterCursor);
                    parameterCursor = offset + length;
                }
                else
                {
                    offset = KerasConventions.Align(stateCursor);
                    stateCursor = offset + length;
                }

                layerWeights.Add(new WeightInfo(layerName, declaration.Variable, declaration.Shape, declaration.Trainable, offset, declaration.Initializer, declaration.FanIn, declaration.FanOut));
            }

            weights.AddRange(layerWeights);
            infos.Add(new LayerInfo(layer, index, layerName, shape, output, layerWeights));
            shape = output;
        }

        var duplicate = infos.GroupBy(l => l.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Model '{name}': two layers are named '{duplicate.Key}'; layer names must be unique.", nameof(layers));
        }

        Layers = infos;
        Weights = weights;
        OutputShape = shape;
        ParameterLength = KerasConventions.Align(parameterCursor);
        StateLength = KerasConventions.Align(stateCursor);
        TrainableParameterCount = weights.Where(w => w.Trainable).Sum(w => (long)w.Length);
        NonTrainableParameterCount = weights.Where(w => !w.Trainable).Sum(w => (long)w.Length);
    }

    /// <summary>The model's name.</summary>
    public string Name { get; }

    /// <summary>The shape of one input sample.</summary>
    public Shape InputShape { get; }

    /// <summary>The layers in order, each with its inferred shapes and weights.</summary>
    public IReadOnlyList<LayerInfo> Layers { get; }

    /// <summary>Every weight array in Keras order (the order of <see cref="Model.GetWeights"/>).</summary>
    public IReadOnlyList<WeightInfo> Weights { get; }

    /// <summary>The shape of one output: a flat vector of class probabilities.</summary>
    public Shape OutputShape { get; }

    /// <summary>The number of classes (the size of the last layer).</summary>
    public int Classes => OutputShape.Size;

    /// <summary>Length in floats of the trainable-parameter buffer, alignment gaps included.</summary>
    public int ParameterLength { get; }

    /// <summary>Length in floats of the non-trainable state buffer, alignment gaps included.</summary>
    public int StateLength { get; }

    /// <summary>Number of trainable parameters, as Keras counts them.</summary>
    public long TrainableParameterCount { get; }

    /// <summary>Number of non-trainable parameters (batch-normalisation moving statistics).</summary>
    public long NonTrainableParameterCount { get; }

    /// <summary>Trainable plus non-trainable, Keras' "Total params".</summary>
    public long ParameterCount => TrainableParameterCount + NonTrainableParameterCount;

    /// <summary>Multiply-adds of one sample's forward pass through the Conv2D and Dense layers (the rest is small).</summary>
    public long ForwardMultiplyAdds => Layers.Sum(l => l.ForwardMultiplyAdds);

    /// <summary>A one-line description of the architecture (shapes and layer kinds), used to check that a weight file
    /// belongs to the model it is loaded into.</summary>
    public string Signature =>
        InputShape + " " + string.Join(" ", Layers.Select(l => l.Layer.KerasType + l.OutputShape));
}

/// <summary>A layer placed in a model: its configuration, name, shapes and weights.</summary>
public sealed class LayerInfo
{
    internal LayerInfo(Layer layer, int index, string name, Shape inputShape, Shape outputShape, IReadOnlyList<WeightInfo> weights)
    {
        Layer = layer;
        Index = index;
        Name = name;
        InputShape = inputShape;
        OutputShape = outputShape;
        Weights = weights;
    }

    /// <summary>The layer's configuration.</summary>
    public Layer Layer { get; }

    /// <summary>Position in the model, from 0.</summary>
    public int Index { get; }

    /// <summary>The layer's name (configured or Keras' automatic one).</summary>
    public string Name { get; }

    /// <summary>Shape of one input sample.</summary>
    public Shape InputShape { get; }

    /// <summary>Shape of one output sample.</summary>
    public Shape OutputShape { get; }

    /// <summary>The layer's weights in Keras order.</summary>
    public IReadOnlyList<WeightInfo> Weights { get; }

    /// <summary>Number of values in the layer's weights (trainable and not), Keras' "Param #".</summary>
    public long ParameterCount => Weights.Sum(w => (long)w.Length);

    /// <summary>Multiply-adds of one sample's forward pass through a Conv2D (its whole window at every output
    /// position, padded cells included) or Dense layer; 0 for any other layer.</summary>
    public long ForwardMultiplyAdds => Layer switch
    {
        Conv2DLayer conv => (long)OutputShape.Height * OutputShape.Width * OutputShape.Channels * conv.KernelHeight * conv.KernelWidth * InputShape.Channels,
        DenseLayer dense => (long)InputShape.Size * dense.Units,
        _ => 0,
    };
}
