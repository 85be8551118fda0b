namespace ConvGen.Export.Tests;

/// <summary>
/// Labelled samples for any model, made up from a seed: images are zero but for a few soft blobs in [0, 1] (digit-like:
/// blank borders, smooth strokes), labelled by where their brightest blob lies, so a short training learns something;
/// flat samples are normal features labelled by a fixed random projection.
/// </summary>
internal static class SyntheticData
{
    public static Dataset For(ModelDescription description, int count, int seed)
    {
        var random = new Random(seed);
        Shape shape = description.InputShape;
        int classes = description.Classes;
        var values = new float[count * shape.Size];
        var labels = new int[count];
        if (shape.IsFlat)
        {
            var projection = new Random(12345);
            double[,] weights = new double[shape.Size, classes];
            for (int f = 0; f < shape.Size; f++)
            {
                for (int c = 0; c < classes; c++)
                {
                    weights[f, c] = (projection.NextDouble() * 2) - 1;
                }
            }

            for (int n = 0; n < count; n++)
            {
                var scores = new double[classes];
                for (int f = 0; f < shape.Size; f++)
                {
                    double x = Normal(random);
                    values[(n * shape.Size) + f] = (float)x;
                    for (int c = 0; c < classes; c++)
                    {
                        scores[c] += x * weights[f, c];
                    }
                }

                labels[n] = Array.IndexOf(scores, scores.Max());
            }

            return new Dataset(values, labels, shape);
        }

        for (int n = 0; n < count; n++)
        {
            Span<float> image = values.AsSpan(n * shape.Size, shape.Size);
            double brightest = 0;
            for (int blob = 0; blob < 3; blob++)
            {
                double cy = 0.15 + (0.7 * random.NextDouble()), cx = 0.15 + (0.7 * random.NextDouble());
                double radius = 0.08 + (0.12 * random.NextDouble()), strength = 0.5 + (0.5 * random.NextDouble());
                for (int y = 0; y < shape.Height; y++)
                {
                    for (int x = 0; x < shape.Width; x++)
                    {
                        double dy = ((y + 0.5) / shape.Height) - cy, dx = ((x + 0.5) / shape.Width) - cx;
                        double value = strength * Math.Exp(-((dy * dy) + (dx * dx)) / (2 * radius * radius));
                        for (int c = 0; c < shape.Channels; c++)
                        {
                            int index = (((y * shape.Width) + x) * shape.Channels) + c;
                            image[index] = (float)Math.Min(1, image[index] + (value * (1 + (0.2 * c))));
                        }
                    }
                }

                if (strength > brightest)
                {
                    brightest = strength;
                    labels[n] = ((int)(cy * 3) + (3 * (int)(cx * 3))) % classes;
                }
            }

            // Values under 0.05 are set to exactly 0, as MNIST's background is.
            foreach (ref float value in image)
            {
                value = value < 0.05f ? 0f : value;
            }
        }

        return new Dataset(values, labels, shape);
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
