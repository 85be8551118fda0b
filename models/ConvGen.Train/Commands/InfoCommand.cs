using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;
using ConvGen.Engines;

namespace ConvGen.Train.Commands;

/// <summary><c>convgen-train info</c>: what runs here — ConvGen's version, the kernels' instruction set, JIT or which
/// NativeAOT build, the cores and the engine's threads.</summary>
internal static class InfoCommand
{
    public static Command Create(CommandContext context)
    {
        var command = new Command("info", "Print ConvGen's version, the kernels in use (AVX-512, AVX2 or Vector128), JIT or NativeAOT build, and the cores");
        command.SetAction(_ =>
        {
            string version = typeof(Model).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            string build = NativeAotBuilds.Current is { } aot ? $"NativeAOT ({aot} build)" : "JIT";
            context.Out.WriteLine($"ConvGen {version}");
            context.Out.WriteLine($"Kernels: {CompiledEngine.InstructionSet}");
            context.Out.WriteLine($"Runtime: {RuntimeInformation.FrameworkDescription}, {build}, {RuntimeInformation.ProcessArchitecture}");
            context.Out.WriteLine($"Cores: {Environment.ProcessorCount}");
            return ExitCodes.Success;
        });
        return command;
    }
}
