using ConvGen.Engines;
using ConvGen.Randomness;

namespace ConvGen;

/// <summary>
/// A trainable model, shaped like Keras' <c>Model</c>: <see cref="Summary"/>, <see cref="Fit"/>, <see cref="Evaluate"/>,
/// <see cref="Predict(ReadOnlySpan{float})"/>, <see cref="GetWeights"/> / <see cref="SetWeights"/>,
/// <see cref="Save"/> / <see cref="Load"/>. Each class annotated with <see cref="SequentialAttribute"/> derives from it
/// with a generated engine; <see cref="InterpretedModel"/> runs any <see cref="ModelDescription"/> with the interpreted
/// reference engine.
/// </summary>
/// <remarks>
/// <para><b>Threads.</b> One model may serve many threads: <see cref="Predict(ReadOnlySpan{float})"/>,
/// <see cref="Predict(Dataset, int)"/>, <see cref="PredictClasses"/>, <see cref="Evaluate"/>, <see cref="GetWeights"/>,
/// <see cref="Save"/> and <see cref="Summary"/> may be called from any number of threads at once, and each call
/// returns exactly (to the bit) what it returns when it runs alone. A batch the engine runs on one thread (one image
/// of a small model, or every batch with <see cref="Engines.Engine.Threads"/> = 1) runs at once beside the others, on
/// its caller's thread with a workspace of its own; a batch that would use the engine's worker threads waits until
/// they are free, since they already occupy the cores.</para>
/// <para><see cref="Fit"/>, <see cref="SetWeights"/>, <see cref="Load"/> and <see cref="InitializeWeights"/> change the
/// weights every prediction reads, so they need the model to themselves: called while another thread uses the model
/// they throw <see cref="InvalidOperationException"/>, and a prediction or evaluation called on another thread while
/// they run throws it too. Nothing waits for a Fit or silently mixes weights of two training steps. The thread running
/// <see cref="Fit"/> may itself predict, evaluate and set weights from its callbacks, but not start another Fit. To
/// serve a model while training a new version, train a second instance and swap the reference when it is done.</para>
/// <para>Setters (<see cref="Output"/>, <see cref="StopTraining"/>, <see cref="Engines.Engine.Threads"/>) and writes
/// through <see cref="Buffers"/> are not synchronised; set them before sharing the model. See docs/api-reliability.md.</para>
/// </remarks>
public abstract partial class Model
{
    private Optimizer? _optimizer;
    private ulong _stepsTrained;
    private ulong _epochsTrained;
    private TextWriter _output = Console.Out;

    /// <summary>A model run by <paramref name="engine"/>, its weights drawn from <paramref name="seed"/>.</summary>
    protected Model(Engine engine, int seed)
    {
        ArgumentNullException.ThrowIfNull(engine);
        Engine = engine;
        Seed = seed;
        Buffers = new ModelBuffers(engine.Description);
        InitializeWeights();
    }

    /// <summary>The model's layers, shapes and weight layout.</summary>
    public ModelDescription Description => Engine.Description;

    /// <summary>The model's name (the class name unless the attribute sets one).</summary>
    public string Name => Description.Name;

    /// <summary>The engine that runs the layers.</summary>
    public Engine Engine { get; }

    /// <summary>The seed of the weights, the shuffling and the dropout masks: same seed, same result.</summary>
    public int Seed { get; }

    /// <summary>Parameters, gradients and state, each in one contiguous buffer.</summary>
    public ModelBuffers Buffers { get; }

    /// <summary>The optimizer of the last <see cref="Fit"/>, which the next one reuses when given none.</summary>
    public Optimizer? Optimizer => _optimizer;

    /// <summary>Where <see cref="Fit"/> and <see cref="Evaluate"/> print progress; the console by default
    /// (<see cref="TextWriter.Null"/> to discard).</summary>
    public TextWriter Output
    {
        get => _output;
        set => _output = value ?? throw new ArgumentNullException(nameof(value), "Use TextWriter.Null to discard the output.");
    }

    /// <summary>Set by a callback to end <see cref="Fit"/>: set in <see cref="Callback.OnBatchEnd"/>, after that batch
    /// (the epoch so far is validated and logged); set at an epoch's end, after that epoch. As Keras'
    /// <c>model.stop_training</c>.</summary>
    public bool StopTraining { get; set; }

    /// <summary>Number of values in all weights, trainable and not (Keras' <c>count_params()</c>).</summary>
    public long CountParams() => Description.ParameterCount;

    /// <summary>An interpreted copy of this model (same description, seed, weights and state): the reference the
    /// generated code is checked against.</summary>
    public InterpretedModel ToInterpreted()
    {
        var copy = new InterpretedModel(Description, Seed);
        using Engine.Scope reading = Engine.EnterReading("read its weights");
        Buffers.Parameters.Span.CopyTo(copy.Buffers.Parameters.Span);
        Buffers.State.Span.CopyTo(copy.Buffers.State.Span);
        return copy;
    }

    /// <summary>Draws every weight again from the model's seed: the state of a freshly created model.</summary>
    public void InitializeWeights()
    {
        using Engine.Scope writing = Engine.EnterWriting("initialise its weights");
        Buffers.Parameters.Clear();
        Buffers.Gradients.Clear();
        Buffers.State.Clear();
        ulong seed = SplitMix64.Derive((ulong)(uint)Seed, 0x1417);
        IReadOnlyList<WeightInfo> weights = Description.Weights;
        for (int i = 0; i < weights.Count; i++)
        {
            WeightInitializer.Fill(Buffers.Values(weights[i]), weights[i], SplitMix64.Derive(seed, (ulong)i));
        }
    }

    /// <summary>
    /// Every weight array in Keras order and layout (Conv2D kernel [kh, kw, in, out] then bias; Dense kernel [in, out]
    /// then bias; BatchNormalization gamma, beta, moving mean, moving variance), copied.
    /// </summary>
    public float[][] GetWeights()
    {
        using Engine.Scope reading = Engine.EnterReading("read its weights");
        return Description.Weights.Select(w => Buffers.Values(w).ToArray()).ToArray();
    }

    /// <summary>
    /// Replaces every weight array, given in the order and layout of <see cref="GetWeights"/> (so weights move between
    /// ConvGen and Keras). Checks everything first: on error nothing changes.
    /// </summary>
    public void SetWeights(IReadOnlyList<float[]> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        IReadOnlyList<WeightInfo> expected = Description.Weights;
        if (weights.Count != expected.Count)
        {
            throw new ArgumentException($"Model '{Name}' has {expected.Count} weight arrays ({string.Join(", ", expected.Select(w => w.Name))}); got {weights.Count}.", nameof(weights));
        }

        for (int i = 0; i < expected.Count; i++)
        {
            if (weights[i] is null || weights[i].Length != expected[i].Length)
            {
                throw new ArgumentException($"Weight {i} ({expected[i].Name}, shape {expected[i].ShapeString}) needs {expected[i].Length} values; got {weights[i]?.Length.ToString() ?? "null"}.", nameof(weights));
            }
        }

        using Engine.Scope writing = Engine.EnterWriting("set its weights");
        for (int i = 0; i < expected.Count; i++)
        {
            weights[i].CopyTo(Buffers.Values(expected[i]));
        }
    }

    /// <summary>Class probabilities of one sample (its <see cref="ModelDescription.InputShape"/> values).</summary>
    public float[] Predict(ReadOnlySpan<float> image)
    {
        if (image.Length != Description.InputShape.Size)
        {
            throw new ArgumentException($"Model '{Name}' takes {Description.InputShape} = {Description.InputShape.Size} values; got {image.Length}.", nameof(image));
        }

        var probabilities = new float[Description.Classes];
        Engine.Predict(Buffers, image, 1, probabilities);
        return probabilities;
    }

    /// <summary>Class probabilities of every sample of <paramref name="data"/>, one row per sample.</summary>
    public float[][] Predict(Dataset data, int batchSize = 32)
    {
        int classes = Description.Classes;
        var probabilities = new float[(long)(data?.Count ?? 0) * classes];
        PredictInto(data!, batchSize, probabilities);
        var rows = new float[data!.Count][];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = probabilities.AsSpan(i * classes, classes).ToArray();
        }

        return rows;
    }

    /// <summary>
    /// The most probable class of each of <paramref name="unlabelled"/>'s images (their own labels, if any, are
    /// ignored) as its label, keeping those whose probability is at least <paramref name="minConfidence"/>: a dataset to
    /// mix into training (<see cref="Fit"/>'s <c>pseudoLabeled</c>), as "Beating MNIST"'s pseudo-labelling.
    /// </summary>
    public Dataset PseudoLabel(Dataset unlabelled, float minConfidence = 0, int batchSize = 256)
    {
        var probabilities = new float[(long)(unlabelled?.Count ?? 0) * Description.Classes];
        PredictInto(unlabelled!, batchSize, probabilities);
        return Ensemble.Labelled(unlabelled!, probabilities, Description.Classes, minConfidence);
    }

    /// <summary>Writes the class probabilities of every sample of <paramref name="data"/> into
    /// <paramref name="probabilities"/>, row after row.</summary>
    internal void PredictInto(Dataset data, int batchSize, Span<float> probabilities)
    {
        CheckCompatible(data, nameof(data));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        batchSize = ClampBatch(batchSize, data.Count);
        int classes = Description.Classes;
        using Engine.Scope reading = Engine.EnterReading();
        for (int start = 0; start < data.Count; start += batchSize)
        {
            int count = Math.Min(batchSize, data.Count - start);
            Engine.Predict(Buffers, data.ImageRows(start, count), count, probabilities.Slice(start * classes, count * classes));
        }
    }

    /// <summary>The predicted class of every sample (the arg-max of its probabilities).</summary>
    public int[] PredictClasses(Dataset data, int batchSize = 32) => Dataset.FromCategorical(Predict(data, batchSize));

    /// <summary>Mean cross-entropy loss and accuracy on <paramref name="data"/>, in inference mode.</summary>
    /// <param name="data">The samples and labels; at least one.</param>
    /// <param name="batchSize">Samples per engine call.</param>
    /// <param name="verbose">0 silent; 1 the finished progress bar line; 2 the short line
    /// <c>313/313 - 1s - loss: 0.0300 - accuracy: 0.9910</c>.</param>
    public (float Loss, float Accuracy) Evaluate(Dataset data, int batchSize = 32, int verbose = 0)
    {
        CheckCompatible(data, nameof(data));
        CheckLabels(data, nameof(data));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        CheckVerbose(verbose);
        if (data.Count == 0)
        {
            throw new ArgumentException("The dataset has no samples to evaluate.", nameof(data));
        }

        batchSize = ClampBatch(batchSize, data.Count);
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        BatchMetrics metrics;
        using (Engine.EnterReading())
        {
            metrics = EvaluateMetrics(data, batchSize);
        }

        (float loss, float accuracy) = ((float)(metrics.LossSum / data.Count), (float)metrics.Correct / data.Count);
        if (verbose > 0)
        {
            int steps = Batches(data.Count, batchSize);
            double seconds = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds;
            Output.WriteLine(ProgressReporter.FormatEvaluation(verbose, steps, seconds, loss, accuracy));
        }

        return (loss, accuracy);
    }

    private static void CheckVerbose(int verbose)
    {
        if (verbose is < 0 or > 2)
        {
            throw new ArgumentOutOfRangeException(nameof(verbose), verbose, "verbose is 0 (silent), 1 (progress bar) or 2 (one line).");
        }
    }

    /// <summary>A batch size no larger than the data (at least 1), so no product or sum with it can overflow.</summary>
    private static int ClampBatch(int batchSize, int count) => Math.Min(batchSize, Math.Max(1, count));

    /// <summary>Batches of <paramref name="batchSize"/> in <paramref name="count"/> samples, the last one partial.</summary>
    private static int Batches(int count, int batchSize) => (count / batchSize) + (count % batchSize == 0 ? 0 : 1);

    private BatchMetrics EvaluateMetrics(Dataset data, int batchSize)
    {
        BatchMetrics total = default;
        for (int start = 0, count; start < data.Count; start += count)
        {
            count = Math.Min(batchSize, data.Count - start);
            total += Engine.Evaluate(Buffers, data.ImageRows(start, count), data.Labels.Slice(start, count), count);
        }

        return total;
    }

    private void CheckCompatible(Dataset data, string parameter)
    {
        ArgumentNullException.ThrowIfNull(data, parameter);
        Shape input = Description.InputShape;
        Shape given = data.Shape;
        bool sameSize = given.Size == input.Size;
        bool sameImage = given.IsFlat || input.IsFlat || (given.Height == input.Height && given.Width == input.Width && given.Channels == input.Channels);
        if (!sameSize || !sameImage)
        {
            throw new ArgumentException($"The dataset's samples are {given} ({given.Size} values) but model '{Name}' takes {input} ({input.Size} values).", parameter);
        }
    }

    private void CheckLabels(Dataset data, string parameter)
    {
        int classes = data.Classes;
        if (classes > Description.Classes)
        {
            throw new ArgumentException($"The dataset has label {classes - 1} but model '{Name}' outputs {Description.Classes} classes (labels 0..{Description.Classes - 1}).", parameter);
        }
    }
}
