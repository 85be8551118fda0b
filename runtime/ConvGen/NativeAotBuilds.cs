using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text;

namespace ConvGen;

/// <summary>
/// Picks, at start-up, the NativeAOT build of a program that runs the fastest kernels this CPU has.
/// </summary>
/// <remarks>
/// <para>
/// A NativeAOT binary fixes its instruction set when it is compiled: the generated kernels' checks
/// (<c>Vector512.IsHardwareAccelerated</c>, <c>Avx2.IsSupported</c>) become constants, and .NET 10's compiler does not
/// compile AVX2 or AVX-512 code to be chosen at run time. A build for x86-64-v4 runs the AVX-512 kernels and refuses to
/// start without AVX-512; one for x86-64-v3 runs AVX2; the default one runs the portable Vector128 kernels anywhere.
/// So a program published with ConvGen's <c>ConvGenAotInstructionSets</c> property (for example <c>avx2;avx512</c>)
/// gets, beside its portable binary <c>NAME</c>, a binary per instruction set, <c>NAME-avx2</c> and
/// <c>NAME-avx512</c>; the portable binary calls <see cref="RunFastest"/> first thing, which replaces the process with
/// the fastest build this CPU runs (the same process id, arguments, standard streams and exit code).
/// </para>
/// <para>
/// <c>CONVGEN_ISA</c> (<c>avx512</c>, <c>avx2</c> or <c>vector128</c>) chooses the build instead, to test each path on
/// one machine; a build this CPU cannot run, or one not published, is then an error rather than a silent fallback.
/// Under the JIT, and on anything but Linux on x64, <see cref="RunFastest"/> does nothing: the JIT picks the kernels.
/// </para>
/// </remarks>
public static class NativeAotBuilds
{
    /// <summary>The environment variable that chooses the build: <c>avx512</c>, <c>avx2</c> or <c>vector128</c>.</summary>
    public const string Variable = "CONVGEN_ISA";

    /// <summary>The builds beside the portable one, fastest first: the file-name suffix, and the CPU features (named as
    /// Linux's <c>/proc/cpuinfo</c> names them; <c>abm</c> is LZCNT) that the compiler's target for it (x86-64-v4,
    /// x86-64-v3) requires.</summary>
    internal static readonly (string Suffix, string[] Features)[] Builds =
    [
        ("avx512", ["avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"]),
        ("avx2", ["avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe"]),
    ];

    /// <summary>The portable build's name in <c>CONVGEN_ISA</c>.</summary>
    internal const string Portable = "vector128";

    /// <summary>Which build this process is: <c>avx512</c> or <c>avx2</c> (a build for that instruction set),
    /// <c>portable</c> (a NativeAOT build for any x64), or null under the JIT.</summary>
    public static string? Current => IsNativeAot ? BuildOf(Environment.ProcessPath) ?? "portable" : null;

    // Whether this process runs NativeAOT code. RuntimeFeature.IsDynamicCodeSupported does not tell: a project with
    // PublishAot set runs with it false under the JIT too. The JIT has compiled at least the caller; NativeAOT nothing.
    private static bool IsNativeAot => System.Runtime.JitInfo.GetCompiledMethodCount() == 0;

    /// <summary>
    /// In the portable NativeAOT build of a program published with <c>ConvGenAotInstructionSets</c>, replaces the
    /// process with the fastest build beside it that this CPU runs (or the one <c>CONVGEN_ISA</c> names), passing
    /// <paramref name="args"/> on; returns when this build is the one to run.
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>CONVGEN_ISA</c> names no build, a build this CPU cannot run, or a
    /// build that was not published; or the operating system refused to start the build.</exception>
    public static void RunFastest(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? self = Environment.ProcessPath;
        if (!IsNativeAot || !OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64
            || self is null || BuildOf(self) is not null)
        {
            return;
        }

        string? suffix = Choose(Environment.GetEnvironmentVariable(Variable), CpuFeatures(), build => File.Exists(self + "-" + build));
        if (suffix is not null)
        {
            Execute(self + "-" + suffix, args);
        }
    }

    /// <summary>The build to run (its suffix), or null for this one, given <c>CONVGEN_ISA</c>, the CPU's features and
    /// which builds exist.</summary>
    internal static string? Choose(string? forced, IReadOnlySet<string> features, Func<string, bool> exists)
    {
        if (string.IsNullOrEmpty(forced))
        {
            return Builds.FirstOrDefault(b => b.Features.All(features.Contains) && exists(b.Suffix)).Suffix;
        }

        string name = forced.Trim().ToLowerInvariant();
        if (name == Portable)
        {
            return null;
        }

        (string Suffix, string[] Features) build = Builds.FirstOrDefault(b => b.Suffix == name);
        if (build.Suffix is null)
        {
            throw new InvalidOperationException($"{Variable} is '{forced}'; it names a build: {string.Join(", ", Builds.Select(b => b.Suffix))} or {Portable}.");
        }

        string[] missing = build.Features.Where(f => !features.Contains(f)).ToArray();
        if (missing.Length > 0)
        {
            throw new InvalidOperationException($"{Variable}={name}, but this CPU lacks {string.Join(", ", missing)}.");
        }

        return exists(name) ? name : throw new InvalidOperationException($"{Variable}={name}, but no '-{name}' build was published beside this program (set ConvGenAotInstructionSets when publishing).");
    }

    /// <summary>
    /// The features of <see cref="Builds"/> this CPU has and the operating system enabled: CPUID's bits (leaf 1 ECX,
    /// leaf 7 EBX, leaf 0x80000001 ECX), less the AVX or AVX-512 families when <paramref name="cpuinfo"/> (Linux's
    /// <c>/proc/cpuinfo</c>, which lists only what the kernel enabled) lacks <c>avx</c> or <c>avx512f</c>. CPUID alone
    /// does not say whether the operating system saves the wider registers; /proc/cpuinfo alone is not enough either:
    /// some virtual machines omit flags (LZCNT's <c>abm</c> here) that CPUID reports and .NET relies on.
    /// </summary>
    internal static HashSet<string> CpuFeatures(int leaf1Ecx, int leaf7Ebx, int extendedEcx, string? cpuinfo)
    {
        (int Register, int Bit, string Name)[] bits =
        [
            (leaf1Ecx, 12, "fma"), (leaf1Ecx, 22, "movbe"), (leaf1Ecx, 28, "avx"), (leaf1Ecx, 29, "f16c"),
            (leaf7Ebx, 3, "bmi1"), (leaf7Ebx, 5, "avx2"), (leaf7Ebx, 8, "bmi2"), (leaf7Ebx, 16, "avx512f"), (leaf7Ebx, 17, "avx512dq"),
            (leaf7Ebx, 28, "avx512cd"), (leaf7Ebx, 30, "avx512bw"), (leaf7Ebx, 31, "avx512vl"), (extendedEcx, 5, "abm"),
        ];
        HashSet<string> features = [.. bits.Where(b => (b.Register & (1 << b.Bit)) != 0).Select(b => b.Name)];
        bool osSavesAvx = (leaf1Ecx & (1 << 27)) != 0;
        string[]? listed = cpuinfo?.Split('\n').FirstOrDefault(line => line.StartsWith("flags", StringComparison.Ordinal))?.Split(':', 2)[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (!osSavesAvx || listed is not null && !listed.Contains("avx"))
        {
            features.RemoveWhere(f => f is "avx" or "avx2" or "fma" or "f16c" || f.StartsWith("avx512", StringComparison.Ordinal));
        }

        if (listed is not null && !listed.Contains("avx512f"))
        {
            features.RemoveWhere(f => f.StartsWith("avx512", StringComparison.Ordinal));
        }

        return features;
    }

    private static HashSet<string> CpuFeatures()
    {
        if (!X86Base.IsSupported)
        {
            return [];
        }

        string? cpuinfo;
        try
        {
            cpuinfo = File.ReadAllText("/proc/cpuinfo");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            cpuinfo = null;
        }

        int maximumExtended = X86Base.CpuId(unchecked((int)0x80000000), 0).Eax;
        return CpuFeatures(
            X86Base.CpuId(1, 0).Ecx,
            X86Base.CpuId(0, 0).Eax >= 7 ? X86Base.CpuId(7, 0).Ebx : 0,
            unchecked((uint)maximumExtended) >= 0x80000001 ? X86Base.CpuId(unchecked((int)0x80000001), 0).Ecx : 0,
            cpuinfo);
    }

    private static string? BuildOf(string? path) =>
        path is null ? null : Builds.Select(b => b.Suffix).FirstOrDefault(s => path.EndsWith("-" + s, StringComparison.Ordinal));

    private static unsafe void Execute(string path, string[] args)
    {
        // execv(path, [path, args..., NULL]); it returns only when it failed.
        byte[][] strings = [Encoding.UTF8.GetBytes(path + "\0"), .. args.Select(a => Encoding.UTF8.GetBytes(a + "\0"))];
        var handles = strings.Select(s => GCHandle.Alloc(s, GCHandleType.Pinned)).ToArray();
        try
        {
            byte** argv = stackalloc byte*[strings.Length + 1];
            for (int i = 0; i < strings.Length; i++)
            {
                argv[i] = (byte*)handles[i].AddrOfPinnedObject();
            }

            argv[strings.Length] = null;
            Console.Out.Flush();
            Execv(argv[0], argv);
            throw new InvalidOperationException($"Could not start '{path}' (errno {Marshal.GetLastPInvokeError()}).");
        }
        finally
        {
            foreach (GCHandle handle in handles)
            {
                handle.Free();
            }
        }
    }

    [DllImport("libc", EntryPoint = "execv", SetLastError = true)]
    private static extern unsafe int Execv(byte* path, byte** argv);
}
