using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace ConvGen.Export.Tests.Onnx;

/// <summary>Runs an exported model in ONNX Runtime and compares it with ConvGen's <see cref="Model.Predict(Dataset, int)"/>.</summary>
internal static class OnnxComparison
{
    /// <summary>The probabilities ONNX Runtime computes for <paramref name="data"/> with the graph in <paramref name="onnx"/>,
    /// with its default (full) graph optimisations, as users run it.</summary>
    public static float[][] Run(byte[] onnx, Dataset data)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(onnx, options);
        return Run(session, data);
    }

    public static float[][] Run(InferenceSession session, Dataset data)
    {
        Shape shape = data.Shape;
        long[] dimensions = shape.IsFlat ? [data.Count, shape.Channels] : [data.Count, shape.Height, shape.Width, shape.Channels];
        using var input = OrtValue.CreateTensorValueFromMemory(data.Images.ToArray(), dimensions);
        using var runOptions = new RunOptions();
        using IDisposableReadOnlyCollection<OrtValue> outputs = session.Run(runOptions, [OnnxExport.InputName], [input], [OnnxExport.OutputName]);
        long[] outputShape = outputs[0].GetTensorTypeAndShape().Shape;
        Assert.Equal(2, outputShape.Length);
        Assert.Equal(data.Count, outputShape[0]);
        int classes = (int)outputShape[1];
        float[] flat = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        return Enumerable.Range(0, data.Count).Select(n => flat.AsSpan(n * classes, classes).ToArray()).ToArray();
    }

    /// <summary>The largest difference between two sets of probabilities, and the largest difference of their logarithms
    /// where the probabilities are above 1e-20 (which sees a wrong logit even when the softmax saturates).</summary>
    public static (double Probability, double LogProbability) Difference(float[][] expected, float[][] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double probability = 0, logProbability = 0;
        for (int n = 0; n < expected.Length; n++)
        {
            Assert.Equal(expected[n].Length, actual[n].Length);
            for (int c = 0; c < expected[n].Length; c++)
            {
                probability = Math.Max(probability, Math.Abs(expected[n][c] - actual[n][c]));
                if (expected[n][c] > 1e-20 || actual[n][c] > 1e-20)
                {
                    logProbability = Math.Max(logProbability, Math.Abs(Math.Log(Math.Max(expected[n][c], 1e-30)) - Math.Log(Math.Max(actual[n][c], 1e-30))));
                }
            }
        }

        return (probability, logProbability);
    }

    /// <summary>Exports <paramref name="model"/>, runs the export in ONNX Runtime on <paramref name="data"/> and asserts
    /// it gives <c>Predict</c>'s probabilities to 1e-5 (and their logarithms to 1e-3).</summary>
    public static void AssertMatchesPredict(Model model, Dataset data, ITestOutputHelper? output = null)
    {
        float[][] expected = model.Predict(data);
        float[][] actual = Run(model.ToOnnx(), data);
        (double probability, double logProbability) = Difference(expected, actual);
        output?.WriteLine($"{model.Name}: probabilities differ by up to {probability:E2}, log-probabilities by {logProbability:E2}; largest probability {expected.Max(p => p.Max()):F6}.");
        Assert.True(probability <= 1e-5, $"{model.Name}: ONNX Runtime's probabilities differ from Predict's by up to {probability:E2} (over 1e-5).");
        Assert.True(logProbability <= 1e-3, $"{model.Name}: ONNX Runtime's log-probabilities differ from Predict's by up to {logProbability:E2} (over 1e-3).");
    }
}
