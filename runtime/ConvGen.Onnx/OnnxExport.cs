using ConvGen.OnnxExporting;
using ConvGen.Persistence;
using Google.Protobuf;

namespace ConvGen;

/// <summary>
/// Exports a trained model as an ONNX inference graph, for ONNX Runtime (C#, Python, JavaScript, mobile) and every
/// other ONNX consumer: <c>model.ExportOnnx("model.onnx")</c>.
/// <para>
/// The graph takes <see cref="InputName"/>, a float32 tensor <c>[batch, height, width, channels]</c> — NHWC, exactly
/// the values <see cref="Model.Predict(Dataset, int)"/> takes, one sample after another (<c>[batch, features]</c> for a
/// flat model) — and returns <see cref="OutputName"/>, the class probabilities <c>[batch, classes]</c>. The batch size
/// is free. Dropout is left out and BatchNormalization uses its moving statistics, so the graph computes what
/// <c>Predict</c> does. It uses ONNX opset 13 (IR version 7). docs/export.md shows how to run it.
/// </para>
/// </summary>
public static class OnnxExport
{
    /// <summary>The name of the graph's input.</summary>
    public const string InputName = "input";

    /// <summary>The name of the graph's output.</summary>
    public const string OutputName = "probabilities";

    /// <summary>The ONNX opset the graph is written for.</summary>
    public const int Opset = OnnxGraphBuilder.Opset;

    /// <summary>Writes <paramref name="model"/>'s inference graph with its current weights to <paramref name="path"/>
    /// (<c>.onnx</c> by convention) through a temporary file renamed over the target when complete, so an existing
    /// file is never half-replaced.</summary>
    /// <exception cref="NotSupportedException">The model has a layer the exporter does not know (the message names it).</exception>
    public static void ExportOnnx(this Model model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] bytes = model.ToOnnx();
        AtomicFile.Write(path, "the ONNX model", stream => stream.Write(bytes));
    }

    /// <summary>Writes <paramref name="model"/>'s inference graph to <paramref name="stream"/>.</summary>
    public static void ExportOnnx(this Model model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(model.ToOnnx());
    }

    /// <summary><paramref name="model"/>'s inference graph as the bytes of an <c>.onnx</c> file (an ONNX ModelProto),
    /// for <c>new InferenceSession(bytes)</c>.</summary>
    public static byte[] ToOnnx(this Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return OnnxGraphBuilder.Build(model.Description, model.GetWeights()).ToByteArray();
    }
}
