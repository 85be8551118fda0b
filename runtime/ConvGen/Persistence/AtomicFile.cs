namespace ConvGen.Persistence;

/// <summary>
/// Writes a file all at once or not at all: into a hidden temporary file beside the target, flushed to disk, then
/// renamed over the target. A crash or a kill at any moment leaves the previous file (or none) and at most the
/// temporary file, which the next successful write of the same target removes.
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
        string temporary = Path.Combine(directory, prefix + Guid.NewGuid().ToString("N")[..12] + ".tmp");
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

        // Temporary files of earlier writes of this target that a kill left behind.
        foreach (string stale in Directory.EnumerateFiles(directory, "*.tmp"))
        {
            if (Path.GetFileName(stale).StartsWith(prefix, StringComparison.Ordinal))
            {
                TryDelete(stale);
            }
        }
    }

    // Hidden, short enough to be a valid name whenever the target's is (names are limited to 255 bytes), and tied to
    // the whole name by a hash, so that two long names sharing their first characters never share a prefix.
    private static string TemporaryPrefix(string fullPath)
    {
        string stem = Path.GetFileName(fullPath);
        string hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(stem)).AsSpan(0, 4));
        return "." + (stem.Length > 48 ? stem[..48] : stem) + "." + hash + ".";
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
