using System.Numerics;
using ConvGen.Layers;

namespace ConvGen.Engines.Interpreted;

/// <summary>
/// Runs a <see cref="ModelDescription"/> layer by layer in the number type <typeparamref name="T"/>: the numeric core
/// of <see cref="InterpretedEngine"/> (float) and of the gradient checks (double).
/// </summary>
/// <remarks>
/// <para>Parameters, state and gradients are spans in the layout of the description (each weight at its
/// <see cref="WeightInfo.Offset"/>), so the engine hands over the model buffers without copying. The network owns a
/// workspace: every layer's output for the current batch, two gradient buffers the backward pass alternates between,
/// and each layer's own scratch (dropout masks, batch statistics). It grows when a larger batch arrives and is reused
/// after that, so a warm network allocates nothing. One network runs one batch at a time.</para>
/// <para>The last layer outputs logits (its softmax is fused with the loss, see <see cref="SoftmaxCrossEntropy"/>).
/// The backward pass stops at the first layer with trainable weights: nothing before it has a gradient to compute,
/// and that layer skips the gradient with respect to its input.</para>
/// </remarks>
/// <typeparam name="T">float or double.</typeparam>
internal sealed class InterpretedNetwork<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly InterpretedLayer<T>[] _layers;
    private readonly int _firstTrainable;
    private readonly int _largestOutput;
    private T[][] _outputs;
    private T[] _gradient;
    private T[] _otherGradient;
    private int _capacity;
    private int _count;

    /// <summary>A network running <paramref name="description"/>.</summary>
    public InterpretedNetwork(ModelDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        Description = description;
        _layers = new InterpretedLayer<T>[description.Layers.Count];
        _firstTrainable = _layers.Length;
        for (int i = 0; i < _layers.Length; i++)
        {
            _layers[i] = CreateLayer(description.Layers[i]);
            _largestOutput = Math.Max(_largestOutput, _layers[i].OutputSize);
            if (_layers[i].HasTrainableWeights && _firstTrainable == _layers.Length)
            {
                _firstTrainable = i;
            }
        }

        _outputs = new T[_layers.Length][];
        for (int i = 0; i < _outputs.Length; i++)
        {
            _outputs[i] = [];
        }

        _gradient = [];
        _otherGradient = [];
    }

    /// <summary>The model this network runs.</summary>
    public ModelDescription Description { get; }

    /// <summary>Class probabilities of <paramref name="count"/> samples in inference mode, as
    /// <paramref name="count"/> rows of <see cref="ModelDescription.Classes"/> values.</summary>
    public void Predict(ReadOnlySpan<T> images, int count, ReadOnlySpan<T> parameters, ReadOnlySpan<T> state, Span<T> probabilities)
    {
        ForwardInference(images, count, parameters, state);
        SoftmaxCrossEntropy.Probabilities(Logits(), count, Description.Classes, probabilities);
    }

    /// <summary>Loss sum and correct count of <paramref name="count"/> samples in inference mode; changes nothing but
    /// the workspace.</summary>
    public BatchMetrics Evaluate(ReadOnlySpan<T> images, ReadOnlySpan<int> labels, int count, ReadOnlySpan<T> parameters, ReadOnlySpan<T> state)
    {
        ForwardInference(images, count, parameters, state);
        return SoftmaxCrossEntropy.Loss(Logits(), labels, count, Description.Classes);
    }

    /// <summary>
    /// One training step's forward and backward pass in training mode: overwrites all of <paramref name="gradients"/>
    /// (zeros outside the weights) with the gradient of the mean loss over the batch, updates the moving statistics in
    /// <paramref name="state"/>, and returns the batch's loss sum and correct count.
    /// </summary>
    public BatchMetrics ComputeGradients(ReadOnlySpan<T> images, ReadOnlySpan<int> labels, int count, ReadOnlySpan<T> parameters, Span<T> state, Span<T> gradients, ulong dropoutSeed)
    {
        ForwardTraining(images, count, parameters, state, dropoutSeed);
        int classes = Description.Classes;
        Span<T> outputGradient = _gradient.AsSpan(0, count * classes);
        BatchMetrics metrics = SoftmaxCrossEntropy.LossAndGradient(Logits(), labels, count, classes, outputGradient);

        gradients.Clear();
        for (int i = _layers.Length - 1; i >= _firstTrainable; i--)
        {
            InterpretedLayer<T> layer = _layers[i];
            Span<T> inputGradient = i > _firstTrainable ? _otherGradient.AsSpan(0, count * layer.InputSize) : default;
            layer.Backward(LayerInput(images, i), LayerOutput(i), outputGradient, inputGradient, count, parameters, gradients);
            (_gradient, _otherGradient) = (_otherGradient, _gradient);
            outputGradient = inputGradient;
        }

        return metrics;
    }

    /// <summary>Runs every layer in inference mode; the outputs stay readable through <see cref="LayerOutput"/>.</summary>
    public void ForwardInference(ReadOnlySpan<T> images, int count, ReadOnlySpan<T> parameters, ReadOnlySpan<T> state)
    {
        Prepare(count);
        for (int i = 0; i < _layers.Length; i++)
        {
            _layers[i].ForwardInference(LayerInput(images, i), _outputs[i].AsSpan(0, count * _layers[i].OutputSize), count, parameters, state);
        }
    }

    /// <summary>Runs every layer in training mode; the outputs stay readable through <see cref="LayerOutput"/>.</summary>
    public void ForwardTraining(ReadOnlySpan<T> images, int count, ReadOnlySpan<T> parameters, Span<T> state, ulong dropoutSeed)
    {
        Prepare(count);
        for (int i = 0; i < _layers.Length; i++)
        {
            _layers[i].ForwardTraining(LayerInput(images, i), _outputs[i].AsSpan(0, count * _layers[i].OutputSize), count, parameters, state, dropoutSeed);
        }
    }

    /// <summary>Layer <paramref name="index"/>'s output for the last batch run forward (for the last layer, the
    /// logits).</summary>
    public ReadOnlySpan<T> LayerOutput(int index) => _outputs[index].AsSpan(0, _count * _layers[index].OutputSize);

    private ReadOnlySpan<T> Logits() => LayerOutput(_layers.Length - 1);

    private ReadOnlySpan<T> LayerInput(ReadOnlySpan<T> images, int index) =>
        index == 0 ? images[..(_count * _layers[0].InputSize)] : LayerOutput(index - 1);

    // Sets the batch size, growing the workspace when the batch is larger than any before.
    private void Prepare(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (count > _capacity)
        {
            for (int i = 0; i < _layers.Length; i++)
            {
                _outputs[i] = new T[count * _layers[i].OutputSize];
                _layers[i].EnsureCapacity(count);
            }

            _gradient = new T[count * _largestOutput];
            _otherGradient = new T[count * _largestOutput];
            _capacity = count;
        }

        _count = count;
    }

    private static InterpretedLayer<T> CreateLayer(LayerInfo info) => info.Layer switch
    {
        Conv2DLayer conv => new InterpretedConv2D<T>(info, conv),
        DenseLayer dense => new InterpretedDense<T>(info, dense),
        MaxPooling2DLayer pool => new InterpretedMaxPooling2D<T>(info, pool),
        AveragePooling2DLayer pool => new InterpretedAveragePooling2D<T>(info, pool),
        FlattenLayer => new InterpretedFlatten<T>(info),
        ActivationLayer activation => new InterpretedActivation<T>(info, activation),
        DropoutLayer dropout => new InterpretedDropout<T>(info, dropout),
        BatchNormalizationLayer batchNormalization => new InterpretedBatchNormalization<T>(info, batchNormalization),
        RescalingLayer rescaling => new InterpretedRescaling<T>(info, rescaling),
        NormalizationLayer normalization => new InterpretedNormalization<T>(info, normalization),
        _ => throw new NotSupportedException($"The interpreted engine cannot run layer '{info.Name}' ({info.Layer.KerasType})."),
    };
}
