using ConvGen.Engines;
using ConvGen.Randomness;

namespace ConvGen;

/// <summary>
/// Puts together the batches of one <see cref="Model.Fit"/>: the training samples in the epoch's order (a seeded
/// permutation when shuffling), with a fixed number of samples of a second set (pseudo-labelled images) in every batch,
/// each image augmented with its own random transform. Labels are gathered before the step; images during it, by the
/// engine's threads (<see cref="IBatchPreparation"/>), each thread its own chunk.
/// </summary>
/// <remarks>
/// Everything a batch holds is a function of the model's seed, the epoch's index among all epochs the model has trained
/// (<c>epochsTrained</c>) and the step within the epoch, so splitting training into several Fit calls, or resuming from
/// a backup, visits and augments the same samples the same way as one uninterrupted call.
/// </remarks>
internal sealed class BatchAssembler : IBatchPreparation
{
    private const ulong ShuffleStream = 0x5348_5546;
    private const ulong MixStream = 0x4D49_5845;

    private readonly Dataset _train;
    private readonly Dataset? _mix;
    private readonly ImageAugmentation? _augmentation;
    private readonly bool _shuffle;
    private readonly int _batchSize;
    private readonly int _mixPerBatch;
    private readonly int _sampleSize;
    private readonly Shape _sampleShape;
    private readonly ulong _seed;
    private readonly int[] _order;
    private readonly int[] _mixOrder;
    private readonly AlignedBuffer? _images;
    private readonly int[] _labels;
    private readonly int[] _samples;
    private ulong _augmentationSeed;
    private int _step;
    private int _trainCount;

    public BatchAssembler(Dataset train, Shape sampleShape, int batchSize, bool shuffle, ImageAugmentation? augmentation, Dataset? mix, double mixFraction, int seed)
    {
        _sampleShape = sampleShape;
        _train = train;
        _mix = mix is { Count: > 0 } ? mix : null;
        _augmentation = augmentation;
        _shuffle = shuffle;
        _sampleSize = train.SampleSize;
        _seed = (ulong)(uint)seed;

        // A batch of at most batchSize (at least 2 when mixing), of which mixPerBatch come from the second set; an epoch
        // is one pass over the training samples.
        // A batch size beyond both sets together is clamped first, so no size below can overflow.
        batchSize = (int)Math.Min(batchSize, (long)train.Count + (_mix?.Count ?? 0));
        _mixPerBatch = _mix is null ? 0 : Math.Clamp((int)Math.Round(batchSize * mixFraction), 1, batchSize - 1);
        TrainPerBatch = Math.Min(batchSize - _mixPerBatch, train.Count);
        _batchSize = TrainPerBatch + _mixPerBatch;
        StepsPerEpoch = (int)(((long)train.Count + TrainPerBatch - 1) / TrainPerBatch);
        _order = shuffle ? new int[train.Count] : [];
        _mixOrder = _mix is null ? [] : new int[_mix.Count];
        _samples = new int[_batchSize];
        _labels = new int[_batchSize];
        ReadsInPlace = !shuffle && _mix is null && augmentation is null;
        _images = ReadsInPlace ? null : new AlignedBuffer(_batchSize * _sampleSize);
    }

    /// <summary>Steps in an epoch: one pass over the training samples.</summary>
    public int StepsPerEpoch { get; }

    /// <summary>Training samples in a full batch (the rest come from the mixed-in set).</summary>
    public int TrainPerBatch { get; }

    /// <summary>Whether batches are read where they lie in the training set (no shuffling, mixing or augmentation):
    /// nothing is prepared.</summary>
    public bool ReadsInPlace { get; }

    /// <summary>Draws the orders and streams of the epoch that is the model's <paramref name="epochsTrained"/>-th.</summary>
    public void BeginEpoch(ulong epochsTrained)
    {
        if (_shuffle)
        {
            // The permutation ConvGen has always drawn from (seed, epochs trained).
            Permute(_order, SplitMix64.Derive(SplitMix64.Derive(_seed, ShuffleStream), epochsTrained));
        }

        if (_mix is not null)
        {
            Permute(_mixOrder, SplitMix64.Derive(SplitMix64.Derive(_seed, MixStream), epochsTrained));
        }

        _augmentationSeed = SplitMix64.Derive(SplitMix64.Derive(_seed, ImageAugmentation.Stream), epochsTrained);
    }

    /// <summary>Sets up batch <paramref name="step"/> of the epoch and returns its size: its labels are gathered now,
    /// its images by <see cref="Prepare"/> (unless <see cref="ReadsInPlace"/>).</summary>
    public int Batch(int step)
    {
        _step = step;
        _trainCount = Math.Min(TrainPerBatch, _train.Count - (step * TrainPerBatch));
        int count = _trainCount + _mixPerBatch;
        if (!ReadsInPlace)
        {
            for (int i = 0; i < count; i++)
            {
                _samples[i] = SampleAt(i);
                _labels[i] = i < _trainCount ? _train.Label(_samples[i]) : _mix!.Label(_samples[i]);
            }
        }

        return count;
    }

    /// <summary>The images of the current batch (valid once prepared).</summary>
    public ReadOnlySpan<float> Images(int count) => ReadsInPlace
        ? _train.ImageRows(_step * TrainPerBatch, count)
        : _images!.Span[..(count * _sampleSize)];

    /// <summary>The labels of the current batch.</summary>
    public ReadOnlySpan<int> Labels(int count) => ReadsInPlace
        ? _train.Labels.Slice(_step * TrainPerBatch, count)
        : _labels.AsSpan(0, count);

    /// <inheritdoc/>
    public void Prepare(int first, int count)
    {
        Span<float> images = _images!.Span;
        for (int i = first; i < first + count; i++)
        {
            ReadOnlySpan<float> source = i < _trainCount ? _train.ImageSpan(_samples[i]) : _mix!.ImageSpan(_samples[i]);
            Span<float> destination = images.Slice(i * _sampleSize, _sampleSize);
            if (_augmentation is null)
            {
                source.CopyTo(destination);
            }
            else
            {
                // Each image's transform is drawn from its position in the epoch's stream of batches.
                _augmentation.Augment(source, destination, _sampleShape, SplitMix64.Derive(_augmentationSeed, ((ulong)_step * (ulong)_batchSize) + (ulong)i));
            }
        }
    }

    // The sample at position i of the current batch: training samples first, then the mixed-in ones, which cycle
    // through their own permutation.
    private int SampleAt(int i)
    {
        if (i < _trainCount)
        {
            int position = (_step * TrainPerBatch) + i;
            return _shuffle ? _order[position] : position;
        }

        long mixed = ((long)_step * _mixPerBatch) + (i - _trainCount);
        return _mixOrder[(int)(mixed % _mixOrder.Length)];
    }

    private static void Permute(int[] order, ulong seed)
    {
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var random = new SplitMix64(seed);
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
    }
}
