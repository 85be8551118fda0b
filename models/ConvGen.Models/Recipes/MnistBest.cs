using System.Diagnostics;
using System.Globalization;

namespace ConvGen.Models.Recipes;

/// <summary>
/// The network of <see cref="MnistBest"/>: Chris Deotte's Kaggle MNIST network ("How to choose CNN Architecture
/// MNIST", 2018): two blocks of two 3×3 convolutions and a 5×5 convolution of stride 2 in place of a pooling, 32 then
/// 64 filters, BatchNormalization after every convolution and 40 % dropout after every block, then Dense 128. 327,242
/// trainable parameters.
/// </summary>
[Sequential(28, 28, 1)]
[Conv2D(32, 3, Activation = Activation.Relu)]
[BatchNormalization]
[Conv2D(32, 3, Activation = Activation.Relu)]
[BatchNormalization]
[Conv2D(32, 5, Strides = 2, Padding = Padding.Same, Activation = Activation.Relu)]
[BatchNormalization]
[Dropout(0.4)]
[Conv2D(64, 3, Activation = Activation.Relu)]
[BatchNormalization]
[Conv2D(64, 3, Activation = Activation.Relu)]
[BatchNormalization]
[Conv2D(64, 5, Strides = 2, Padding = Padding.Same, Activation = Activation.Relu)]
[BatchNormalization]
[Dropout(0.4)]
[Flatten]
[Dense(128, Activation = Activation.Relu)]
[BatchNormalization]
[Dropout(0.4)]
[Dense(10, Activation = Activation.Softmax)]
public partial class StridedBatchNormCnn;

/// <summary>
/// ConvGen's recipe for MNIST beyond the notebook: <see cref="StridedBatchNormCnn"/> trained on all 60,000 training
/// images with augmentation (rotations of up to 10°, zooms of up to 10 %, shifts of up to 10 % either way), Adam from
/// 1e-3 decayed 0.95× every epoch, batches of 64, a fixed number of epochs (<see cref="Epochs"/>), and the weights of
/// the last epoch: nothing is chosen by looking at the test set, which is read once, at the end. One network per seed;
/// an <see cref="Ensemble"/> of several averages them.
/// </summary>
/// <remarks>
/// The network, the augmentation, the decay and the batch size are Deotte's published recipe, which reached 99.6-99.7 %
/// per network in 45 epochs; the epoch count is what fits in 15 minutes of training on two cores here, fixed on a
/// validation split of the training set (docs/recipe.md has the runs).
/// </remarks>
public static class MnistBest
{
    /// <summary>Epochs every network trains for.</summary>
    public const int Epochs = 30;

    /// <summary>Samples per step.</summary>
    public const int BatchSize = 64;

    /// <summary>The augmentation.</summary>
    public static ImageAugmentation Augmentation { get; } = new(rotationRange: 10, zoomRange: 0.1, widthShiftRange: 0.1, heightShiftRange: 0.1);

    /// <summary>Trains the network of <paramref name="seed"/> on <paramref name="train"/> (with its backup in
    /// <paramref name="backupDirectory"/>, so a killed run started again resumes), and returns it with its training
    /// time in seconds; <paramref name="epochs"/> overrides <see cref="Epochs"/> (for quick checks).</summary>
    public static (Model Model, double Seconds) Train(Dataset train, int seed, string backupDirectory, TextWriter output, int verbose = 2, int? epochs = null, Dataset? validation = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        var model = new StridedBatchNormCnn(seed) { Output = output };
        int steps = (train.Count + BatchSize - 1) / BatchSize;
        var optimizer = new Adam(LearningRateSchedule.ExponentialDecay(1e-3, decaySteps: steps, decayRate: 0.95, staircase: true));
        var clock = Stopwatch.StartNew();
        model.Fit(
            train,
            epochs: epochs ?? Epochs,
            batchSize: BatchSize,
            optimizer: optimizer,
            validationData: validation,
            verbose: verbose,
            augmentation: Augmentation,
            callbacks: [new BackupAndRestore(backupDirectory, saveFrequency: 200, verbose: verbose > 0 ? 1 : 0)]);
        return (model, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The Markdown table of the members' and the ensemble's test accuracy.</summary>
    public static string Table(IReadOnlyList<MemberResult> members, float ensembleAccuracy, float ensembleLoss)
    {
        ArgumentNullException.ThrowIfNull(members);
        var text = new System.Text.StringBuilder();
        text.AppendLine("| Network | Accuracy | Loss | Training time |");
        text.AppendLine("|---|---:|---:|---:|");
        foreach (MemberResult m in members)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| seed {m.Seed} | {m.Accuracy * 100:0.00} % | {m.Loss:0.0000} | {Time(m.Seconds)} |"));
        }

        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| mean of {members.Count} | {members.Average(m => m.Accuracy) * 100:0.000} % | {members.Average(m => m.Loss):0.0000} | median {Time(Median(members.Select(m => m.Seconds)))} |"));
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| ensemble of {members.Count} | {ensembleAccuracy * 100:0.00} % | {ensembleLoss:0.0000} | |"));
        return text.ToString();
    }

    private static string Time(double seconds) => seconds > 0 ? TimeSpan.FromSeconds(seconds).ToString("m\\:ss", CultureInfo.InvariantCulture) : "(earlier run)";

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>One network's test result and training time (0 when an earlier run trained it).</summary>
    public sealed record MemberResult(int Seed, float Accuracy, float Loss, double Seconds);
}
