using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ConvGen.Benchmarks.Comparison;

/// <summary>What the PyTorch worker says about itself: version, threads, oneDNN and the BLAS it loaded.</summary>
internal sealed record PyTorchInfo(
    string Version,
    int Threads,
    int DefaultThreads,
    int InteropThreads,
    IReadOnlyList<string> ParallelInfo,
    string? CpuCapability,
    string? OnednnVersion,
    bool OnednnEnabled,
    string? BlasInfo,
    IReadOnlyList<string> BlasLibraries,
    int? OpenblasThreads,
    IReadOnlyList<string> OpenmpLibraries);

/// <summary>PyTorch's measurement of one network, with the oneDNN primitives one training step and one batch-1
/// inference executed (kind, implementation and propagation, e.g. "convolution jit:avx512_core forward_training").</summary>
internal sealed record PyTorchMeasurement(
    StepMeasurement Training,
    LatencyMeasurement Inference,
    LatencyMeasurement InferenceNoise,
    IReadOnlyDictionary<string, int> OnednnTraining,
    IReadOnlyDictionary<string, int> OnednnInference);

/// <summary>
/// Drives benchmarks/pytorch/train_step.py: one Python process for the whole comparison, asked for one network at a
/// time over a JSON-lines protocol (its standard input and output), so every network is measured by each side in turn.
/// The script's progress and errors go straight to this console.
/// </summary>
internal sealed class PyTorchRunner : IDisposable
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly Process _process;

    private PyTorchRunner(Process process, PyTorchInfo info)
    {
        _process = process;
        Info = info;
    }

    /// <summary>What the worker reported when it started.</summary>
    public PyTorchInfo Info { get; }

    /// <summary>The script, copied next to this program at build time.</summary>
    public static string ScriptPath => Path.Combine(AppContext.BaseDirectory, "pytorch", "train_step.py");

    /// <summary>
    /// Starts the worker with <c>torch.set_num_threads(<paramref name="threads"/>)</c>: that many OpenMP threads for
    /// PyTorch's own kernels and oneDNN's. OpenBLAS, which PyTorch's Linear layers call from the main thread, runs
    /// single-threaded: Debian's libopenblas0-pthread keeps a pthread pool of its own, which fights OpenMP's spinning
    /// workers for the cores (on 2 cores, a step of BeatingDense took 3–7 ms with 2 OpenBLAS threads, 1.5 ms with one;
    /// MnistCnn 61–87 ms against 44 ms), and the comparison should meet PyTorch at its best. <paramref name="openblasThreads"/>
    /// = <paramref name="threads"/> measures PyTorch as installed instead.
    /// </summary>
    public static PyTorchRunner Start(int threads, int openblasThreads = 1)
    {
        var start = new ProcessStartInfo(PyTorchSetup.Python)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };
        start.ArgumentList.Add(ScriptPath);
        start.ArgumentList.Add("--threads");
        start.ArgumentList.Add(threads.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.Environment["OPENBLAS_NUM_THREADS"] = openblasThreads.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["PYTHONUNBUFFERED"] = "1";

        Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {PyTorchSetup.Python}.");
        try
        {
            PyTorchInfo info = ReadLine(process).Deserialize<PyTorchInfo>(Json)
                ?? throw new InvalidOperationException("The PyTorch worker described itself as null.");
            return new PyTorchRunner(process, info);
        }
        catch
        {
            Stop(process);
            throw;
        }
    }

    /// <summary>Builds <paramref name="description"/> in PyTorch and times its training step at <paramref name="batch"/>
    /// by <paramref name="training"/>, and its batch-1 inference by <paramref name="inference"/>: of
    /// <paramref name="digits"/> one per call in turn (height-width-channel order, as ConvGen takes them), and of the
    /// first image of its own random batch.</summary>
    public PyTorchMeasurement Measure(ModelDescription description, int batch, StepPlan training, LatencyPlan inference, IReadOnlyList<float[]> digits)
    {
        JsonObject request = PyTorchArchitecture.Describe(description);
        request["batch"] = batch;
        request["training_plan"] = JsonSerializer.SerializeToNode(training, Json);
        request["inference_plan"] = JsonSerializer.SerializeToNode(inference, Json);
        request["digits"] = JsonSerializer.SerializeToNode(digits.SelectMany(d => d).ToArray(), Json);
        _process.StandardInput.WriteLine(request.ToJsonString());
        _process.StandardInput.Flush();

        JsonNode response = ReadLine(_process);
        if (response["error"] is JsonNode error)
        {
            throw new InvalidOperationException($"PyTorch could not run {description.Name}: {error.GetValue<string>()}");
        }

        return response.Deserialize<PyTorchMeasurement>(Json)
            ?? throw new InvalidOperationException($"The PyTorch worker answered null for {description.Name}.");
    }

    /// <summary>Closes the worker's input, which ends it.</summary>
    public void Dispose() => Stop(_process);

    private static JsonNode ReadLine(Process process)
    {
        string? line = process.StandardOutput.ReadLine();
        if (line is null)
        {
            process.WaitForExit();
            throw new InvalidOperationException($"The PyTorch worker ({ScriptPath}) ended with exit code {process.ExitCode}; its error is above.");
        }

        return JsonNode.Parse(line) ?? throw new InvalidOperationException("The PyTorch worker wrote a null line.");
    }

    private static void Stop(Process process)
    {
        try
        {
            process.StandardInput.Close();
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill();
                process.WaitForExit();
            }
        }
        finally
        {
            process.Dispose();
        }
    }
}
