using System.Diagnostics;
using System.Globalization;
using ConvGen.Engines;

namespace ConvGen.Train.Commands;

/// <summary>
/// The timings of a training run, for the benchmark that sets the NativeAOT trainer against the JIT's
/// (<c>ConvGen.Benchmarks aot</c>): seconds from the process's start to the first training step and to its end (the
/// JIT compiles the step's code on its first call), and the training's own seconds and samples.
/// </summary>
internal sealed class RunTiming : Callback
{
    private double _toFirstStep = double.NaN;
    private double _toFirstStepDone = double.NaN;

    public override void OnTrainBegin() => _toFirstStep = SinceProcessStart();

    public override void OnBatchEnd(int batch, float loss, float accuracy)
    {
        if (double.IsNaN(_toFirstStepDone))
        {
            _toFirstStepDone = SinceProcessStart();
        }
    }

    /// <summary>Writes the timings as one JSON object (by hand: no reflection, so NativeAOT needs nothing more).</summary>
    public void Write(string path, string network, long samples, double trainingSeconds)
    {
        string json = string.Create(
            CultureInfo.InvariantCulture,
            $"{{\"network\":\"{network}\",\"kernels\":\"{CompiledEngine.InstructionSet}\",\"build\":\"{NativeAotBuilds.Current ?? "jit"}\"," +
            $"\"secondsToFirstStep\":{_toFirstStep:R},\"secondsToFirstStepDone\":{_toFirstStepDone:R}," +
            $"\"trainingSeconds\":{trainingSeconds:R},\"samples\":{samples}}}\n");
        File.WriteAllText(path, json);
    }

    private static double SinceProcessStart()
    {
        using var process = Process.GetCurrentProcess();
        return (DateTime.Now - process.StartTime).TotalSeconds;
    }
}
