namespace ConvGen.Benchmarks.Comparison;

/// <summary>A ConvGen engine's measurement: training-step time and, for the generated engine, batch-1 latency.</summary>
/// <param name="Engine">The engine's name, e.g. "compiled (AVX-512)".</param>
/// <param name="Threads">The threads it ran on.</param>
internal sealed record ConvGenMeasurement(string Engine, int Threads, StepMeasurement Training, LatencyMeasurement? Inference);

/// <summary>
/// Times ConvGen's training step exactly as <see cref="Model.Fit"/> runs it — the engine's
/// <c>ComputeGradients</c> on the batch, then Adam's <c>Apply</c> to the flat parameter buffer — on one fixed random
/// batch, and the batch-1 latency of <see cref="Model.Predict(ReadOnlySpan{float})"/>.
/// </summary>
internal static class ConvGenRunner
{
    /// <summary>
    /// Sets the generated engine of <paramref name="model"/> to run on <paramref name="requested"/> threads and returns
    /// the count it will really use.
    /// </summary>
    public static int ApplyThreadCount(Model model, int requested)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requested);

        // TODO(threads): the runtime has no thread setting yet, so ConvGen runs single-threaded and this returns 1.
        // When CompiledEngine (or Model) gains one, apply it here and return what it reports, e.g.
        //     if (model.Engine is ConvGen.Engines.CompiledEngine engine) { engine.ThreadCount = requested; return engine.ThreadCount; }
        // This is the only place the comparison sets ConvGen's threads; the table reports what this returns.
        return 1;
    }

    /// <summary>Times the training step of <paramref name="model"/> on <paramref name="batch"/>.</summary>
    public static StepMeasurement MeasureTraining(Model model, TrainingBatch batch, StepPlan plan)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batch);
        var optimizer = new Adam();
        ulong step = 0;
        return StepTimer.MeasureSteps(
            () =>
            {
                model.Engine.ComputeGradients(model.Buffers, batch.Images, batch.Labels, batch.Count, ++step);
                optimizer.Apply(model.Buffers.Parameters.Span, model.Buffers.Gradients.Span);
            },
            plan);
    }

    /// <summary>Times <see cref="Model.Predict(ReadOnlySpan{float})"/> of the first image of <paramref name="batch"/>.</summary>
    public static LatencyMeasurement MeasureInference(Model model, TrainingBatch batch, LatencyPlan plan)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batch);
        float[] image = batch.Images.AsSpan(0, model.Description.InputShape.Size).ToArray();
        return StepTimer.MeasureLatency(() => model.Predict(image), plan);
    }
}
