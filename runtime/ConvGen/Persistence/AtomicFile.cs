using System.Globalization;

namespace ConvGen.Persistence;

/// <summary>
/// Writes a file all at once or not at all: into a hidden temporary file beside the target, flushed to disk, then
/// renamed over the target. A crash or a kill at any moment leaves the previous file (or none) and at most the
/// temporary file, which names its writing process so that the next successful write of the same target can tell a
/// killed write's leftover (removed) from a write still in progress (kept).
/// </summary>
internal static class AtomicFile
{
    /// <summary>For the process-kill tests (ConvGen.ResumeProbe) only: called with the temporary file's path when it is
    /// complete and flushed, just before it replaces the target.</summary>
    internal static Action<string>? BeforeReplace { get; set; }

    /// <summary>Writes <paramref name="path"/> with <paramref name="write"/>; on failure the target is unchanged, the
    /// temporary file is removed, and the exception says so, naming <paramref name="what"/> and the path.</summary>
    public static void Write(string path, string what, Action<Stream> write, Func<Stream, Stream>? wrapTemporary = null)
    {
        string fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
        {
            throw new IOException($"Cannot save {what} to '{fullPath}': it is a directory.");
        }

        string directory = Path.GetDirectoryName(fullPath) ?? throw new IOException($"Cannot save {what} to '{fullPath}': it is not a file path.");
        string prefix = TemporaryPrefix(fullPath);
        string temporary = Path.Combine(directory, prefix + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        try
        {
            Directory.CreateDirectory(directory);
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                Stream stream = wrapTemporary?.Invoke(file) ?? file;
                write(stream);
                stream.Flush();
                file.Flush(flushToDisk: true);
            }

            BeforeReplace?.Invoke(temporary);
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            string problem = $"Cannot save {what} to '{fullPath}': {e.Message} The existing file, if any, is unchanged.";
            throw e is UnauthorizedAccessException ? new UnauthorizedAccessException(problem, e) : new IOException(problem, e);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }

        RemoveStaleTemporaries(directory, prefix);
    }

    /// <summary>The start of the name of every temporary file a write of <paramref name="fullPath"/> makes:
    /// <c>.NAME.</c>, hidden, NAME cut to 64 characters so that it is a valid name whenever the target's is.</summary>
    private static string TemporaryPrefix(string fullPath)
    {
        string stem = Path.GetFileName(fullPath);
        return "." + (stem.Length > 64 ? stem[..64] : stem) + ".";
    }

    /// <summary>
    /// Removes the temporary files that writes of the same target left when their process was killed (a failing write
    /// removes its own): those whose writing process no longer runs, and those of the earlier naming, without a
    /// process id, unwritten for an hour. A temporary file of a write still running, in this process or another, stays.
    /// Best effort: what cannot be removed now is tried again by the next write.
    /// </summary>
    private static void RemoveStaleTemporaries(string directory, string prefix)
    {
        try
        {
            foreach (string path in Directory.EnumerateFiles(directory, prefix + "*.tmp"))
            {
                string writer = Path.GetFileName(path)[prefix.Length..^".tmp".Length];
                int dash = writer.IndexOf('-');
                bool stale = dash > 0 && int.TryParse(writer.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out int processId)
                    ? !IsRunning(processId)
                    : writer.Length == 12 && DateTime.UtcNow - File.GetLastWriteTimeUtc(path) > TimeSpan.FromHours(1);
                if (stale)
                {
                    TryDelete(path);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The write itself succeeded; leftovers are removed by a later one.
        }
    }

    private static bool IsRunning(int processId)
    {
        if (processId == Environment.ProcessId)
        {
            return true;
        }

        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return false;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
