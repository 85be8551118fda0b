using System.Diagnostics;
using System.Globalization;
using ConvGen.Engines;

namespace ConvGen.Train.Commands;

/// <summary>
/// The timings of a training run, for the benchmark that sets the NativeAOT trainer against the JIT's
/// (<c>ConvGen.Benchmarks aot</c>): seconds from the process's start to the first training step and to its end (the
/// JIT compiles the step's code on its first call), the training's own seconds and samples, and the seconds of the
/// epochs after the first (the steady state: the JIT has compiled and tiered up the code by then).
/// </summary>
internal sealed class RunTiming : Callback
{
    private double _toFirstStep = double.NaN;
    private double _toFirstStepDone = double.NaN;
    private long _firstEpochEnd;
    private long _trainEnd;

    public override void OnTrainBegin() => _toFirstStep = SinceProcessStart();

    public override void OnBatchEnd(int batch, float loss, float accuracy)
    {
        if (double.IsNaN(_toFirstStepDone))
        {
            _toFirstStepDone = SinceProcessStart();
        }
    }

    public override void OnEpochEnd(int epoch, EpochLogs logs)
    {
        if (epoch == 0)
        {
            _firstEpochEnd = Stopwatch.GetTimestamp();
        }
    }

    public override void OnTrainEnd(History history) => _trainEnd = Stopwatch.GetTimestamp();

    /// <summary>Writes the timings as one JSON object (by hand: no reflection, so NativeAOT needs nothing more).</summary>
    public void Write(string path, string network, long samplesPerEpoch, int epochs, double trainingSeconds)
    {
        // After the first epoch: null when there was only one.
        string steadySeconds = epochs > 1 && _firstEpochEnd != 0 && _trainEnd != 0
            ? Stopwatch.GetElapsedTime(_firstEpochEnd, _trainEnd).TotalSeconds.ToString("R", CultureInfo.InvariantCulture)
            : "null";
        string json = string.Create(
            CultureInfo.InvariantCulture,
            $"{{\"network\":\"{network}\",\"kernels\":\"{CompiledEngine.InstructionSet}\",\"build\":\"{NativeAotBuilds.Current ?? "jit"}\"," +
            $"\"secondsToFirstStep\":{_toFirstStep:R},\"secondsToFirstStepDone\":{_toFirstStepDone:R}," +
            $"\"trainingSeconds\":{trainingSeconds:R},\"samples\":{samplesPerEpoch * epochs}," +
            $"\"secondsAfterFirstEpoch\":{steadySeconds},\"samplesAfterFirstEpoch\":{samplesPerEpoch * (epochs - 1)}}}\n");
        File.WriteAllText(path, json);
    }

    private static double SinceProcessStart()
    {
        using var process = Process.GetCurrentProcess();
        return (DateTime.Now - process.StartTime).TotalSeconds;
    }
}
