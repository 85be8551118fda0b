namespace ConvGen.Engines;

/// <summary>
/// Runs a model's layers: inference, evaluation and gradients of one batch. The generated engines (one per annotated
/// class) and the interpreted reference engine derive from it; <see cref="Model"/> drives either.
/// Images are packed one after another, each in height-width-channel order; labels are class indices.
/// </summary>
/// <remarks>
/// <see cref="Predict"/> and <see cref="Evaluate"/> may be called from several threads at once: each call gets the
/// result it gets alone, to the bit. <see cref="ComputeGradients"/> and <see cref="TrainStep(ModelBuffers, ReadOnlySpan{float}, ReadOnlySpan{int}, int, ulong, Optimizer)"/> need the engine to
/// themselves and throw <see cref="InvalidOperationException"/> while another thread uses it (and an inference on
/// another thread throws while they run). See <see cref="Model"/> for the whole contract.
/// </remarks>
public abstract partial class Engine
{
    /// <summary>An engine for <paramref name="description"/>.</summary>
    protected Engine(ModelDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        Description = description;
    }

    /// <summary>The model this engine runs.</summary>
    public ModelDescription Description { get; }

    /// <summary>A short name for reports: "compiled (AVX-512)", "interpreted".</summary>
    public abstract string Name { get; }

    /// <summary>
    /// How many threads a batch is split over (the interpreted engine always uses one). Results are identical for a
    /// given seed and thread count; different thread counts sum the same terms in another order.
    /// </summary>
    public virtual int Threads
    {
        get => 1;
        set
        {
            if (value != 1)
            {
                throw new NotSupportedException($"The {Name} engine runs on one thread.");
            }
        }
    }

    /// <summary>Class probabilities of <paramref name="count"/> images, in inference mode (dropout off, moving
    /// statistics), written as <paramref name="count"/> rows of <see cref="ModelDescription.Classes"/> values.</summary>
    public void Predict(ModelBuffers buffers, ReadOnlySpan<float> images, int count, Span<float> probabilities)
    {
        CheckBatch(buffers, images, count);
        long needed = (long)count * Description.Classes;
        if (probabilities.Length < needed)
        {
            throw new ArgumentException($"probabilities holds {probabilities.Length} values; {count} rows of {Description.Classes} need {needed}.", nameof(probabilities));
        }

        Entry entry = EnterInference(count);
        try
        {
            if (entry == Entry.Alone)
            {
                PredictAlone(buffers, images, count, probabilities);
            }
            else
            {
                PredictCore(buffers, images, count, probabilities);
            }
        }
        finally
        {
            Leave(entry);
        }
    }

    /// <summary>Loss and correct count of <paramref name="count"/> images in inference mode; changes nothing.</summary>
    public BatchMetrics Evaluate(ModelBuffers buffers, ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count)
    {
        CheckBatch(buffers, images, count);
        CheckLabels(labels, count);
        Entry entry = EnterInference(count);
        try
        {
            return entry == Entry.Alone ? EvaluateAlone(buffers, images, labels, count) : EvaluateCore(buffers, images, labels, count);
        }
        finally
        {
            Leave(entry);
        }
    }

    /// <summary>
    /// One training step's forward and backward pass in training mode: writes into <see cref="ModelBuffers.Gradients"/>
    /// the gradient of the mean loss over the batch, moves the batch-normalisation moving statistics, and returns the
    /// batch's loss and correct count. Dropout masks derive from <paramref name="dropoutSeed"/> alone, so two engines
    /// given the same seed drop the same values.
    /// </summary>
    public BatchMetrics ComputeGradients(ModelBuffers buffers, ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count, ulong dropoutSeed)
    {
        CheckBatch(buffers, images, count);
        CheckLabels(labels, count);
        Entry entry = EnterTrainingStep();
        try
        {
            return ComputeGradientsCore(buffers, images, labels, count, dropoutSeed);
        }
        finally
        {
            Leave(entry);
        }
    }

    /// <summary>
    /// A whole training step: <see cref="ComputeGradients"/>, then <paramref name="optimizer"/>'s update of the
    /// parameters. Engines that split a batch over threads also split the update, and fuse it with the sum of the
    /// threads' gradients (which still ends in <see cref="ModelBuffers.Gradients"/>).
    /// </summary>
    public BatchMetrics TrainStep(ModelBuffers buffers, ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count, ulong dropoutSeed, Optimizer optimizer)
    {
        CheckBatch(buffers, images, count);
        CheckLabels(labels, count);
        ArgumentNullException.ThrowIfNull(optimizer);
        Entry entry = EnterTrainingStep();
        try
        {
            return TrainStepCore(buffers, images, labels, count, dropoutSeed, optimizer);
        }
        finally
        {
            Leave(entry);
        }
    }

    /// <summary>
    /// <see cref="TrainStep(ModelBuffers, ReadOnlySpan{float}, ReadOnlySpan{int}, int, ulong, Optimizer)"/> on a batch that <paramref name="preparation"/> writes into <paramref name="images"/>
    /// during the step: engines that split the batch over threads let each thread prepare its own part (gathering and
    /// augmenting its images) before its forward pass, and every thread waits for all parts before reading another's.
    /// </summary>
    internal BatchMetrics TrainStep(ModelBuffers buffers, ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count, ulong dropoutSeed, Optimizer optimizer, IBatchPreparation preparation)
    {
        CheckBatch(buffers, images, count);
        CheckLabels(labels, count);
        ArgumentNullException.ThrowIfNull(optimizer);
        Entry entry = EnterTrainingStep();
        try
        {
            return TrainStepCore(buffers, images, labels, count, dropoutSeed, optimizer, preparation);
        }
        finally
        {
            Leave(entry);
        }
    }

    /// <summary>Implements <see cref="TrainStep(ModelBuffers, ReadOnlySpan{float}, ReadOnlySpan{int}, int, ulong, Optimizer, IBatchPreparation)"/>:
    /// by default the whole batch is prepared, then trained.</summary>
    private protected virtual BatchMetrics TrainStepCore(ModelBuffers buffers, ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count, ulong dropoutSeed, Optimizer optimizer, IBatchPreparation preparation)
    {
        preparation.Prepare(0, count);
        return TrainStepCore(buffers, images, labels, count, dropoutSeed, optimizer);
    }

    /// <summary>Implements <see cref="TrainStep(ModelBuffers, ReadOnlySpan{float}, ReadOnlySpan{int}, int, ulong, Optimizer)"/>; arguments are checked. By default the gradients, then the update.</summary>
    protected virtual BatchMetrics TrainStepCore(ModelBuffers buffers, ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count, ulong dropoutSeed, Optimizer optimizer)
    {
        BatchMetrics metrics = ComputeGradientsCore(buffers, images, labels, count, dropoutSeed);
        optimizer.Apply(buffers.Parameters.Span, buffers.Gradients.Span);
        return metrics;
    }

    /// <summary>Implements <see cref="Predict"/>; arguments are checked.</summary>
    protected abstract void PredictCore(ModelBuffers buffers, ReadOnlySpan<float> images, int count, Span<float> probabilities);

    /// <summary>Implements <see cref="Evaluate"/>; arguments are checked.</summary>
    protected abstract BatchMetrics EvaluateCore(ModelBuffers buffers, ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count);

    /// <summary>Implements <see cref="ComputeGradients"/>; arguments are checked.</summary>
    protected abstract BatchMetrics ComputeGradientsCore(ModelBuffers buffers, ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count, ulong dropoutSeed);

    private void CheckBatch(ModelBuffers buffers, ReadOnlySpan<float> images, int count)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        if (!ReferenceEquals(buffers.Description, Description) && buffers.Description.Signature != Description.Signature)
        {
            throw new ArgumentException($"The buffers belong to model '{buffers.Description.Name}', not '{Description.Name}'.", nameof(buffers));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        long needed = (long)count * Description.InputShape.Size;
        if (images.Length < needed)
        {
            throw new ArgumentException($"images holds {images.Length} values; {count} images of {Description.InputShape} need {needed}.", nameof(images));
        }
    }

    private void CheckLabels(ReadOnlySpan<int> labels, int count)
    {
        if (labels.Length < count)
        {
            throw new ArgumentException($"labels holds {labels.Length} values; the batch has {count} images.", nameof(labels));
        }

        int classes = Description.Classes;
        for (int i = 0; i < count; i++)
        {
            if ((uint)labels[i] >= (uint)classes)
            {
                throw new ArgumentException($"label {labels[i]} of sample {i} is outside the model's {classes} classes [0, {classes - 1}].", nameof(labels));
            }
        }
    }
}
