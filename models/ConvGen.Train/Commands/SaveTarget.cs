namespace ConvGen.Train.Commands;

/// <summary>Checks, before any work, that a file can be written where an option says, so a long training run never
/// ends in a failed save.</summary>
internal static class SaveTarget
{
    /// <summary>Throws <see cref="UsageException"/> naming <paramref name="option"/> and <paramref name="path"/>
    /// unless a file can be created in <paramref name="path"/>'s directory and <paramref name="path"/> is not a
    /// directory. Writes (and deletes) an empty probe file there: permissions alone do not tell (a read-only file
    /// system, or root's rights).</summary>
    public static void Check(string option, string path)
    {
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new UsageException($"{option} '{path}' is not a valid path: {e.Message}");
        }

        if (Directory.Exists(full))
        {
            throw new UsageException($"{option} '{path}' is a directory; give a file name.");
        }

        string directory = Path.GetDirectoryName(full) ?? full;
        if (File.Exists(directory))
        {
            throw new UsageException($"{option} '{path}': '{directory}' is a file, not a directory.");
        }

        if (!Directory.Exists(directory))
        {
            throw new UsageException($"{option} '{path}': the directory '{directory}' does not exist.");
        }

        CheckWritable(option, path, directory);
    }

    /// <summary>Throws <see cref="UsageException"/> naming <paramref name="option"/> and <paramref name="path"/> unless
    /// <paramref name="path"/> is a directory that files can be written into, or can be created as one (its nearest
    /// existing ancestor is a writable directory).</summary>
    public static void CheckDirectory(string option, string path)
    {
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new UsageException($"{option} '{path}' is not a valid path: {e.Message}");
        }

        string? existing = full;
        while (existing is not null && !Directory.Exists(existing))
        {
            if (File.Exists(existing))
            {
                throw new UsageException($"{option} '{path}': '{existing}' is a file, not a directory.");
            }

            existing = Path.GetDirectoryName(existing);
        }

        CheckWritable(option, path, existing ?? full);
    }

    // Writes (and deletes) an empty probe file in the directory: permissions alone do not tell (a read-only file system,
    // or root's rights).
    private static void CheckWritable(string option, string path, string directory)
    {
        string probe = Path.Combine(directory, $".convgen-write-check-{Environment.ProcessId}.tmp");
        try
        {
            using (File.Create(probe, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{option} '{path}': cannot write into '{directory}' ({e.Message.TrimEnd('.')}).");
        }
    }
}
