using ConvGen.Engines;

namespace ConvGen.Benchmarks.Comparison;

/// <summary>
/// Times ConvGen's training step exactly as <see cref="Model.Fit"/> runs it — the engine's <c>TrainStep</c>:
/// gradients of the batch summed over its threads, then Adam's update of the flat parameter buffer — on one fixed
/// random batch, and the batch-1 latency of <see cref="Model.Predict(ReadOnlySpan{float})"/> (<see cref="InferenceImages"/>).
/// </summary>
internal static class ConvGenRunner
{
    /// <summary>
    /// Sets the generated engine of <paramref name="model"/> to run on <paramref name="requested"/> threads and returns
    /// the count a batch of <paramref name="batch"/> really uses (<see cref="CompiledEngine.ThreadsFor"/>).
    /// </summary>
    public static int ApplyThreadCount(Model model, int requested, int batch)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requested);
        model.Engine.Threads = requested;
        return ((CompiledEngine)model.Engine).ThreadsFor(batch);
    }

    /// <summary>Times the training step of <paramref name="model"/> on <paramref name="batch"/>.</summary>
    public static StepMeasurement MeasureTraining(Model model, TrainingBatch batch, StepPlan plan)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batch);
        var optimizer = new Adam();
        ulong step = 0;
        return StepTimer.MeasureSteps(
            () => model.Engine.TrainStep(model.Buffers, batch.Images, batch.Labels, batch.Count, ++step, optimizer),
            plan);
    }

    /// <summary>Times <see cref="Model.Predict(ReadOnlySpan{float})"/> of <paramref name="images"/>, one per call in
    /// turn.</summary>
    public static LatencyMeasurement MeasureInference(Model model, IReadOnlyList<float[]> images, LatencyPlan plan)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(images);
        int next = 0;
        return StepTimer.MeasureLatency(
            () =>
            {
                model.Predict(images[next]);
                next = next + 1 == images.Count ? 0 : next + 1;
            },
            plan);
    }
}
