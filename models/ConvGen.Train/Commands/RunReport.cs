using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ConvGen.Engines;
using ConvGen.Models.Recipes;

namespace ConvGen.Train.Commands;

/// <summary>Writes a long run's results as FILE.md (the command, date, machine and table) and FILE.json.</summary>
/// <remarks>The JSON is written with System.Text.Json's source-generated metadata (<see cref="RunReportJson"/>), not
/// reflection, so that the NativeAOT trainer writes the same file as the JIT's with no trim or AOT warning.</remarks>
internal static class RunReport
{
    public static void Write<TOptions, TResults>(
        string path, string command, DateTimeOffset started, TOptions options, JsonTypeInfo<TOptions> optionsInfo, string table, TResults results, JsonTypeInfo<TResults> resultsInfo)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        string machine = string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessorCount} cores, {RuntimeInformation.FrameworkDescription}, ConvGen's {CompiledEngine.InstructionSet} kernels");
        string markdown = string.Create(
            CultureInfo.InvariantCulture,
            $"`{command}` ({options}), started {started:yyyy-MM-dd HH:mm} (UTC{started:zzz}), finished {DateTimeOffset.Now:HH:mm}; {machine}.\n\n{table}");
        File.WriteAllText(path + ".md", markdown);

        // { "Command", "Started", "Machine", "Options", "Results" }, indented.
        using var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("Command", command);
            writer.WriteString("Started", started);
            writer.WriteString("Machine", machine);
            writer.WritePropertyName("Options");
            JsonSerializer.Serialize(writer, options, optionsInfo);
            writer.WritePropertyName("Results");
            JsonSerializer.Serialize(writer, results, resultsInfo);
            writer.WriteEndObject();
        }

        File.WriteAllBytes(path + ".json", json.ToArray());
    }
}

/// <summary>The options of a <c>mnist-best</c> run, as its report records them.</summary>
internal sealed record MnistBestRun(IReadOnlyList<int> Seeds, int Epochs, bool Validation)
{
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture, $"seeds {string.Join(",", Seeds)}, {Epochs} epochs{(Validation ? ", validation" : string.Empty)}");
}

/// <summary>The types the run reports write, with metadata generated at build time.</summary>
[JsonSerializable(typeof(ChainOptions))]
[JsonSerializable(typeof(IReadOnlyList<BeatingMnistChain.StepResult>))]
[JsonSerializable(typeof(MnistBestRun))]
[JsonSerializable(typeof(List<MnistBest.MemberResult>))]
internal sealed partial class RunReportJson : JsonSerializerContext;
