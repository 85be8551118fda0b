using System.Runtime.CompilerServices;

namespace ConvGen.Generator.Tests.Infrastructure;

/// <summary>
/// Golden-file comparison: <c>Golden/&lt;name&gt;.verified.cs</c> in this project's source directory holds the expected
/// text. On a mismatch the actual text goes to <c>&lt;name&gt;.received.cs</c> beside it (ignored by git) and the test
/// fails at the first differing line. With <c>CONVGEN_UPDATE_GOLDEN=1</c> the verified file is rewritten instead, and
/// the test still fails whenever that changed the file, so an update run never passes silently; a missing verified
/// file is written and fails the same way. Line endings are normalised to \n on both sides.
/// </summary>
internal static class Golden
{
    public const string UpdateVariable = "CONVGEN_UPDATE_GOLDEN";

    public static void Verify(string actual, string name, [CallerFilePath] string callerFile = "") =>
        VerifyIn(Path.Combine(ProjectDirectory(callerFile), "Golden"), actual, name, Environment.GetEnvironmentVariable(UpdateVariable) == "1");

    /// <summary>The comparison itself, in any directory and with the update switch given (for the helper's own tests).</summary>
    public static void VerifyIn(string directory, string actual, string name, bool update)
    {
        string verifiedPath = Path.Combine(directory, name + ".verified.cs");
        string receivedPath = Path.Combine(directory, name + ".received.cs");
        string text = Normalize(actual);

        if (!File.Exists(verifiedPath))
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(verifiedPath, text);
            DeleteIfPresent(receivedPath);
            Assert.Fail($"golden file {verifiedPath} was missing and has been written; review it and rerun without {UpdateVariable}");
        }

        string expected = Normalize(File.ReadAllText(verifiedPath));
        if (expected == text)
        {
            DeleteIfPresent(receivedPath);
            return;
        }

        if (update)
        {
            File.WriteAllText(verifiedPath, text);
            DeleteIfPresent(receivedPath);
            Assert.Fail($"golden file updated; rerun without {UpdateVariable} ({verifiedPath})");
        }

        File.WriteAllText(receivedPath, text);
        Assert.Fail($"{name}: the generated source differs from {verifiedPath}; the actual text is in {receivedPath}.\n{FirstDifference(expected, text)}\n" +
            $"If the change is intended, rerun with {UpdateVariable}=1 and review the diff.");
    }

    /// <summary>The first line that differs: its number, the expected and the actual text.</summary>
    public static string FirstDifference(string expected, string actual)
    {
        string[] expectedLines = expected.Split('\n');
        string[] actualLines = actual.Split('\n');
        for (int i = 0; i < Math.Max(expectedLines.Length, actualLines.Length); i++)
        {
            string? e = i < expectedLines.Length ? expectedLines[i] : null;
            string? a = i < actualLines.Length ? actualLines[i] : null;
            if (e != a)
            {
                return $"line {i + 1}:\n  expected: {e ?? "<end of file>"}\n  actual:   {a ?? "<end of file>"}";
            }
        }

        return "no line differs";
    }

    public static string Normalize(string text) => text.Replace("\r\n", "\n").Replace('\r', '\n');

    /// <summary>This project's directory: where the caller's source file lives (found upward from it), or, when the
    /// build mapped source paths away, upward from the test binaries.</summary>
    private static string ProjectDirectory(string callerFile)
    {
        foreach (string? start in new[] { Path.GetDirectoryName(callerFile), AppContext.BaseDirectory })
        {
            for (string? directory = start; !string.IsNullOrEmpty(directory); directory = Path.GetDirectoryName(directory))
            {
                if (File.Exists(Path.Combine(directory, "ConvGen.Generator.Tests.csproj")))
                {
                    return directory;
                }

                string nested = Path.Combine(directory, "tests", "ConvGen.Generator.Tests");
                if (File.Exists(Path.Combine(nested, "ConvGen.Generator.Tests.csproj")))
                {
                    return nested;
                }
            }
        }

        throw new InvalidOperationException($"Cannot find the ConvGen.Generator.Tests project directory from '{callerFile}' or '{AppContext.BaseDirectory}'.");
    }

    private static void DeleteIfPresent(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }
}
