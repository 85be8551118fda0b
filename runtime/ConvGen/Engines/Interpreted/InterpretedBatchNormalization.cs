using System.Numerics;
using ConvGen.Layers;

namespace ConvGen.Engines.Interpreted;

// BatchNormalization(momentum, epsilon), per channel c: the last axis (a flat input has one channel per feature).
//   input  in[m, c], output out[m, c]: m over the M = N·H·W positions of the batch, value at m*C + c
//   gamma[c], beta[c] trainable (parameters); movingMean[c], movingVar[c] not trainable (state)
//
// Training:  mean = Σ_m x / M;  var = Σ_m (x - mean)² / M  (biased, two passes);  invStd = 1 / sqrt(var + eps)
//            xhat = (x - mean) · invStd;  out = gamma · xhat + beta
//            movingMean = movingMean · momentum + mean · (1 - momentum)
//            movingVar  = movingVar · momentum + var · (1 - momentum)          (Keras 3: the biased variance)
//            (only where mean and var are finite: a NaN or infinity in the batch leaves the channel's moving
//            statistics as they were, so one bad batch cannot spoil inference for good)
// Inference: out = gamma · (x - movingMean) / sqrt(movingVar + eps) + beta
// Backward (after a training-mode forward):
//            dbeta[c] = Σ_m dy;  dgamma[c] = Σ_m dy · xhat
//            dx = gamma · invStd / M · (M · dy - dbeta - xhat · dgamma)

/// <summary>Keras' <c>BatchNormalization</c>; see the comment atop the file for shapes and formulas.</summary>
internal sealed class InterpretedBatchNormalization<T> : InterpretedLayer<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly WeightInfo _gamma;
    private readonly WeightInfo _beta;
    private readonly WeightInfo _movingMean;
    private readonly WeightInfo _movingVariance;
    private readonly T _momentum;
    private readonly T _epsilon;

    // The last training-mode batch's statistics, per channel, for the backward pass.
    private readonly T[] _batchMean;
    private readonly T[] _batchInvStd;

    public InterpretedBatchNormalization(LayerInfo info, BatchNormalizationLayer layer)
        : base(info)
    {
        _gamma = Weight("gamma");
        _beta = Weight("beta");
        _movingMean = Weight("moving_mean");
        _movingVariance = Weight("moving_variance");
        _momentum = Convert(layer.Momentum);
        _epsilon = Convert(layer.Epsilon);
        _batchMean = new T[InputShape.Channels];
        _batchInvStd = new T[InputShape.Channels];
    }

    public override void ForwardInference(ReadOnlySpan<T> input, Span<T> output, int count, ReadOnlySpan<T> parameters, ReadOnlySpan<T> state)
    {
        int channels = InputShape.Channels;
        int positions = count * (InputSize / channels);
        ReadOnlySpan<T> gamma = parameters.Slice(_gamma.Offset, channels);
        ReadOnlySpan<T> beta = parameters.Slice(_beta.Offset, channels);
        ReadOnlySpan<T> movingMean = state.Slice(_movingMean.Offset, channels);
        ReadOnlySpan<T> movingVariance = state.Slice(_movingVariance.Offset, channels);
        for (int c = 0; c < channels; c++)
        {
            T std = T.Sqrt(movingVariance[c] + _epsilon);
            for (int m = 0; m < positions; m++)
            {
                int i = (m * channels) + c;
                output[i] = (gamma[c] * (input[i] - movingMean[c]) / std) + beta[c];
            }
        }
    }

    public override void ForwardTraining(ReadOnlySpan<T> input, Span<T> output, int count, ReadOnlySpan<T> parameters, Span<T> state, ulong dropoutSeed)
    {
        int channels = InputShape.Channels;
        int positions = count * (InputSize / channels);
        T total = T.CreateChecked(positions);
        ReadOnlySpan<T> gamma = parameters.Slice(_gamma.Offset, channels);
        ReadOnlySpan<T> beta = parameters.Slice(_beta.Offset, channels);
        Span<T> movingMean = state.Slice(_movingMean.Offset, channels);
        Span<T> movingVariance = state.Slice(_movingVariance.Offset, channels);
        for (int c = 0; c < channels; c++)
        {
            T sum = T.Zero;
            for (int m = 0; m < positions; m++)
            {
                sum += input[(m * channels) + c];
            }

            T mean = sum / total;
            T squares = T.Zero;
            for (int m = 0; m < positions; m++)
            {
                T centred = input[(m * channels) + c] - mean;
                squares += centred * centred;
            }

            T variance = squares / total;
            T invStd = T.One / T.Sqrt(variance + _epsilon);
            for (int m = 0; m < positions; m++)
            {
                int i = (m * channels) + c;
                T xhat = (input[i] - mean) * invStd;
                output[i] = (gamma[c] * xhat) + beta[c];
            }

            _batchMean[c] = mean;
            _batchInvStd[c] = invStd;
            if (T.IsFinite(mean) && T.IsFinite(variance))
            {
                movingMean[c] = (movingMean[c] * _momentum) + (mean * (T.One - _momentum));
                movingVariance[c] = (movingVariance[c] * _momentum) + (variance * (T.One - _momentum));
            }
        }
    }

    public override void Backward(ReadOnlySpan<T> input, ReadOnlySpan<T> output, Span<T> outputGradient, Span<T> inputGradient, int count, ReadOnlySpan<T> parameters, Span<T> gradients)
    {
        int channels = InputShape.Channels;
        int positions = count * (InputSize / channels);
        T total = T.CreateChecked(positions);
        ReadOnlySpan<T> gamma = parameters.Slice(_gamma.Offset, channels);
        Span<T> gammaGradient = gradients.Slice(_gamma.Offset, channels);
        Span<T> betaGradient = gradients.Slice(_beta.Offset, channels);
        for (int c = 0; c < channels; c++)
        {
            T mean = _batchMean[c];
            T invStd = _batchInvStd[c];
            T dbeta = T.Zero;
            T dgamma = T.Zero;
            for (int m = 0; m < positions; m++)
            {
                int i = (m * channels) + c;
                T xhat = (input[i] - mean) * invStd;
                dbeta += outputGradient[i];
                dgamma += outputGradient[i] * xhat;
            }

            betaGradient[c] += dbeta;
            gammaGradient[c] += dgamma;
            if (inputGradient.IsEmpty)
            {
                continue;
            }

            T factor = gamma[c] * invStd / total;
            for (int m = 0; m < positions; m++)
            {
                int i = (m * channels) + c;
                T xhat = (input[i] - mean) * invStd;
                inputGradient[i] = factor * ((total * outputGradient[i]) - dbeta - (xhat * dgamma));
            }
        }
    }
}
