namespace ConvGen.Randomness;

/// <summary>Draws a weight array's starting values the way Keras' initialisers do.</summary>
internal static class WeightInitializer
{
    // Keras divides the stddev of its truncated normals by this, the stddev of a unit normal truncated at ±2.
    private const double TruncatedNormalStddev = 0.87962566103423978;

    public static void Fill(Span<float> values, WeightInfo weight, ulong seed)
    {
        var random = new SplitMix64(seed);
        double fanIn = Math.Max(1, weight.FanIn);
        double fanAverage = Math.Max(1, (weight.FanIn + weight.FanOut) / 2.0);
        switch (weight.Initializer)
        {
            case Initializer.Zeros:
                values.Clear();
                break;
            case Initializer.Ones:
                values.Fill(1f);
                break;
            case Initializer.GlorotUniform:
                FillUniform(values, Math.Sqrt(3.0 / fanAverage), ref random);
                break;
            case Initializer.HeUniform:
                FillUniform(values, Math.Sqrt(6.0 / fanIn), ref random);
                break;
            case Initializer.LecunUniform:
                FillUniform(values, Math.Sqrt(3.0 / fanIn), ref random);
                break;
            case Initializer.RandomUniform:
                FillUniform(values, 0.05, ref random);
                break;
            case Initializer.GlorotNormal:
                FillTruncatedNormal(values, Math.Sqrt(1.0 / fanAverage) / TruncatedNormalStddev, ref random);
                break;
            case Initializer.HeNormal:
                FillTruncatedNormal(values, Math.Sqrt(2.0 / fanIn) / TruncatedNormalStddev, ref random);
                break;
            case Initializer.LecunNormal:
                FillTruncatedNormal(values, Math.Sqrt(1.0 / fanIn) / TruncatedNormalStddev, ref random);
                break;
            case Initializer.RandomNormal:
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = (float)(0.05 * random.NextGaussian());
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(weight), weight.Initializer, $"Unknown initializer for {weight.Name}.");
        }
    }

    private static void FillUniform(Span<float> values, double limit, ref SplitMix64 random)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(limit * ((2.0 * random.NextDouble()) - 1.0));
        }
    }

    private static void FillTruncatedNormal(Span<float> values, double stddev, ref SplitMix64 random)
    {
        for (int i = 0; i < values.Length; i++)
        {
            double z;
            do
            {
                z = random.NextGaussian();
            }
            while (Math.Abs(z) > 2.0);
            values[i] = (float)(stddev * z);
        }
    }
}
