namespace ConvGen.Engines;

/// <summary>What one batch yielded: the sum over its samples of the cross-entropy loss, and how many samples the
/// model classified correctly (arg-max of the output equal to the label).</summary>
public readonly record struct BatchMetrics(double LossSum, int Correct)
{
    /// <summary>Adds two batches' metrics.</summary>
    public static BatchMetrics operator +(BatchMetrics left, BatchMetrics right) =>
        new(left.LossSum + right.LossSum, left.Correct + right.Correct);
}
