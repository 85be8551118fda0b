using System.Globalization;
using ConvGen.Persistence;

namespace ConvGen;

/// <summary>
/// Survives a killed training, as Keras' <c>BackupAndRestore</c>: <see cref="Model.Fit"/> writes a backup into
/// <see cref="BackupDirectory"/> at the end of every epoch (and every <see cref="SaveFrequency"/> steps when set), and a
/// <see cref="Model.Fit"/> started again with the same arguments finds it and resumes where the backup was made. The
/// backup holds the weights, the optimizer's state, the epoch and step, the model's counters that seed shuffling,
/// dropout and augmentation, the callbacks' states and the history so far, so a run killed at any moment and started
/// again ends with weights bit for bit those of an uninterrupted run (same seed, same threads). When training ends
/// normally the backup is deleted (unless <see cref="DeleteCheckpoint"/> is false).
/// </summary>
/// <remarks>
/// Each write is atomic (a kill during it leaves the previous backup); docs/backup-format.md describes the file. One
/// backup directory serves one <see cref="Model.Fit"/> call: give each call of a chain its own.
/// </remarks>
public sealed class BackupAndRestore : Callback
{
    /// <summary>The backup's file name inside <see cref="BackupDirectory"/>.</summary>
    public const string FileName = "backup.cgb";

    /// <summary>A backup in <paramref name="backupDirectory"/> (created when needed).</summary>
    /// <param name="backupDirectory">Where the backup lives.</param>
    /// <param name="saveFrequency">0 (Keras' <c>"epoch"</c>): a backup at the end of every epoch; N &gt; 0: also one
    /// every N training steps, so a kill loses at most N steps.</param>
    /// <param name="deleteCheckpoint">Whether to delete the backup when training ends normally.</param>
    /// <param name="verbose">1 prints a line when training resumes from a backup.</param>
    public BackupAndRestore(string backupDirectory, int saveFrequency = 0, bool deleteCheckpoint = true, int verbose = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(backupDirectory);
        ArgumentOutOfRangeException.ThrowIfNegative(saveFrequency);
        if (File.Exists(backupDirectory))
        {
            throw new ArgumentException($"The backup directory '{Path.GetFullPath(backupDirectory)}' is a file.", nameof(backupDirectory));
        }

        BackupDirectory = backupDirectory;
        SaveFrequency = saveFrequency;
        DeleteCheckpoint = deleteCheckpoint;
        Verbose = verbose;
    }

    /// <summary>Where the backup lives.</summary>
    public string BackupDirectory { get; }

    /// <summary>The backup file.</summary>
    public string BackupPath => Path.Combine(BackupDirectory, FileName);

    /// <summary>0: a backup at each epoch's end; N: also every N steps.</summary>
    public int SaveFrequency { get; }

    /// <summary>Whether the backup is deleted when training ends normally.</summary>
    public bool DeleteCheckpoint { get; }

    /// <summary>1 prints a line on resuming.</summary>
    public int Verbose { get; }

    /// <inheritdoc/>
    public override void OnTrainEnd(History history)
    {
        if (DeleteCheckpoint && File.Exists(BackupPath))
        {
            File.Delete(BackupPath);
        }
    }

    /// <summary>The backup left by an interrupted run, or null when there is none.</summary>
    internal TrainingBackup? Read() => File.Exists(BackupPath) ? BackupFile.Read(BackupPath) : null;

    internal void Write(TrainingBackup backup) => BackupFile.Write(BackupPath, backup);

    internal void Announce(TextWriter output, TrainingBackup backup)
    {
        if (Verbose > 0)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Resuming from the backup in {Path.GetFullPath(BackupDirectory)}: epoch {backup.Epoch + 1}, step {backup.Step}."));
        }
    }
}
