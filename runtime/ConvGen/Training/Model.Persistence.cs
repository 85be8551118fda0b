using ConvGen.Persistence;

namespace ConvGen;

public abstract partial class Model
{
    /// <summary>
    /// Saves every weight (trainable and not) to <paramref name="path"/> in ConvGen's versioned weight file (see
    /// docs/weights-format.md). The file is written next to the target and renamed over it when complete, so an
    /// existing file is never lost to a failed save.
    /// </summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        WeightsFile.Save(path, Description, GetWeights());
    }

    /// <summary>
    /// Loads weights saved by <see cref="Save"/> from a model of the same architecture. The whole file is checked
    /// (magic, version, checksum, shapes) before anything changes; on error the model keeps its weights and the
    /// exception names the file and the problem.
    /// </summary>
    public void Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        SetWeights(WeightsFile.Load(path, Description));
    }
}
