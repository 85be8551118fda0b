using ConvGen.Layers;

namespace ConvGen.Benchmarks.Comparison;

/// <summary>
/// The arithmetic of one training sample, by the speed issue's convention: 2 FLOP per multiply-add; for every Conv2D
/// and Dense layer its forward pass and its weight gradient, plus its input gradient unless no trainable layer precedes
/// it (nothing would use that gradient). Other layers (activations, pooling, normalisation, dropout, the loss, the
/// optimizer) are not counted. A convolution counts its whole window at every output position, padded cells included.
/// </summary>
internal static class FlopCounter
{
    /// <summary>FLOP of one sample's forward and backward pass through <paramref name="description"/>.</summary>
    public static long TrainingFlopPerSample(ModelDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        long multiplyAdds = 0;
        bool trainableBefore = false;
        foreach (LayerInfo layer in description.Layers)
        {
            long forward = layer.ForwardMultiplyAdds;
            if (forward > 0)
            {
                // Forward and weight gradient; the input gradient only when a trainable layer before this one needs it.
                multiplyAdds += trainableBefore ? 3 * forward : 2 * forward;
            }

            trainableBefore |= layer.Weights.Any(w => w.Trainable);
        }

        return 2 * multiplyAdds;
    }
}
