using System.Globalization;

namespace ConvGen;

/// <summary>
/// Several trained models that classify together by averaging their class probabilities ("Beating MNIST"'s model
/// averaging). Members may be of different classes, as long as they take the same input and output the same classes;
/// each member runs on all of the engine's threads in turn.
/// </summary>
public sealed class Ensemble
{
    private readonly Model[] _members;

    /// <summary>An ensemble of <paramref name="members"/> (at least one).</summary>
    public Ensemble(params Model[] members)
        : this((IEnumerable<Model>)members)
    {
    }

    /// <summary>An ensemble of <paramref name="members"/> (at least one).</summary>
    public Ensemble(IEnumerable<Model> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        _members = [.. members];
        if (_members.Length == 0)
        {
            throw new ArgumentException("An ensemble needs at least one member.", nameof(members));
        }

        for (int i = 0; i < _members.Length; i++)
        {
            Model member = _members[i] ?? throw new ArgumentException($"Member {i} is null.", nameof(members));
            Model first = _members[0];
            if (member.Description.InputShape.Size != first.Description.InputShape.Size || member.Description.Classes != first.Description.Classes)
            {
                throw new ArgumentException(
                    $"Member {i} ('{member.Name}') takes {member.Description.InputShape} and outputs {member.Description.Classes} classes; member 0 ('{first.Name}') takes {first.Description.InputShape} and outputs {first.Description.Classes}. Members must agree on both.",
                    nameof(members));
            }
        }
    }

    /// <summary>The members, in the order given.</summary>
    public IReadOnlyList<Model> Members => _members;

    /// <summary>Number of classes every member outputs.</summary>
    public int Classes => _members[0].Description.Classes;

    /// <summary>
    /// An ensemble of models made by <paramref name="create"/> (called with each member's index) with the weights
    /// saved at <paramref name="paths"/> (<see cref="Model.Save"/>): members trained separately, on this machine or
    /// others, brought together.
    /// </summary>
    public static Ensemble Load(Func<int, Model> create, IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(paths);
        var members = new List<Model>();
        foreach (string path in paths)
        {
            Model member = create(members.Count) ?? throw new ArgumentException($"create({members.Count}) returned null.", nameof(create));
            member.Load(path);
            members.Add(member);
        }

        return new Ensemble(members);
    }

    /// <summary>The mean of the members' class probabilities for one sample.</summary>
    public float[] Predict(ReadOnlySpan<float> image)
    {
        var mean = new float[Classes];
        foreach (Model member in _members)
        {
            float[] probabilities = member.Predict(image);
            for (int c = 0; c < mean.Length; c++)
            {
                mean[c] += probabilities[c];
            }
        }

        Divide(mean, _members.Length);
        return mean;
    }

    /// <summary>The mean of the members' class probabilities for every sample, one row per sample.</summary>
    public float[][] Predict(Dataset data, int batchSize = 256)
    {
        float[] mean = MeanProbabilities(data, batchSize);
        return [.. Enumerable.Range(0, data.Count).Select(i => mean.AsSpan(i * Classes, Classes).ToArray())];
    }

    /// <summary>The class of largest mean probability for every sample.</summary>
    public int[] PredictClasses(Dataset data, int batchSize = 256) => ArgMax(MeanProbabilities(data, batchSize), Classes);

    /// <summary>Cross-entropy of the mean probabilities (clipped to [1e-7, 1 - 1e-7], as Keras' categorical
    /// cross-entropy on probabilities) and accuracy, over <paramref name="data"/>.</summary>
    public (float Loss, float Accuracy) Evaluate(Dataset data, int batchSize = 256)
    {
        float[] mean = MeanProbabilities(data, batchSize);
        if (data.Count == 0)
        {
            throw new ArgumentException("The dataset has no samples to evaluate.", nameof(data));
        }

        int[] predicted = ArgMax(mean, Classes);
        double loss = 0;
        int correct = 0;
        for (int i = 0; i < data.Count; i++)
        {
            int label = data.Label(i);
            if ((uint)label >= (uint)Classes)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Sample {i} has label {label}; the ensemble outputs {Classes} classes."), nameof(data));
            }

            loss -= Math.Log(Math.Clamp(mean[(i * Classes) + label], 1e-7, 1 - 1e-7));
            correct += predicted[i] == label ? 1 : 0;
        }

        return ((float)(loss / data.Count), (float)correct / data.Count);
    }

    /// <summary>
    /// Labels <paramref name="unlabelled"/>'s images (their own labels, if any, are ignored) with the ensemble's most
    /// probable class, keeping those whose mean probability is at least <paramref name="minConfidence"/>: a dataset to
    /// mix into training (<see cref="Model.Fit"/>'s <c>pseudoLabeled</c>).
    /// </summary>
    public Dataset PseudoLabel(Dataset unlabelled, float minConfidence = 0, int batchSize = 256) =>
        Labelled(unlabelled, MeanProbabilities(unlabelled, batchSize), Classes, minConfidence);

    /// <summary>Keeps the samples whose largest probability is at least <paramref name="minConfidence"/>, labelled with
    /// that class (shared by <see cref="Model.PseudoLabel"/>).</summary>
    internal static Dataset Labelled(Dataset unlabelled, float[] probabilities, int classes, float minConfidence)
    {
        if (!(minConfidence >= 0 && minConfidence <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(minConfidence), minConfidence, "minConfidence is a probability, in [0, 1].");
        }

        int[] labels = ArgMax(probabilities, classes);
        var kept = new List<int>();
        for (int i = 0; i < labels.Length; i++)
        {
            if (probabilities[(i * classes) + labels[i]] >= minConfidence)
            {
                kept.Add(i);
            }
        }

        var images = new float[kept.Count * unlabelled.SampleSize];
        var keptLabels = new int[kept.Count];
        for (int k = 0; k < kept.Count; k++)
        {
            unlabelled.ImageSpan(kept[k]).CopyTo(images.AsSpan(k * unlabelled.SampleSize, unlabelled.SampleSize));
            keptLabels[k] = labels[kept[k]];
        }

        return new Dataset(images, keptLabels, unlabelled.Shape);
    }

    // Every member's probabilities summed in member order, then divided: the same bits whatever the batch size.
    private float[] MeanProbabilities(Dataset data, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var sum = new float[data.Count * Classes];
        var member = new float[sum.Length];
        foreach (Model model in _members)
        {
            model.PredictInto(data, batchSize, member);
            for (int i = 0; i < sum.Length; i++)
            {
                sum[i] += member[i];
            }
        }

        Divide(sum, _members.Length);
        return sum;
    }

    private static void Divide(float[] values, int count)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] /= count;
        }
    }

    // The first class of largest probability in each row, as Dataset.FromCategorical.
    private static int[] ArgMax(float[] probabilities, int classes)
    {
        var labels = new int[probabilities.Length / classes];
        for (int i = 0; i < labels.Length; i++)
        {
            int best = 0;
            for (int c = 1; c < classes; c++)
            {
                if (probabilities[(i * classes) + c] > probabilities[(i * classes) + best])
                {
                    best = c;
                }
            }

            labels[i] = best;
        }

        return labels;
    }
}
