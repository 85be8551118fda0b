using System.Diagnostics;
using ConvGen.Engines;
using ConvGen.Tests.Data;

namespace ConvGen.Tests.Training;

/// <summary><c>convgen-train</c> run as a user runs it (a child process), on MNIST-format files written here.</summary>
public sealed class TrainerProcessTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void ABatchSizeOfIntMaxValueTrainsOnTheWholeSet()
    {
        // The case: --batch-size 2147483647 trained nothing, reported NaN and exited 0.
        WriteSmallMnist();

        (int exitCode, string output, string errors) = Run(["mnist-mlp", "--mnist", _temp.Path, "--epochs", "2", "--batch-size", "2147483647", "--seed", "1"]);

        Assert.True(exitCode == 0, errors);
        string[] epochs = [.. output.Split('\n').Where(line => line.StartsWith("Epoch ", StringComparison.Ordinal))];
        Assert.Equal(2, epochs.Length);
        Assert.All(epochs, line => Assert.DoesNotContain("nan", line, StringComparison.Ordinal));
        Assert.Contains("Test loss: ", output);
        Assert.DoesNotContain("Test loss: nan", output);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("257")]
    [InlineData("1.5")]
    public void ABadThreadCountInTheEnvironmentIsAnErrorNamingTheVariable(string value)
    {
        // Before, each of these silently used every core.
        (int exitCode, string output, string errors) = Run(["mnist-mlp", "--summary"], (CompiledEngine.ThreadsVariable, value));

        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        Assert.Equal($"convgen-train: The environment variable CONVGEN_THREADS is '{value}'; it must be a whole number of threads from 1 to 256, or unset to use every processor ({Environment.ProcessorCount} here).", errors.Trim());
    }

    [Fact]
    public void AGoodThreadCountInTheEnvironmentIsUsed()
    {
        (int exitCode, string output, string errors) = Run(["mnist-mlp", "--summary"], (CompiledEngine.ThreadsVariable, "1"));

        Assert.True(exitCode == 0, errors);
        Assert.Contains("Total params: 16,175", output);
    }

    /// <summary>20 training and 10 test images of 28 × 28, labels 0–9.</summary>
    private void WriteSmallMnist() => IdxBytes.WriteAll(_temp.Path, new Dictionary<string, byte[]>
    {
        ["train-images-idx3-ubyte"] = IdxBytes.Images(20, 28, 28),
        ["train-labels-idx1-ubyte"] = IdxBytes.Labels([.. Enumerable.Range(0, 20).Select(i => (byte)(i % 10))]),
        ["t10k-images-idx3-ubyte"] = IdxBytes.Images(10, 28, 28),
        ["t10k-labels-idx1-ubyte"] = IdxBytes.Labels([.. Enumerable.Range(0, 10).Select(i => (byte)i)]),
    });

    private static (int ExitCode, string Output, string Errors) Run(string[] arguments, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "convgen-train.dll"));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove(CompiledEngine.ThreadsVariable);
        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), "convgen-train did not finish");
        return (process.ExitCode, output.Result, errors.Result);
    }
}
