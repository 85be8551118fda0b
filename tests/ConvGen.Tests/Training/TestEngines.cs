using ConvGen.Engines;
using ConvGen.Layers;

namespace ConvGen.Tests.Training;

/// <summary>A model over any engine; <see cref="Model"/>'s constructor is protected.</summary>
internal sealed class TestModel(Engine engine, int seed = 0) : Model(engine, seed)
{
}

/// <summary>
/// Softmax regression computed by hand, in double precision: input Flat(features) → Dense(classes, softmax).
/// Logits z = xW + b with W in Keras layout [in, out]; loss -log softmax(z)[y]; the gradient of the batch's mean
/// loss is dW[i, o] = mean(x_i (p_o - [o = y])), db[o] = mean(p_o - [o = y]). Dropout seeds are ignored.
/// </summary>
internal class SoftmaxEngine : Engine
{
    public SoftmaxEngine(ModelDescription description)
        : base(description)
    {
        if (description.Layers.Count != 1 || description.Layers[0].Layer is not DenseLayer { UseBias: true } || !description.InputShape.IsFlat)
        {
            throw new ArgumentException("SoftmaxEngine runs Flat(features) → Dense(classes, softmax) with a bias only.", nameof(description));
        }
    }

    public static ModelDescription Describe(int features = 2, int classes = 2, string name = "softmax") =>
        new(name, Shape.Flat(features), [new DenseLayer(classes, Activation.Softmax)]);

    public override string Name => "test softmax regression";

    public int Features => Description.InputShape.Size;

    public int Classes => Description.Classes;

    /// <summary>Class probabilities of one sample under the buffers' weights.</summary>
    public double[] Probabilities(ModelBuffers buffers, ReadOnlySpan<float> x)
    {
        Span<float> kernel = buffers.Values(Description.Weights[0]);
        Span<float> bias = buffers.Values(Description.Weights[1]);
        var z = new double[Classes];
        for (int o = 0; o < Classes; o++)
        {
            double sum = bias[o];
            for (int i = 0; i < Features; i++)
            {
                sum += x[i] * (double)kernel[(i * Classes) + o];
            }

            z[o] = sum;
        }

        double max = z.Max();
        double total = z.Sum(v => Math.Exp(v - max));
        return z.Select(v => Math.Exp(v - max) / total).ToArray();
    }

    protected override void PredictCore(ModelBuffers buffers, ReadOnlySpan<float> images, int count, Span<float> probabilities)
    {
        for (int n = 0; n < count; n++)
        {
            double[] p = Probabilities(buffers, images.Slice(n * Features, Features));
            for (int o = 0; o < Classes; o++)
            {
                probabilities[(n * Classes) + o] = (float)p[o];
            }
        }
    }

    protected override BatchMetrics EvaluateCore(ModelBuffers buffers, ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count) =>
        Forward(buffers, images, labels, count, gradients: null);

    protected override BatchMetrics ComputeGradientsCore(ModelBuffers buffers, ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count, ulong dropoutSeed)
    {
        buffers.Gradients.Clear();
        return Forward(buffers, images, labels, count, buffers);
    }

    private BatchMetrics Forward(ModelBuffers buffers, ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count, ModelBuffers? gradients)
    {
        double lossSum = 0;
        int correct = 0;
        for (int n = 0; n < count; n++)
        {
            ReadOnlySpan<float> x = images.Slice(n * Features, Features);
            double[] p = Probabilities(buffers, x);
            int y = labels[n];
            lossSum -= Math.Log(Math.Max(p[y], double.Epsilon));
            int best = 0;
            for (int o = 1; o < Classes; o++)
            {
                if (p[o] > p[best])
                {
                    best = o;
                }
            }

            correct += best == y ? 1 : 0;
            if (gradients is not null)
            {
                Span<float> dKernel = gradients.Gradient(Description.Weights[0]);
                Span<float> dBias = gradients.Gradient(Description.Weights[1]);
                for (int o = 0; o < Classes; o++)
                {
                    double delta = (p[o] - (o == y ? 1 : 0)) / count;
                    dBias[o] += (float)delta;
                    for (int i = 0; i < Features; i++)
                    {
                        dKernel[(i * Classes) + o] += (float)(x[i] * delta);
                    }
                }
            }
        }

        return new BatchMetrics(lossSum, correct);
    }
}

/// <summary>One <see cref="Engine.ComputeGradients"/> call: the samples' ids (their first feature), labels and seed.</summary>
internal sealed record TrainingCall(int[] SampleIds, int[] Labels, int Count, ulong DropoutSeed);

/// <summary>
/// The softmax regression, logging every call. Samples are identified by their first feature, which the tests set to
/// the sample's index; the rest of the computation is the real one.
/// </summary>
internal class RecordingEngine(ModelDescription description) : SoftmaxEngine(description)
{
    public List<TrainingCall> TrainingCalls { get; } = [];

    public List<int[]> EvaluatedSampleIds { get; } = [];

    /// <summary>The ids trained on, call by call, flattened.</summary>
    public IEnumerable<int> TrainedIds => TrainingCalls.SelectMany(c => c.SampleIds);

    protected override BatchMetrics ComputeGradientsCore(ModelBuffers buffers, ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count, ulong dropoutSeed)
    {
        TrainingCalls.Add(new TrainingCall(Ids(images, count), labels[..count].ToArray(), count, dropoutSeed));
        return base.ComputeGradientsCore(buffers, images, labels, count, dropoutSeed);
    }

    protected override BatchMetrics EvaluateCore(ModelBuffers buffers, ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count)
    {
        EvaluatedSampleIds.Add(Ids(images, count));
        return base.EvaluateCore(buffers, images, labels, count);
    }

    private int[] Ids(ReadOnlySpan<float> images, int count)
    {
        var ids = new int[count];
        for (int n = 0; n < count; n++)
        {
            ids[n] = (int)images[n * Features];
        }

        return ids;
    }
}

/// <summary>
/// Trains for real (softmax regression) but reports scripted metrics: training batches a loss per sample equal to the
/// sample's second feature and a correct count of the samples labelled 1; each <see cref="Engine.Evaluate"/> call the
/// next scripted (loss, accuracy), so validation metrics are chosen by the test, one per epoch when the validation
/// set fits in one batch.
/// </summary>
internal sealed class ScriptedEngine(ModelDescription description, IEnumerable<(double Loss, double Accuracy)>? evaluations = null) : SoftmaxEngine(description)
{
    private readonly Queue<(double Loss, double Accuracy)> _evaluations = new(evaluations ?? []);

    public int EvaluateCalls { get; private set; }

    protected override BatchMetrics ComputeGradientsCore(ModelBuffers buffers, ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count, ulong dropoutSeed)
    {
        base.ComputeGradientsCore(buffers, images, labels, count, dropoutSeed);
        double loss = 0;
        int correct = 0;
        for (int n = 0; n < count; n++)
        {
            loss += images[(n * Features) + 1];
            correct += labels[n] == 1 ? 1 : 0;
        }

        return new BatchMetrics(loss, correct);
    }

    protected override BatchMetrics EvaluateCore(ModelBuffers buffers, ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count)
    {
        EvaluateCalls++;
        if (!_evaluations.TryDequeue(out var next))
        {
            throw new InvalidOperationException($"Evaluate call {EvaluateCalls} has no scripted metrics.");
        }

        return new BatchMetrics(next.Loss * count, (int)Math.Round(next.Accuracy * count));
    }
}

/// <summary>Describes a model without running it: for summaries, initialisation and weight files.</summary>
internal sealed class DescriptionOnlyEngine(ModelDescription description) : Engine(description)
{
    public override string Name => "description only";

    protected override void PredictCore(ModelBuffers buffers, ReadOnlySpan<float> images, int count, Span<float> probabilities) =>
        throw new InvalidOperationException("This test engine only carries a description.");

    protected override BatchMetrics EvaluateCore(ModelBuffers buffers, ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count) =>
        throw new InvalidOperationException("This test engine only carries a description.");

    protected override BatchMetrics ComputeGradientsCore(ModelBuffers buffers, ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count, ulong dropoutSeed) =>
        throw new InvalidOperationException("This test engine only carries a description.");
}

/// <summary>Records every callback event as text, and the model's weights at each epoch's end.</summary>
internal sealed class RecordingCallback : Callback
{
    public List<string> Events { get; } = [];

    public List<float[][]> WeightsAtEpochEnd { get; } = [];

    public List<double> LearningRateAtBatchEnd { get; } = [];

    public Action<RecordingCallback, string>? OnEvent { get; init; }

    public override void OnTrainBegin() => Log("TrainBegin");

    public override void OnEpochBegin(int epoch) => Log($"EpochBegin {epoch}");

    public override void OnBatchEnd(int batch, float loss, float accuracy)
    {
        LearningRateAtBatchEnd.Add(Model!.Optimizer!.LearningRate);
        Log($"BatchEnd {batch}");
    }

    public override void OnEpochEnd(int epoch, EpochLogs logs)
    {
        WeightsAtEpochEnd.Add(Model!.GetWeights());
        Log($"EpochEnd {epoch}");
    }

    public override void OnTrainEnd(History history) => Log($"TrainEnd {history.Count}");

    private void Log(string text)
    {
        Events.Add(text);
        OnEvent?.Invoke(this, text);
    }
}

/// <summary>Datasets for the flat test models.</summary>
internal static class TestData
{
    /// <summary><paramref name="count"/> samples of two features: (index, second); label 1 for odd indices.</summary>
    public static Dataset Indexed(int count, float second = 0.5f, int features = 2)
    {
        var images = new float[count * features];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            images[i * features] = i;
            for (int f = 1; f < features; f++)
            {
                images[(i * features) + f] = second;
            }

            labels[i] = i % 2;
        }

        return new Dataset(images, labels, features);
    }

    /// <summary>Two separable Gaussian-ish clouds: class 1 when x0 + x1 > 0.</summary>
    public static Dataset Separable(int count, int seed = 1)
    {
        var random = new Random(seed);
        var images = new float[count * 2];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            float a = (float)((random.NextDouble() * 4) - 2);
            float b = (float)((random.NextDouble() * 4) - 2);
            images[2 * i] = a;
            images[(2 * i) + 1] = b;
            labels[i] = a + b > 0 ? 1 : 0;
        }

        return new Dataset(images, labels, 2);
    }
}
