namespace ConvGen.Randomness;

/// <summary>
/// Sebastiano Vigna's SplitMix64: a tiny, fast generator with a 64-bit state, used to derive independent seeds and for
/// the (not performance-critical) draws of initialisation and shuffling. Same seed, same sequence, on every platform.
/// </summary>
internal struct SplitMix64
{
    private ulong _state;

    public SplitMix64(ulong seed)
    {
        _state = seed;
    }

    /// <summary>A seed for an independent stream, derived from a parent seed and a stream number.</summary>
    public static ulong Derive(ulong seed, ulong stream)
    {
        var generator = new SplitMix64(seed ^ Mix(stream + 0x632BE59BD9B4E019UL));
        return generator.NextUInt64();
    }

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, <paramref name="bound"/>), without modulo bias (Lemire's method).</summary>
    public int NextInt(int bound)
    {
        ulong product = (ulong)(uint)(NextUInt64() >> 32) * (uint)bound;
        uint low = (uint)product;
        if (low < (uint)bound)
        {
            uint threshold = (uint)-bound % (uint)bound;
            while (low < threshold)
            {
                product = (ulong)(uint)(NextUInt64() >> 32) * (uint)bound;
                low = (uint)product;
            }
        }

        return (int)(product >> 32);
    }

    /// <summary>Standard normal (Box–Muller; one of the pair is discarded to keep the state a single word).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble();
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
