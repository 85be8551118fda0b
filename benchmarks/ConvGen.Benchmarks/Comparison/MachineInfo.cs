using System.Runtime.InteropServices;
using ConvGen.Engines;

namespace ConvGen.Benchmarks.Comparison;

/// <summary>Where and when the comparison ran: CPU model and cores, date, .NET, OS, ConvGen's kernels, and the load
/// average when it started (other work on a shared machine skews every number, multi-threaded ones most).</summary>
internal sealed record MachineInfo(string Cpu, int Cores, bool Avx512, DateTimeOffset Date, string DotNet, string OperatingSystem, string InstructionSet, double? LoadAverage)
{
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
            CurrentLoadAverage());
    }
}
