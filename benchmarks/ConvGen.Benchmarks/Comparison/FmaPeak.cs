using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using ConvGen.Engines;

namespace ConvGen.Benchmarks.Comparison;

/// <summary>The FMA peak measured: GFLOP/s on one thread and on <see cref="Threads"/> threads at once (the best of
/// <see cref="Rounds"/> timed rounds each).</summary>
internal sealed record FmaPeakResult(string Vector, int Lanes, int Chains, int Rounds, double SingleThreadGflops, int Threads, double MultiThreadGflops)
{
    /// <summary>The <see cref="Threads"/>-thread peak per thread.</summary>
    public double MultiThreadGflopsPerThread => MultiThreadGflops / Threads;
}

/// <summary>
/// Measures what the cores can do: a loop of fused multiply-adds on the widest accelerated vector (Vector512, else
/// Vector256) with <see cref="Chains"/> independent accumulators, enough to cover the FMA latency on every pipe
/// (Zen 4: latency 4, one 512-bit FMA a cycle). Each FMA of a vector of L floats is 2·L FLOP. The FMAs are explicit
/// (<c>Vector512.FusedMultiplyAdd</c>): the JIT does not fuse <c>a * b + c</c>. The accumulators stay normal
/// (x ← x·½ + 1 converges to 2, no denormals), and their sum is returned and checked, so the loop cannot be dropped.
/// The time is split into rounds and the best round counts: on a shared machine, other work only ever lowers a peak.
/// </summary>
internal static class FmaPeak
{
    /// <summary>Independent accumulator chains per loop iteration.</summary>
    public const int Chains = 12;

    private const float Multiplier = 0.5f;
    private const float Addend = 1f;

    // The width ConvGen's kernels run at, so the peak is that of the instructions they use.
    private static bool UseVector512 => CompiledEngine.IsAvx512;

    private static int Lanes => UseVector512 ? Vector512<float>.Count : Vector256<float>.Count;

    /// <summary>About <paramref name="seconds"/> single-threaded, then about as long on <paramref name="threads"/>
    /// threads started once and released together for each of <paramref name="rounds"/> rounds.</summary>
    public static FmaPeakResult Measure(int threads, double seconds = 0.5, int rounds = 5)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rounds);

        // Calibrate (and get the kernel to its final code) with a short run.
        Run(1_000_000);
        const long calibration = 4_000_000;
        long start = Stopwatch.GetTimestamp();
        Run(calibration);
        double calibrationSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        long iterations = Math.Max(1, (long)(calibration * seconds / rounds / calibrationSeconds));

        double single = double.PositiveInfinity;
        for (int round = 0; round < rounds; round++)
        {
            start = Stopwatch.GetTimestamp();
            Run(iterations);
            single = Math.Min(single, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        double multi = TimeTogether(threads, iterations, rounds);
        double flopPerRound = 2.0 * Lanes * Chains * iterations;
        return new FmaPeakResult(
            UseVector512 ? "Vector512" : "Vector256",
            Lanes,
            Chains,
            rounds,
            flopPerRound / single / 1e9,
            threads,
            flopPerRound * threads / multi / 1e9);
    }

    /// <summary>Starts <paramref name="threads"/> threads once; in each round releases them together and times until
    /// the last is done. Returns the fastest round.</summary>
    private static double TimeTogether(int threads, long iterations, int rounds)
    {
        using var barrier = new Barrier(threads + 1);
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            workers[t] = new Thread(() =>
            {
                for (int round = 0; round < rounds; round++)
                {
                    barrier.SignalAndWait();
                    Run(iterations);
                    barrier.SignalAndWait();
                }
            })
            {
                IsBackground = true,
                Name = "FMA peak " + t,
            };
            workers[t].Start();
        }

        double fastest = double.PositiveInfinity;
        for (int round = 0; round < rounds; round++)
        {
            barrier.SignalAndWait();
            long begin = Stopwatch.GetTimestamp();
            barrier.SignalAndWait();
            fastest = Math.Min(fastest, Stopwatch.GetElapsedTime(begin).TotalSeconds);
        }

        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        return fastest;
    }

    private static void Run(long iterations)
    {
        float sum = UseVector512 ? Kernel512(iterations) : Kernel256(iterations);
        float expected = Chains * Lanes * (Addend / (1 - Multiplier));
        if (!(Math.Abs(sum - expected) <= 1e-3f * expected) && iterations >= 64)
        {
            throw new InvalidOperationException($"The FMA loop summed to {sum}, not {expected}: it did not run as written.");
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Kernel512(long iterations)
    {
        Vector512<float> m = Vector512.Create(Multiplier);
        Vector512<float> c = Vector512.Create(Addend);
        Vector512<float> a0 = Vector512<float>.Zero, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        Vector512<float> a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, c);
            a1 = Vector512.FusedMultiplyAdd(a1, m, c);
            a2 = Vector512.FusedMultiplyAdd(a2, m, c);
            a3 = Vector512.FusedMultiplyAdd(a3, m, c);
            a4 = Vector512.FusedMultiplyAdd(a4, m, c);
            a5 = Vector512.FusedMultiplyAdd(a5, m, c);
            a6 = Vector512.FusedMultiplyAdd(a6, m, c);
            a7 = Vector512.FusedMultiplyAdd(a7, m, c);
            a8 = Vector512.FusedMultiplyAdd(a8, m, c);
            a9 = Vector512.FusedMultiplyAdd(a9, m, c);
            a10 = Vector512.FusedMultiplyAdd(a10, m, c);
            a11 = Vector512.FusedMultiplyAdd(a11, m, c);
        }

        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Kernel256(long iterations)
    {
        Vector256<float> m = Vector256.Create(Multiplier);
        Vector256<float> c = Vector256.Create(Addend);
        Vector256<float> a0 = Vector256<float>.Zero, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        Vector256<float> a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, m, c);
            a1 = Vector256.FusedMultiplyAdd(a1, m, c);
            a2 = Vector256.FusedMultiplyAdd(a2, m, c);
            a3 = Vector256.FusedMultiplyAdd(a3, m, c);
            a4 = Vector256.FusedMultiplyAdd(a4, m, c);
            a5 = Vector256.FusedMultiplyAdd(a5, m, c);
            a6 = Vector256.FusedMultiplyAdd(a6, m, c);
            a7 = Vector256.FusedMultiplyAdd(a7, m, c);
            a8 = Vector256.FusedMultiplyAdd(a8, m, c);
            a9 = Vector256.FusedMultiplyAdd(a9, m, c);
            a10 = Vector256.FusedMultiplyAdd(a10, m, c);
            a11 = Vector256.FusedMultiplyAdd(a11, m, c);
        }

        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}
