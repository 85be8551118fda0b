using ConvGen.Persistence;

namespace ConvGen;

public abstract partial class Model
{
    /// <summary>
    /// Saves every weight (trainable and not) to <paramref name="path"/>, in the format its extension names, as Keras'
    /// <c>save</c> does: <c>.safetensors</c> writes a safetensors file (F32 tensors under their Keras names and in their
    /// Keras shapes, with the model's name and ConvGen's version in its metadata), for PyTorch, Keras and Hugging Face
    /// tools; any other name writes ConvGen's checksummed weight file (<c>.cgw</c> by convention). Both are described in
    /// docs/weights-format.md. The file is written next to the target and renamed over it when complete, so an
    /// existing file is never lost to a failed save.
    /// </summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (SafetensorsFile.IsSafetensorsPath(path))
        {
            SafetensorsFile.Save(path, Description, GetWeights());
        }
        else
        {
            WeightsFile.Save(path, Description, GetWeights());
        }
    }

    /// <summary>
    /// Loads weights into this model from <paramref name="path"/>, in the format its extension names (as
    /// <see cref="Save"/>): a safetensors file must hold exactly the model's weights by their Keras names, as F32 in
    /// their Keras shapes (from any writer); a ConvGen weight file must come from a model of the same architecture.
    /// The whole file is checked before anything changes; on error the model keeps its weights and the exception
    /// names the file and the problem.
    /// </summary>
    public void Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        SetWeights(SafetensorsFile.IsSafetensorsPath(path) ? SafetensorsFile.Load(path, Description) : WeightsFile.Load(path, Description));
    }
}
