namespace ConvGen.Plots;

/// <summary>
/// A model's class probabilities on a labelled dataset, and the samples the "Beating MNIST" notebook looks at: a few
/// correct and a few wrong predictions at random, and per class the most confident correct and the most confident
/// wrong ones. Every selection returns sample indices into <see cref="Data"/>.
/// </summary>
public sealed class Predictions
{
    private readonly int[] _predicted;

    /// <summary>Wraps <paramref name="probabilities"/> (one row per sample of <paramref name="data"/>, as
    /// <see cref="Model.Predict(Dataset, int)"/> returns them).</summary>
    public Predictions(Dataset data, IReadOnlyList<float[]> probabilities)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(probabilities);
        if (probabilities.Count != data.Count)
        {
            throw new ArgumentException($"{probabilities.Count} rows of probabilities for {data.Count} samples.", nameof(probabilities));
        }

        Data = data;
        Probabilities = probabilities;
        _predicted = Dataset.FromCategorical(probabilities);
        Classes = Math.Max(data.Classes, probabilities.Count == 0 ? 0 : probabilities[0].Length);
    }

    /// <summary>Runs <paramref name="model"/> on <paramref name="data"/> (inference, all threads).</summary>
    public static Predictions Of(Model model, Dataset data, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new Predictions(data, model.Predict(data, batchSize));
    }

    /// <summary>The samples and their true labels.</summary>
    public Dataset Data { get; }

    /// <summary>Each sample's class probabilities.</summary>
    public IReadOnlyList<float[]> Probabilities { get; }

    /// <summary>Each sample's predicted class (the most probable).</summary>
    public IReadOnlyList<int> Predicted => _predicted;

    /// <summary>Number of classes (of the model's output).</summary>
    public int Classes { get; }

    /// <summary>Whether sample <paramref name="index"/> is predicted right.</summary>
    public bool IsCorrect(int index) => _predicted[index] == Data.Label(index);

    /// <summary>The probability of sample <paramref name="index"/>'s predicted class.</summary>
    public float Confidence(int index) => Probabilities[index][_predicted[index]];

    /// <summary>The fraction of samples predicted right.</summary>
    public double Accuracy => Data.Count == 0 ? 0 : (double)Enumerable.Range(0, Data.Count).Count(IsCorrect) / Data.Count;

    /// <summary>True against predicted classes.</summary>
    public ConfusionMatrix ConfusionMatrix() => new(Data.Labels, _predicted, Classes);

    /// <summary>Up to <paramref name="count"/> correctly predicted samples, drawn at random from <paramref name="seed"/>.</summary>
    public int[] RandomCorrect(int count, int seed = 0) => Random(i => IsCorrect(i), count, seed);

    /// <summary>Up to <paramref name="count"/> wrongly predicted samples, drawn at random from <paramref name="seed"/>.</summary>
    public int[] RandomWrong(int count, int seed = 0) => Random(i => !IsCorrect(i), count, seed);

    /// <summary>Up to <paramref name="count"/> samples of class <paramref name="label"/> predicted right, the most confident first.</summary>
    public int[] MostConfidentCorrect(int label, int count) => MostConfident(i => Data.Label(i) == label && IsCorrect(i), count);

    /// <summary>Up to <paramref name="count"/> samples of class <paramref name="label"/> predicted as another class, the most
    /// confident in that wrong class first. (The notebook's code ranks them by the true class's probability instead,
    /// which shows the near misses; this shows the mistakes the model is surest of.)</summary>
    public int[] MostConfidentWrong(int label, int count) => MostConfident(i => Data.Label(i) == label && !IsCorrect(i), count);

    private int[] Random(Func<int, bool> keep, int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int[] candidates = Enumerable.Range(0, Data.Count).Where(keep).ToArray();
        new Random(seed).Shuffle(candidates);
        return candidates[..Math.Min(count, candidates.Length)];
    }

    private int[] MostConfident(Func<int, bool> keep, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return Enumerable.Range(0, Data.Count).Where(keep).OrderByDescending(Confidence).ThenBy(i => i).Take(count).ToArray();
    }
}
