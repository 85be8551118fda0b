using System.Runtime.InteropServices;
using ConvGen.Engines;

namespace ConvGen.Benchmarks.Comparison;

/// <summary>Where and when the comparison ran: CPU model and cores, date, .NET, OS, ConvGen's kernels, and how busy the
/// machine was when it started (other work on a shared machine skews every number, multi-threaded ones most): the
/// one-minute load average, which lags (it still counts the build `dotnet run` just did), and the share of the CPUs
/// busy during one second just before measuring, which does not. <see cref="InstructionSetSwitches"/> are the .NET
/// settings in the environment that choose the instruction sets it may use (<c>DOTNET_EnableAVX512=0</c> runs
/// ConvGen's AVX2 kernels), so a report names the whole command that produced it.</summary>
internal sealed record MachineInfo(string Cpu, int Cores, bool Avx512, DateTimeOffset Date, string DotNet, string OperatingSystem, string InstructionSet, IReadOnlyList<string> InstructionSetSwitches, double? LoadAverage, double? CpuBusy)
{
    // The .NET runtime settings that decide which of ConvGen's kernel paths runs.
    private static readonly string[] SwitchNames = ["DOTNET_EnableAVX512", "DOTNET_EnableAVX512F", "DOTNET_EnableAVX2", "DOTNET_EnableAVX", "DOTNET_EnableFMA", "DOTNET_EnableHWIntrinsic", "DOTNET_PreferredVectorBitWidth"];

    /// <summary>The settings among <see cref="SwitchNames"/> this process's environment sets, as NAME=value.</summary>
    public static IReadOnlyList<string> CurrentInstructionSetSwitches() =>
        SwitchNames.Select(name => (Name: name, Value: Environment.GetEnvironmentVariable(name)))
            .Where(s => !string.IsNullOrEmpty(s.Value))
            .Select(s => $"{s.Name}={s.Value}")
            .ToArray();

    /// <summary>The fraction of all CPUs' time spent busy (neither idle nor waiting for I/O) during
    /// <paramref name="window"/>, from /proc/stat; null where there is none.</summary>
    public static double? CpuBusyFraction(TimeSpan window)
    {
        (long Busy, long Total)? before = CpuTimes();
        Thread.Sleep(window);
        (long Busy, long Total)? after = CpuTimes();
        if (before is null || after is null || after.Value.Total <= before.Value.Total)
        {
            return null;
        }

        return (double)(after.Value.Busy - before.Value.Busy) / (after.Value.Total - before.Value.Total);
    }

    private static (long Busy, long Total)? CpuTimes()
    {
        const string path = "/proc/stat";
        if (!File.Exists(path))
        {
            return null;
        }

        // cpu  user nice system idle iowait irq softirq steal ...
        string? line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        if (line is null)
        {
            return null;
        }

        long[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(long.Parse).ToArray();
        long total = fields.Sum();
        long idle = fields[3] + fields[4];
        return (total - idle, total);
    }

    /// <summary>The one-minute load average from /proc/loadavg, or null where there is none.</summary>
    public static double? CurrentLoadAverage()
    {
        const string path = "/proc/loadavg";
        if (!File.Exists(path))
        {
            return null;
        }

        string first = File.ReadAllText(path).Split(' ')[0];
        return double.TryParse(first, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double load) ? load : null;
    }

    /// <summary>This machine, now.</summary>
    public static MachineInfo Current()
    {
        string cpu = "unknown CPU";
        bool avx512 = false;
        const string cpuInfo = "/proc/cpuinfo";
        if (File.Exists(cpuInfo))
        {
            foreach (string line in File.ReadLines(cpuInfo))
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon < 0)
                {
                    continue;
                }

                string key = line[..colon].Trim();
                string value = line[(colon + 1)..].Trim();
                if (key == "model name")
                {
                    cpu = value;
                }
                else if (key == "flags")
                {
                    avx512 = value.Split(' ').Contains("avx512f");
                    break;
                }
            }
        }

        return new MachineInfo(
            cpu,
            Environment.ProcessorCount,
            avx512,
            DateTimeOffset.Now,
            RuntimeInformation.FrameworkDescription,
            RuntimeInformation.OSDescription,
            CompiledEngine.InstructionSet,
            CurrentInstructionSetSwitches(),
            CurrentLoadAverage(),
            CpuBusyFraction(TimeSpan.FromSeconds(1)));
    }
}
