using System.Globalization;
using ConvGen.Layers;
using ConvGen.Persistence;
using Google.Protobuf;
using Onnx;

namespace ConvGen.OnnxExporting;

/// <summary>
/// Builds the ONNX inference graph of a <see cref="ModelDescription"/> with given weights: one method per layer kind
/// below, each appending the nodes and initialisers of one Keras layer, in order.
/// <para>
/// Layout: the graph's input is NHWC (<c>[batch, height, width, channels]</c>, the values <see cref="Model.Predict(Dataset, int)"/>
/// takes) or <c>[batch, features]</c> for flat models. ONNX's Conv and pooling operators work on NCHW, so the graph
/// transposes an image to NCHW before the first of them and back to NHWC before a Flatten, which then orders the
/// features height-width-channel as Keras does; element-wise layers run in whichever layout the tensor is in.
/// </para>
/// <para>
/// Each layer keeps Keras' exact semantics: 'same' padding is TensorFlow's (explicit pads, the odd cell at the bottom
/// or right); padded cells never win a max-pool (ONNX pads MaxPool with -inf) and never count in an average
/// (<c>count_include_pad = 0</c>); BatchNormalization uses its moving statistics; Dropout is gone.
/// </para>
/// </summary>
internal sealed class OnnxGraphBuilder
{
    /// <summary>The opset the graph uses: 13 has every operator needed with today's semantics (Softmax over one axis)
    /// and runs in every ONNX Runtime of the last years, on every platform.</summary>
    public const int Opset = 13;

    /// <summary>The IR version of opset 13.</summary>
    public const int IrVersion = 7;

    private const int FloatType = (int)TensorProto.Types.DataType.Float;

    private readonly GraphProto _graph = new();
    private readonly string _model;
    private readonly Dictionary<WeightInfo, float[]> _weights;
    private string _tensor;
    private Layout _layout;

    private OnnxGraphBuilder(ModelDescription description, float[][] weights)
    {
        _model = description.Name;
        _weights = description.Weights.Select((w, i) => (w, weights[i])).ToDictionary(p => p.w, p => p.Item2);
        _tensor = OnnxExport.InputName;
        _layout = description.InputShape.IsFlat ? Layout.Flat : Layout.Nhwc;
    }

    /// <summary>Where the values of the tensor flowing through the graph are: images channels-last (as the input) or
    /// channels-first (as ONNX's Conv produces them), or flat features.</summary>
    private enum Layout
    {
        Nhwc,
        Nchw,
        Flat,
    }

    /// <summary>The complete ONNX model of <paramref name="description"/> with <paramref name="weights"/> (in the order
    /// and layout of <see cref="Model.GetWeights"/>).</summary>
    public static ModelProto Build(ModelDescription description, float[][] weights)
    {
        var builder = new OnnxGraphBuilder(description, weights);
        foreach (LayerInfo layer in description.Layers)
        {
            builder.Add(layer);
        }

        return builder.Finish(description);
    }

    private void Add(LayerInfo info)
    {
        switch (info.Layer)
        {
            case Conv2DLayer conv: Conv2D(info, conv); break;
            case MaxPooling2DLayer pool: Pooling(info, pool, "MaxPool"); break;
            case AveragePooling2DLayer pool: Pooling(info, pool, "AveragePool"); break;
            case BatchNormalizationLayer batchNormalization: BatchNormalization(info, batchNormalization); break;
            case FlattenLayer: Flatten(info); break;
            case DenseLayer dense: Dense(info, dense); break;
            case ActivationLayer activation: Activate(info.Name, activation.Activation); break;
            case DropoutLayer: break; // inference: the identity
            case RescalingLayer rescaling: Affine(info.Name, ("Mul", "scale", rescaling.Scale, 1), ("Add", "offset", rescaling.Offset, 0)); break;
            case NormalizationLayer normalization: Affine(info.Name, ("Sub", "mean", normalization.Mean, 0), ("Div", "std", normalization.Std, 1)); break;
            default:
                throw new NotSupportedException($"Model '{_model}': ONNX export does not know the {info.Layer.KerasType} layer '{info.Name}' yet.");
        }
    }

    // Conv2D: Conv(x, W[out, in, kh, kw], b[out]) on NCHW, then the activation. Keras' kernel [kh, kw, in, out] is
    // transposed into ONNX's [out, in, kh, kw].
    private void Conv2D(LayerInfo info, Conv2DLayer conv)
    {
        ToNchw(info.Name);
        WeightInfo kernelInfo = info.Weights[0];
        int kh = conv.KernelHeight, kw = conv.KernelWidth, input = info.InputShape.Channels, filters = conv.Filters;
        float[] keras = _weights[kernelInfo];
        var onnx = new float[keras.Length];
        for (int y = 0; y < kh; y++)
        {
            for (int x = 0; x < kw; x++)
            {
                for (int i = 0; i < input; i++)
                {
                    for (int o = 0; o < filters; o++)
                    {
                        onnx[(((((o * input) + i) * kh) + y) * kw) + x] = keras[(((((y * kw) + x) * input) + i) * filters) + o];
                    }
                }
            }
        }

        var inputs = new List<string> { _tensor, Initializer(kernelInfo.Name, [filters, input, kh, kw], onnx) };
        if (conv.UseBias)
        {
            inputs.Add(Initializer(info.Weights[1]));
        }

        NodeProto node = Node(info.Name, "Conv", [.. inputs]);
        node.Attribute.Add(Ints("kernel_shape", kh, kw));
        node.Attribute.Add(Ints("strides", conv.StrideHeight, conv.StrideWidth));
        node.Attribute.Add(Ints("pads", Pads(info, kh, kw, conv.StrideHeight, conv.StrideWidth, conv.Padding)));
        node.Attribute.Add(Ints("dilations", 1, 1));
        node.Attribute.Add(Int("group", 1));
        Activate(info.Name, conv.Activation);
    }

    // MaxPooling2D / AveragePooling2D on NCHW with TensorFlow's padding: ONNX's MaxPool never lets a padded cell win,
    // and AveragePool with count_include_pad = 0 divides by the cells inside the image only.
    private void Pooling(LayerInfo info, Pooling2DLayer pool, string operation)
    {
        ToNchw(info.Name);
        NodeProto node = Node(info.Name, operation, _tensor);
        node.Attribute.Add(Ints("kernel_shape", pool.PoolHeight, pool.PoolWidth));
        node.Attribute.Add(Ints("strides", pool.StrideHeight, pool.StrideWidth));
        node.Attribute.Add(Ints("pads", Pads(info, pool.PoolHeight, pool.PoolWidth, pool.StrideHeight, pool.StrideWidth, pool.Padding)));
        if (operation == "AveragePool")
        {
            node.Attribute.Add(Int("count_include_pad", 0));
        }
    }

    // BatchNormalization in inference: (x - moving_mean) / sqrt(moving_variance + epsilon) * gamma + beta over the
    // channel axis, which is axis 1 of an NCHW image and of flat features alike.
    private void BatchNormalization(LayerInfo info, BatchNormalizationLayer layer)
    {
        if (_layout == Layout.Nhwc)
        {
            ToNchw(info.Name);
        }

        NodeProto node = Node(info.Name, "BatchNormalization", [_tensor, .. info.Weights.Select(Initializer)]);
        node.Attribute.Add(Float("epsilon", (float)layer.Epsilon));
    }

    // Flatten in Keras' height-width-channel order: back to NHWC first, then ONNX's Flatten keeps the batch axis.
    private void Flatten(LayerInfo info)
    {
        if (_layout == Layout.Flat)
        {
            return;
        }

        ToNhwc(info.Name);
        Node(info.Name, "Flatten", _tensor).Attribute.Add(Int("axis", 1));
        _layout = Layout.Flat;
    }

    // Dense: Gemm(x[batch, in], W[in, out], b[out]) (Keras' kernel layout is Gemm's B untransposed), or MatMul
    // without a bias; then the activation.
    private void Dense(LayerInfo info, DenseLayer dense)
    {
        if (dense.UseBias)
        {
            Node(info.Name, "Gemm", _tensor, Initializer(info.Weights[0]), Initializer(info.Weights[1]));
        }
        else
        {
            Node(info.Name, "MatMul", _tensor, Initializer(info.Weights[0]));
        }

        Activate(info.Name, dense.Activation);
    }

    private void Activate(string layer, Activation activation)
    {
        switch (activation)
        {
            case Activation.Linear: break;
            case Activation.Relu: Node(layer, "Relu", _tensor); break;
            case Activation.Sigmoid: Node(layer, "Sigmoid", _tensor); break;
            case Activation.Tanh: Node(layer, "Tanh", _tensor); break;
            case Activation.Softmax: Node(layer, "Softmax", _tensor).Attribute.Add(Int("axis", 1)); break; // [batch, classes]
            default: throw new NotSupportedException($"Model '{_model}': ONNX export does not know the activation {activation} of layer '{layer}' yet.");
        }
    }

    // Rescaling (x * scale + offset) and Normalization ((x - mean) / std): two element-wise operators with scalar
    // constants, in the order and with the float32 constants the engines use; an identity step is left out.
    private void Affine(string layer, params (string Operation, string Constant, double Value, double Identity)[] steps)
    {
        foreach ((string operation, string constant, double value, double identity) in steps)
        {
            if ((float)value != (float)identity)
            {
                Node(layer, operation, _tensor, Initializer(layer + "/" + constant, [], [(float)value]));
            }
        }
    }

    private void ToNchw(string layer)
    {
        if (_layout == Layout.Nhwc)
        {
            NamedNode(layer + "/to_nchw", "Transpose", _tensor).Attribute.Add(Ints("perm", 0, 3, 1, 2));
            _layout = Layout.Nchw;
        }
    }

    private void ToNhwc(string layer)
    {
        if (_layout == Layout.Nchw)
        {
            NamedNode(layer + "/to_nhwc", "Transpose", _tensor).Attribute.Add(Ints("perm", 0, 2, 3, 1));
            _layout = Layout.Nhwc;
        }
    }

    /// <summary>ONNX's pads [top, left, bottom, right] for TensorFlow's padding of a window over the layer's input.</summary>
    private static long[] Pads(LayerInfo info, int windowHeight, int windowWidth, int strideHeight, int strideWidth, Padding padding)
    {
        bool same = padding == Padding.Same;
        int height = info.InputShape.Height, width = info.InputShape.Width;
        return
        [
            KerasConventions.PaddingBefore(height, windowHeight, strideHeight, same),
            KerasConventions.PaddingBefore(width, windowWidth, strideWidth, same),
            KerasConventions.PaddingAfter(height, windowHeight, strideHeight, same),
            KerasConventions.PaddingAfter(width, windowWidth, strideWidth, same),
        ];
    }

    private NodeProto Node(string layer, string operation, params string[] inputs) => NamedNode(layer + "/" + operation, operation, inputs);

    /// <summary>Appends a node whose one output (of the same name) becomes the tensor flowing on.</summary>
    private NodeProto NamedNode(string name, string operation, params string[] inputs)
    {
        var node = new NodeProto { Name = name, OpType = operation };
        node.Input.Add(inputs);
        node.Output.Add(name);
        _graph.Node.Add(node);
        _tensor = name;
        return node;
    }

    private string Initializer(WeightInfo weight) => Initializer(weight.Name, weight.Shape.Select(d => (long)d).ToArray(), _weights[weight]);

    private string Initializer(string name, long[] dims, float[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = FloatType, RawData = ByteString.CopyFrom(WeightBytes.LittleEndian(values)) };
        tensor.Dims.Add(dims);
        _graph.Initializer.Add(tensor);
        return name;
    }

    private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    private static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.Add(values);
        return attribute;
    }

    private ModelProto Finish(ModelDescription description)
    {
        // The last node (the softmax) writes the graph's output.
        _graph.Node[^1].Output[0] = OnnxExport.OutputName;
        Shape input = description.InputShape;
        _graph.Name = description.Name;
        _graph.Input.Add(TensorValue(OnnxExport.InputName, input.IsFlat ? [input.Channels] : [input.Height, input.Width, input.Channels]));
        _graph.Output.Add(TensorValue(OnnxExport.OutputName, [description.Classes]));
        _graph.DocString = string.Create(
            CultureInfo.InvariantCulture,
            $"{description.Name}: input '{OnnxExport.InputName}' float32 {BatchShape(input)} ({(input.IsFlat ? "features" : "NHWC, channels last")}, the values Model.Predict takes); output '{OnnxExport.OutputName}' float32 [batch, {description.Classes}], the class probabilities.");

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = Producer.Name,
            ProducerVersion = Producer.Version,
            Graph = _graph,
            DocString = _graph.DocString,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "model", Value = description.Name });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "input_layout", Value = input.IsFlat ? "NC" : "NHWC" });
        return model;
    }

    private static string BatchShape(Shape shape) =>
        shape.IsFlat ? $"[batch, {shape.Channels}]" : $"[batch, {shape.Height}, {shape.Width}, {shape.Channels}]";

    /// <summary>A float32 tensor of <c>[batch, dimensions...]</c>, the batch size left free.</summary>
    private static ValueInfoProto TensorValue(string name, int[] dimensions)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        foreach (int dimension in dimensions)
        {
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = dimension });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = FloatType, Shape = shape } },
        };
    }
}
