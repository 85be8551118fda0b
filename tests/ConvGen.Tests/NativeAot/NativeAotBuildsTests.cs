namespace ConvGen.Tests.NativeAot;

/// <summary>Which NativeAOT build the portable binary hands over to: the fastest one published that the CPU runs, or
/// the one CONVGEN_ISA names, refused with a clear message when the CPU or the build is missing. (The hand-over
/// itself, execv of a published binary, is exercised by CI's package check and the AOT benchmark.)</summary>
public class NativeAotBuildsTests
{
    // CPUID's bits of this machine kind (AMD EPYC Zen 4): leaf 1 ECX, leaf 7 EBX, leaf 0x80000001 ECX.
    private const int Leaf1Ecx = (1 << 12) | (1 << 22) | (1 << 27) | (1 << 28) | (1 << 29);
    private const int Leaf7Ebx = (1 << 3) | (1 << 5) | (1 << 8) | (1 << 16) | (1 << 17) | (1 << 28) | (1 << 30) | (1 << 31);
    private const int ExtendedEcx = 1 << 5;

    // Its /proc/cpuinfo, which (in this virtual machine) omits LZCNT's 'abm' although CPUID reports it.
    private const string CpuInfo = "processor\t: 0\nflags\t\t: fpu sse sse2 fma movbe xsave avx f16c bmi1 avx2 bmi2 avx512f avx512dq avx512cd avx512bw avx512vl\n\nprocessor\t: 1\nflags\t\t: fpu\n";

    private static readonly HashSet<string> Zen4 = NativeAotBuilds.CpuFeatures(Leaf1Ecx, Leaf7Ebx, ExtendedEcx, CpuInfo);

    private static readonly HashSet<string> Haswell = ["sse4_2", "movbe", "xsave", "avx", "f16c", "abm", "bmi1", "avx2", "bmi2", "fma"];

    private static readonly HashSet<string> Nehalem = ["sse4_2", "popcnt"];

    private static bool All(string build) => true;

    [Fact]
    public void FeaturesComeFromCpuidLessWhatTheOperatingSystemDidNotEnable()
    {
        Assert.Equal(NativeAotBuilds.Builds[0].Features.Order(), Zen4.Order());
        Assert.Equal(Zen4, NativeAotBuilds.CpuFeatures(Leaf1Ecx, Leaf7Ebx, ExtendedEcx, cpuinfo: null));

        // A kernel that does not save AVX-512's registers does not list avx512f: the AVX2 build is the fastest.
        HashSet<string> noAvx512 = NativeAotBuilds.CpuFeatures(Leaf1Ecx, Leaf7Ebx, ExtendedEcx, CpuInfo.Replace(" avx512f", string.Empty, StringComparison.Ordinal));
        Assert.Equal(NativeAotBuilds.Builds[1].Features.Order(), noAvx512.Order());

        // Without OSXSAVE (leaf 1 ECX bit 27) nothing of AVX may run.
        HashSet<string> noXsave = NativeAotBuilds.CpuFeatures(Leaf1Ecx & ~(1 << 27), Leaf7Ebx, ExtendedEcx, null);
        Assert.Equal(["abm", "bmi1", "bmi2", "movbe"], noXsave.Order());
    }

    [Fact]
    public void TheFastestPublishedBuildTheCpuRunsIsChosen()
    {
        Assert.Equal("avx512", NativeAotBuilds.Choose(null, Zen4, All));
        Assert.Equal("avx2", NativeAotBuilds.Choose(null, Zen4, build => build == "avx2"));
        Assert.Equal("avx2", NativeAotBuilds.Choose("", Haswell, All));
        Assert.Null(NativeAotBuilds.Choose(null, Nehalem, All));
        Assert.Null(NativeAotBuilds.Choose(null, Zen4, build => false));

        // AVX-512 without one of x86-64-v4's five parts (here VL) is not enough for the AVX-512 build.
        Assert.Equal("avx2", NativeAotBuilds.Choose(null, Zen4.Where(f => f != "avx512vl").ToHashSet(), All));
    }

    [Fact]
    public void ConvgenIsaChoosesTheBuild()
    {
        Assert.Equal("avx2", NativeAotBuilds.Choose("avx2", Zen4, All));
        Assert.Equal("avx512", NativeAotBuilds.Choose(" AVX512 ", Zen4, All));
        Assert.Null(NativeAotBuilds.Choose("vector128", Zen4, All));
    }

    [Theory]
    [InlineData("sse2", "CONVGEN_ISA is 'sse2'; it names a build: avx512, avx2 or vector128.")]
    [InlineData("avx512", "CONVGEN_ISA=avx512, but this CPU lacks avx512f, avx512bw, avx512cd, avx512dq, avx512vl.")]
    public void ABuildTheCpuCannotRunIsRefusedByName(string forced, string message)
    {
        var error = Assert.Throws<InvalidOperationException>(() => NativeAotBuilds.Choose(forced, Haswell, All));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void AForcedBuildThatWasNotPublishedIsRefused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => NativeAotBuilds.Choose("avx2", Zen4, build => build == "avx512"));
        Assert.Equal("CONVGEN_ISA=avx2, but no '-avx2' build was published beside this program (set ConvGenAotInstructionSets when publishing).", error.Message);
    }

    [Fact]
    public void UnderTheJitNoBuildIsCurrentAndNothingIsHandedOver()
    {
        Assert.Null(NativeAotBuilds.Current);
        NativeAotBuilds.RunFastest(["--help"]);
    }
}
