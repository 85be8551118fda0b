using System.Diagnostics;
using System.Globalization;
using ConvGen;
using ConvGen.Persistence;

// Usage: convgen-resume-probe <backup directory> <weights out> [--kill-at-write N]
// Trains ProbeNet on a fixed synthetic set with augmentation, a schedule, ReduceLROnPlateau, a ModelCheckpoint and
// BackupAndRestore (a backup every 4 steps and at every epoch's end), on two threads, then saves the final weights.
// With --kill-at-write N the process kills itself (SIGKILL) during its N-th atomic file write, after the temporary
// file is complete and before it replaces the target: the moment a crash would do the most harm.
string backupDirectory = args[0];
string weightsOut = args[1];
int killAtWrite = args.Length > 3 && args[2] == "--kill-at-write" ? int.Parse(args[3], CultureInfo.InvariantCulture) : 0;
if (killAtWrite > 0)
{
    int writes = 0;
    AtomicFile.BeforeReplace = _ =>
    {
        if (++writes == killAtWrite)
        {
            Process.GetCurrentProcess().Kill();
        }
    };
}

(Dataset train, Dataset validation) = SyntheticDigits.Create();
var model = new ProbeNet(seed: 7) { Output = TextWriter.Null };
model.Engine.Threads = 2;
var optimizer = new Adam(LearningRateSchedule.CosineDecay(0.01, decaySteps: 6 * 38));
model.Fit(
    train,
    epochs: 6,
    batchSize: 32,
    optimizer: optimizer,
    validationData: validation,
    verbose: 0,
    augmentation: new ImageAugmentation(rotationRange: 15, zoomRange: 0.1, widthShiftRange: 0.1, heightShiftRange: 0.1),
    callbacks:
    [
        new ReduceLROnPlateau(monitor: "val_loss", factor: 0.5, patience: 1),
        new ModelCheckpoint(Path.Combine(backupDirectory, "best.cgw"), monitor: "val_loss", saveBestOnly: true),
        new BackupAndRestore(backupDirectory, saveFrequency: 4, verbose: 0),
        new StepPrinter(),
    ]);
model.Save(weightsOut);
Console.WriteLine("trained");
return 0;

/// <summary>Prints a line after every training step, so that the parent can kill the run at a step of its choosing.</summary>
internal sealed class StepPrinter : Callback
{
    public override void OnBatchEnd(int batch, float loss, float accuracy) => Console.WriteLine("step");
}

/// <summary>A small ConvNet on 12 × 12 images.</summary>
[Sequential(12, 12, 1)]
[Conv2D(8, 3, Activation = Activation.Relu)]
[MaxPooling2D(2)]
[BatchNormalization]
[Dropout(0.2)]
[Flatten]
[Dense(24, Activation = Activation.Relu)]
[Dense(4, Activation = Activation.Softmax)]
internal partial class ProbeNet;

/// <summary>Images whose class is the quadrant holding a bright blob, with noise: learnable in a few epochs.</summary>
internal static class SyntheticDigits
{
    public static (Dataset Train, Dataset Validation) Create()
    {
        var random = new Random(3);
        Dataset Make(int count)
        {
            var images = new float[count * 144];
            var labels = new int[count];
            for (int n = 0; n < count; n++)
            {
                int label = random.Next(4);
                labels[n] = label;
                int top = (label / 2 * 6) + random.Next(3), left = (label % 2 * 6) + random.Next(3);
                for (int p = 0; p < 144; p++)
                {
                    int r = p / 12, c = p % 12;
                    bool blob = r >= top && r < top + 3 && c >= left && c < left + 3;
                    images[(n * 144) + p] = (float)((blob ? 0.8 : 0) + (random.NextDouble() * 0.3));
                }
            }

            return new Dataset(images, labels, 12, 12, 1);
        }

        return (Make(1200), Make(200));
    }
}
