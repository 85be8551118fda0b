using ConvGen.Benchmarks.Comparison;

namespace ConvGen.Tests.Benchmarks;

public class MachineInfoTests
{
    // A report's command line starts with the .NET settings that chose ConvGen's kernel path, so a run made with
    // DOTNET_EnableAVX512=0 does not read like the default one. Setting the variable here changes nothing in this
    // process's runtime (it reads its settings at start-up), only what the benchmark reports.
    [Fact]
    public void TheReportNamesTheInstructionSetSwitchesSetInItsEnvironment()
    {
        const string name = "DOTNET_EnableAVX512";
        string? before = Environment.GetEnvironmentVariable(name);
        try
        {
            Environment.SetEnvironmentVariable(name, "0");
            Assert.Contains("DOTNET_EnableAVX512=0", MachineInfo.CurrentInstructionSetSwitches());

            Environment.SetEnvironmentVariable(name, null);
            Assert.DoesNotContain(MachineInfo.CurrentInstructionSetSwitches(), s => s.StartsWith(name + "=", StringComparison.Ordinal));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, before);
        }
    }
}
