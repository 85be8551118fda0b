namespace ConvGen.Plots;

/// <summary>Counts of samples by true class (rows) and predicted class (columns), as scikit-learn's
/// <c>confusion_matrix</c>: the diagonal holds the correct predictions.</summary>
public sealed class ConfusionMatrix
{
    private readonly int[,] _counts;

    /// <summary>Counts <paramref name="labels"/> against <paramref name="predicted"/> over <paramref name="classes"/> classes.</summary>
    public ConfusionMatrix(ReadOnlySpan<int> labels, ReadOnlySpan<int> predicted, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        if (labels.Length != predicted.Length)
        {
            throw new ArgumentException($"{labels.Length} labels but {predicted.Length} predictions.", nameof(predicted));
        }

        _counts = new int[classes, classes];
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classes || (uint)predicted[i] >= (uint)classes)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), $"Sample {i} has label {labels[i]} and prediction {predicted[i]}; classes are 0..{classes - 1}.");
            }

            _counts[labels[i], predicted[i]]++;
        }

        Classes = classes;
        Total = labels.Length;
    }

    /// <summary>Number of classes (rows and columns).</summary>
    public int Classes { get; }

    /// <summary>Number of samples counted.</summary>
    public int Total { get; }

    /// <summary>Samples of class <paramref name="trueClass"/> predicted as <paramref name="predictedClass"/>.</summary>
    public int this[int trueClass, int predictedClass] => _counts[trueClass, predictedClass];

    /// <summary>Samples whose true class is <paramref name="trueClass"/>.</summary>
    public int RowTotal(int trueClass) => Enumerable.Range(0, Classes).Sum(p => _counts[trueClass, p]);

    /// <summary>Samples predicted correctly (the diagonal's sum).</summary>
    public int Correct => Enumerable.Range(0, Classes).Sum(c => _counts[c, c]);

    /// <summary>The fraction predicted correctly (0 for no samples).</summary>
    public double Accuracy => Total == 0 ? 0 : (double)Correct / Total;
}
