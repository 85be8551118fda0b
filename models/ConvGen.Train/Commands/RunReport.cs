using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using ConvGen.Engines;

namespace ConvGen.Train.Commands;

/// <summary>Writes a long run's results as FILE.md (the command, date, machine and table) and FILE.json.</summary>
internal static class RunReport
{
    public static void Write(string path, string command, DateTimeOffset started, object options, string table, object results)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        string machine = string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessorCount} cores, {RuntimeInformation.FrameworkDescription}, ConvGen's {CompiledEngine.InstructionSet} kernels");
        string markdown = string.Create(
            CultureInfo.InvariantCulture,
            $"`{command}` (options {JsonSerializer.Serialize(options)}), started {started:yyyy-MM-dd HH:mm} (UTC{started:zzz}), finished {DateTimeOffset.Now:HH:mm}; {machine}.\n\n{table}");
        File.WriteAllText(path + ".md", markdown);
        File.WriteAllText(path + ".json", JsonSerializer.Serialize(new { Command = command, Started = started, Machine = machine, Options = options, Results = results }, new JsonSerializerOptions { WriteIndented = true }));
    }
}
