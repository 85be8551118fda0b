using System.Diagnostics;

namespace ConvGen.Benchmarks.Comparison;

/// <summary>
/// Makes sure Debian's eager PyTorch is there, with OpenBLAS: without libopenblas0-pthread, PyTorch's Linear layers
/// run on the reference BLAS, and the comparison would flatter ConvGen. Installs what is missing with apt-get (through
/// sudo when not root), saying what it runs; fails with a <see cref="SetupException"/> saying what to do when it
/// cannot.
/// </summary>
internal static class PyTorchSetup
{
    /// <summary>The Python that has Debian's python3-torch.</summary>
    public const string Python = "/usr/bin/python3";

    private const string TorchPackage = "python3-torch";
    private const string BlasPackage = "libopenblas0-pthread";

    /// <summary>Installs <c>python3-torch</c> and <c>libopenblas0-pthread</c> when missing.</summary>
    public static void EnsureInstalled(TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(log);
        List<string> missing = Missing();
        if (missing.Count == 0)
        {
            log.WriteLine($"PyTorch: {Python} imports torch; {BlasPackage} is installed.");
            return;
        }

        log.WriteLine($"PyTorch: missing {string.Join(" and ", missing)}; installing with apt-get.");
        if (!Environment.IsPrivilegedProcess && !OnPath("sudo"))
        {
            throw new SetupException(
                $"Installing {string.Join(" ", missing)} needs root; this user is not root and has no sudo. As root: apt-get install -y {TorchPackage} {BlasPackage}");
        }

        string[] install = ["apt-get", "install", "-y", .. missing];
        if (RunAsRoot(log, install) != 0)
        {
            // The package lists may be absent or stale on a fresh machine: refresh them and try once more.
            if (RunAsRoot(log, ["apt-get", "update"]) != 0 || RunAsRoot(log, install) != 0)
            {
                throw new SetupException(
                    $"Could not install {string.Join(" ", missing)}. Install them yourself (as root: apt-get install -y {TorchPackage} {BlasPackage}) and run again.");
            }
        }

        missing = Missing();
        if (missing.Count > 0)
        {
            throw new SetupException($"apt-get ran, but {string.Join(" and ", missing)} still is not usable: check that '{Python} -c \"import torch\"' works.");
        }
    }

    private static List<string> Missing()
    {
        var missing = new List<string>();
        if (!File.Exists(Python) || Run(Python, ["-c", "import torch"]) != 0)
        {
            missing.Add(TorchPackage);
        }

        if (Run("dpkg", ["-s", BlasPackage]) != 0)
        {
            missing.Add(BlasPackage);
        }

        return missing;
    }

    /// <summary>Runs <paramref name="command"/> as root, itself when root, else through sudo (non-interactive when
    /// nobody can type a password), its output shown.</summary>
    private static int RunAsRoot(TextWriter log, string[] command)
    {
        string[] full = Environment.IsPrivilegedProcess
            ? command
            : Console.IsInputRedirected ? ["sudo", "-n", .. command] : ["sudo", .. command];
        log.WriteLine("$ " + string.Join(" ", full));
        var start = new ProcessStartInfo(full[0]) { UseShellExecute = false };
        foreach (string argument in full.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using Process process = Process.Start(start) ?? throw new SetupException($"Could not start {full[0]}.");
        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>Runs a command quietly and returns its exit code (127 when it cannot be started).</summary>
    private static int Run(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using Process process = Process.Start(start) ?? throw new SetupException($"Could not start {file}.");
            // Drain both pipes so a chatty command cannot block on a full one.
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> error = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            Task.WaitAll(output, error);
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return 127;
        }
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, program)));
}

/// <summary>What the comparison needs cannot be installed; the message says what to do.</summary>
internal sealed class SetupException(string message) : Exception(message);
