using System.Diagnostics;
using System.Text;
using ConvGen.Tests.Data;

namespace ConvGen.Tests.Training;

/// <summary>
/// BackupAndRestore against real process kills: ConvGen.ResumeProbe trains a small network (augmentation, a schedule,
/// ReduceLROnPlateau, a ModelCheckpoint, backups every 4 steps) on two threads; killed with SIGKILL at random moments,
/// and once in the middle of replacing a file, and started again each time until it finishes, it must end with the
/// weights of an uninterrupted run, bit for bit.
/// </summary>
public class KillAndResumeTests
{
    [Fact]
    public void ARunKilledAtAnyMomentAndStartedAgainEndsWithTheUninterruptedWeights()
    {
        using var directory = new TempDirectory();
        string expected = directory.File("uninterrupted.cgw");
        Assert.Equal(0, Run(directory.File("a"), expected, killAtStep: null, killAtWrite: 0));

        string backups = directory.File("b"), actual = directory.File("resumed.cgw");

        // Killed while replacing its third file (after the temporary file is written, before the rename): the backup
        // and checkpoint it had are intact, and the temporary file is cleaned up by the next write.
        Assert.NotEqual(0, Run(backups, actual, killAtStep: null, killAtWrite: 3));
        Assert.False(File.Exists(actual));
        Assert.NotEmpty(Directory.GetFiles(backups, ".*.tmp"));

        // Then killed at random moments (once some number of steps has been printed: the kill lands wherever the run
        // is by the time the signal arrives, within a step, a validation or a backup), started again each time.
        var random = new Random(20261206);
        int killed = 0;
        for (int attempt = 0; attempt < 6; attempt++)
        {
            if (Run(backups, actual, killAtStep: random.Next(3, 40), killAtWrite: 0) != 0)
            {
                killed++;
            }
        }

        Assert.True(killed >= 3, $"Only {killed} runs were killed before finishing; the run is too short for this test.");
        if (!File.Exists(actual))
        {
            Assert.Equal(0, Run(backups, actual, killAtStep: null, killAtWrite: 0));
        }

        Assert.Equal(File.ReadAllBytes(expected), File.ReadAllBytes(actual));

        // The backup's own temporary files were removed by its later writes.
        Assert.Empty(Directory.GetFiles(backups, "." + BackupAndRestore.FileName + ".*.tmp"));
    }

    /// <summary>Runs the probe, killing it once it has printed <paramref name="killAtStep"/> steps when given; returns
    /// its exit code.</summary>
    private static int Run(string backups, string weights, int? killAtStep, int killAtWrite)
    {
        string probe = Path.Combine(AppContext.BaseDirectory, "convgen-resume-probe.dll");
        Assert.True(File.Exists(probe), $"The probe is not next to the tests: {probe}");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(probe);
        start.ArgumentList.Add(backups);
        start.ArgumentList.Add(weights);
        if (killAtWrite > 0)
        {
            start.ArgumentList.Add("--kill-at-write");
            start.ArgumentList.Add(killAtWrite.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        int steps = 0;
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line.Data);
            }

            if (line.Data == "step" && Interlocked.Increment(ref steps) == killAtStep)
            {
                process.Kill();
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), "The probe ran for more than 3 minutes.");
        process.WaitForExit();
        string printed;
        lock (output)
        {
            printed = output.ToString();
        }

        if (process.ExitCode == 0)
        {
            Assert.Contains("trained", printed);
        }
        else if (killAtStep is null && killAtWrite == 0)
        {
            Assert.Fail($"The probe failed ({process.ExitCode}):\n{printed}\n{errors.Result}");
        }
        else
        {
            Assert.True(errors.Result.Length == 0, $"The killed probe wrote errors:\n{errors.Result}");
        }

        return process.ExitCode;
    }
}
