using ConvGen.Engines;

namespace ConvGen.Tests.Generated;

/// <summary>
/// Every layer kind and option, as generated code, against finite differences and against the interpreted engine, on
/// the instruction-set path of the machine (CI repeats these with AVX-512 and AVX2 switched off).
/// </summary>
[Trait("Category", "Gradients")]
public class GeneratedLayerTests
{
    public static TheoryData<string> Models =>
    [
        nameof(ConvValidModel),
        nameof(ConvSameStridedModel),
        nameof(ConvWideModel),
        nameof(WinogradModel),
        nameof(Winograd4Model),
        nameof(PoolingModel),
        nameof(ReluPoolingModel),
        nameof(BatchNormalizationModel),
        nameof(DropoutModel),
        nameof(StandaloneLayersModel),
        nameof(WideDenseModel),
        nameof(NormalizedDenseModel),
        nameof(DenseChainModel),
        nameof(ConvRowsModel),
        nameof(PooledDenseChainModel),
        nameof(PooledRowsModel),
        nameof(ColumnQuadsModel),
        nameof(NarrowColumnQuadsModel),
    ];

    internal static Model Create(string name, int seed) => name switch
    {
        nameof(ConvValidModel) => new ConvValidModel(seed),
        nameof(ConvSameStridedModel) => new ConvSameStridedModel(seed),
        nameof(ConvWideModel) => new ConvWideModel(seed),
        nameof(WinogradModel) => new WinogradModel(seed),
        nameof(Winograd4Model) => new Winograd4Model(seed),
        nameof(PoolingModel) => new PoolingModel(seed),
        nameof(ReluPoolingModel) => new ReluPoolingModel(seed),
        nameof(BatchNormalizationModel) => new BatchNormalizationModel(seed),
        nameof(DropoutModel) => new DropoutModel(seed),
        nameof(StandaloneLayersModel) => new StandaloneLayersModel(seed),
        nameof(WideDenseModel) => new WideDenseModel(seed),
        nameof(NormalizedDenseModel) => new NormalizedDenseModel(seed),
        nameof(DenseChainModel) => new DenseChainModel(seed),
        nameof(ConvRowsModel) => new ConvRowsModel(seed),
        nameof(PooledDenseChainModel) => new PooledDenseChainModel(seed),
        nameof(PooledRowsModel) => new PooledRowsModel(seed),
        nameof(ColumnQuadsModel) => new ColumnQuadsModel(seed),
        nameof(NarrowColumnQuadsModel) => new NarrowColumnQuadsModel(seed),
        nameof(BlockedColumnQuadsModel) => new BlockedColumnQuadsModel(seed),
        nameof(SparseInputDenseModel) => new SparseInputDenseModel(seed),
        nameof(LoopedPanelsDenseModel) => new LoopedPanelsDenseModel(seed),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void GradientsMatchFiniteDifferences(string model)
    {
        // Two samples at least: batch normalisation of a single flat sample has zero variance, so nothing flows back.
        foreach (int count in new[] { 2, 6 })
        {
            EngineComparison.AssertMatchesFiniteDifferences(Create(model, seed: 3), count, seed: 21 + count);
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void MatchesTheInterpretedEngine(string model)
    {
        // Batch sizes that leave every kind of tile tail.
        foreach (int count in new[] { 1, 3, 17, 40 })
        {
            EngineComparison.AssertMatchesInterpreted(Create(model, seed: 5), count, seed: count);
        }
    }

    [Theory]
    [InlineData(nameof(PoolingModel))]
    [InlineData(nameof(ReluPoolingModel))]
    public void MaxPoolingTiesSendTheGradientToTheFirstMaximum(string model)
    {
        // Blank regions make convolutions output their bias exactly, so pooling windows tie; both engines must route
        // each gradient to the first maximum in scan order.
        foreach (int count in new[] { 2, 9 })
        {
            Model generated = Create(model, seed: 4);
            Span<float> parameters = generated.Buffers.Parameters.Span;
            foreach (WeightInfo bias in generated.Description.Weights.Where(w => w.Variable == "bias"))
            {
                parameters.Slice(bias.Offset, bias.Length).Fill(0.1f);
            }

            EngineComparison.AssertMatchesInterpreted(generated, count, seed: count, blankColumns: generated.Description.InputShape.Width / 2);
        }
    }

    [Theory]
    [InlineData(nameof(BatchNormalizationModel))]
    [InlineData(nameof(DropoutModel))]
    [InlineData(nameof(PoolingModel))]
    [InlineData(nameof(ConvSameStridedModel))]
    [InlineData(nameof(WinogradModel))]
    [InlineData(nameof(Winograd4Model))]
    [InlineData(nameof(WideDenseModel))]
    [InlineData(nameof(NormalizedDenseModel))]
    [InlineData(nameof(DenseChainModel))]
    [InlineData(nameof(ConvRowsModel))]
    [InlineData(nameof(PooledDenseChainModel))]
    [InlineData(nameof(PooledRowsModel))]
    [InlineData(nameof(ColumnQuadsModel))]
    [InlineData(nameof(NarrowColumnQuadsModel))]
    [InlineData(nameof(BlockedColumnQuadsModel))]
    public void EveryThreadCountMatchesTheInterpretedEngineAndRepeatsItselfExactly(string model)
    {
        // Uneven chunks (13 samples over 2 and 3 threads); batch normalisation combines its statistics across them, and
        // the dense layers trained by rows share their input features out in uneven blocks.
        foreach (int threads in new[] { 1, 2, 3 })
        {
            Model generated = Create(model, seed: 6);
            generated.Engine.Threads = threads;
            EngineComparison.AssertMatchesInterpreted(generated, 13, seed: 13);

            (float[] images, int[] labels) = EngineComparison.Batch(generated.Description, 13, seed: 14);
            Model again = Create(model, seed: 6);
            again.Engine.Threads = threads;
            generated.Engine.ComputeGradients(generated.Buffers, images, labels, 13, 99);
            again.Engine.ComputeGradients(again.Buffers, images, labels, 13, 99);
            Assert.True(generated.Buffers.Gradients.Span.SequenceEqual(again.Buffers.Gradients.Span), $"{threads} threads: two runs differ");
        }
    }

    [Theory]
    [InlineData(nameof(WideDenseModel))]
    [InlineData(nameof(NormalizedDenseModel))]
    [InlineData(nameof(BatchNormalizationModel))]
    [InlineData(nameof(DenseChainModel))]
    [InlineData(nameof(PooledDenseChainModel))]
    public void ATrainingStepIsItsGradientsThenTheUpdate(string model)
    {
        // A step updates each range of the parameters on the thread that summed its gradients, or on the thread that
        // owns it (a layer trained by rows, updated before the others have finished): the same numbers as computing the
        // gradients and then updating the whole buffer.
        foreach (int threads in new[] { 1, 2, 3 })
        {
            Model stepped = Create(model, seed: 7);
            Model separate = Create(model, seed: 7);
            stepped.Engine.Threads = threads;
            separate.Engine.Threads = threads;
            (float[] images, int[] labels) = EngineComparison.Batch(stepped.Description, 13, seed: 15);
            var fused = new Adam();
            var apart = new Adam();
            for (ulong step = 1; step <= 3; step++)
            {
                stepped.Engine.TrainStep(stepped.Buffers, images, labels, 13, step, fused);
                separate.Engine.ComputeGradients(separate.Buffers, images, labels, 13, step);
                apart.Apply(separate.Buffers.Parameters.Span, separate.Buffers.Gradients.Span);
            }

            Assert.True(separate.Buffers.Gradients.Span.SequenceEqual(stepped.Buffers.Gradients.Span), $"{threads} threads: the step's gradients differ");
            Assert.True(separate.Buffers.Parameters.Span.SequenceEqual(stepped.Buffers.Parameters.Span), $"{threads} threads: the step's parameters differ");
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void SmallBatchesSplitLayerByLayerMatchTheInterpretedEngine(string model)
    {
        // Every layer cut into 2 or 3 parts (rows, values, input features), the threads meeting after each layer; the
        // counts cover a single image and the largest split batch.
        foreach (int threads in new[] { 2, 3 })
        {
            Model generated = Create(model, seed: 9);
            generated.Engine.Threads = threads;
            ((CompiledEngine)generated.Engine).SplitPolicy = SplitPolicy.Always;
            foreach (int count in new[] { 1, 4, CompiledEngine.SplitSamples })
            {
                EngineComparison.AssertMatchesInterpreted(generated, count, seed: 50 + count);
            }
        }
    }

    [Theory]
    [InlineData(nameof(ConvSameStridedModel))]
    [InlineData(nameof(WinogradModel))]
    [InlineData(nameof(Winograd4Model))]
    [InlineData(nameof(BatchNormalizationModel))]
    [InlineData(nameof(WideDenseModel))]
    public void SplitAndChunkedPredictionsAgree(string model)
    {
        Model split = Create(model, seed: 10);
        Model alone = Create(model, seed: 10);
        split.Engine.Threads = 2;
        ((CompiledEngine)split.Engine).SplitPolicy = SplitPolicy.Always;
        ((CompiledEngine)alone.Engine).SplitPolicy = SplitPolicy.Never;
        (float[] images, _) = EngineComparison.Batch(split.Description, CompiledEngine.SplitSamples, seed: 3);
        foreach (int count in new[] { 1, 2, CompiledEngine.SplitSamples, 1 })
        {
            var expected = new float[count * split.Description.Classes];
            var actual = new float[expected.Length];
            alone.Engine.Predict(alone.Buffers, images, count, expected);
            split.Engine.Predict(split.Buffers, images, count, actual);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6, $"{count} images, probability {i}: split {actual[i]}, one thread {expected[i]}");
            }
        }
    }

    [Fact]
    public void ALayerWhoseOneSampleProductLoopsOverPanelsMatchesTheInterpretedEngine()
    {
        // A batch of one takes the looped product in the forward pass of its training step, and its gradients flow
        // back from it; three samples take the tiles. With one engine thread and two.
        foreach (int threads in new[] { 1, 2 })
        {
            Model generated = Create(nameof(LoopedPanelsDenseModel), seed: 5);
            generated.Engine.Threads = threads;
            foreach (int count in new[] { 1, 3 })
            {
                EngineComparison.AssertMatchesInterpreted(generated, count, seed: count);
            }
        }
    }

    [Theory]
    [InlineData(1, false, nameof(SparseInputDenseModel))]
    [InlineData(2, true, nameof(SparseInputDenseModel))]
    [InlineData(3, true, nameof(SparseInputDenseModel))]
    [InlineData(1, false, nameof(LoopedPanelsDenseModel))]
    [InlineData(2, true, nameof(LoopedPanelsDenseModel))]
    public void OneSampleSkipsTheKernelRowsOfItsZeroInputsAndGivesTheTilesValues(int threads, bool split, string name)
    {
        // A Dense layer given one sample reads only the kernel rows of its nonzero inputs; given two it reads every row
        // in its tiles. Both add the rows in the same order, so an image alone gets the probabilities it gets beside
        // another, bit for bit, whatever zeros (0 and −0) it holds and wherever they fall in the chunks of 256.
        Model model = Create(name, seed: 4);
        model.Engine.Threads = threads;
        ((CompiledEngine)model.Engine).SplitPolicy = split ? SplitPolicy.Always : SplitPolicy.Never;
        int size = model.Description.InputShape.Size;
        (float[] images, _) = EngineComparison.Batch(model.Description, 2, seed: 9);
        for (int i = 0; i < size; i++)
        {
            images[i] = i % 3 == 0 || i is >= 250 and < 270 ? 0f : i % 7 == 0 ? -0f : images[i];
        }

        float[] Alone()
        {
            var probabilities = new float[model.Description.Classes];
            model.Engine.Predict(model.Buffers, images.AsSpan(0, size), 1, probabilities);
            return probabilities;
        }

        float[] Beside()
        {
            var probabilities = new float[2 * model.Description.Classes];
            model.Engine.Predict(model.Buffers, images, 2, probabilities);
            return probabilities[..model.Description.Classes];
        }

        float[] alone = Alone();
        Assert.Equal(Beside().Select(BitConverter.SingleToInt32Bits), alone.Select(BitConverter.SingleToInt32Bits));
        Assert.All(alone, p => Assert.True(float.IsFinite(p) && p > 0));

        // The row of a zero input is not read: an infinity there leaves the image alone as it was, while the tiles,
        // which multiply it by 0, make its probabilities NaN.
        WeightInfo first = model.Description.Weights.First(w => w.Variable == "kernel");
        int units = first.Shape[1];
        model.Buffers.Values(first)[(3 * units) + 5] = float.PositiveInfinity;
        Assert.Equal(alone, Alone());
        Assert.All(Beside(), p => Assert.True(float.IsNaN(p)));

        // A NaN is not zero: its row is read, and it reaches every unit.
        model.Buffers.Values(first)[(3 * units) + 5] = 0.25f;
        images[size - 1] = float.NaN;
        Assert.All(Alone(), p => Assert.True(float.IsNaN(p)));
    }

    [Theory]
    [InlineData(nameof(WinogradModel), 2)]
    [InlineData(nameof(Winograd4Model), 2)]
    [InlineData(nameof(Winograd4Model), 3)]
    public void ASplitPassSeesEveryChangeOfTheKernelsItKeepsTransformed(string model, int threads)
    {
        // A split pass keeps each Winograd layer's transformed kernel from one call to the next, every part checking
        // its share of the input channels against the weights: a change to any channel, made any way, must show in
        // the next prediction exactly as in the pass that transforms the kernel every call.
        Model split = Create(model, seed: 11);
        Model alone = Create(model, seed: 11);
        split.Engine.Threads = threads;
        ((CompiledEngine)split.Engine).SplitPolicy = SplitPolicy.Always;
        ((CompiledEngine)alone.Engine).SplitPolicy = SplitPolicy.Never;
        (float[] images, int[] labels) = EngineComparison.Batch(split.Description, 4, seed: 5);

        float[] Agreeing(string after)
        {
            var expected = new float[split.Description.Classes];
            var actual = new float[expected.Length];
            alone.Engine.Predict(alone.Buffers, images, 1, expected);
            split.Engine.Predict(split.Buffers, images, 1, actual);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6, $"after {after}, probability {i}: split {actual[i]}, one thread {expected[i]}");
            }

            return actual;
        }

        float[] Changed(string after, float[] before)
        {
            float[] now = Agreeing(after);
            Assert.False(now.SequenceEqual(before), $"{after} left the prediction as it was: the test changes nothing");
            return now;
        }

        float[] last = Agreeing("the first call");
        Assert.Equal(last, Agreeing("a second call"));
        foreach (WeightInfo kernel in split.Description.Weights.Where(w => w.Variable == "kernel" && w.Shape.Count == 4))
        {
            int channels = kernel.Shape[2];
            int filters = kernel.Shape[3];
            foreach (int channel in new[] { 0, channels - 1 })
            {
                // The centre tap of the first input channel (the first part's) or of the last (the last part's).
                int at = (((4 * channels) + channel) * filters) + filters - 1;
                split.Buffers.Values(kernel)[at] += 0.5f;
                alone.Buffers.Values(kernel)[at] += 0.5f;
                last = Changed($"a write to {kernel.Name} at input channel {channel}", last);
            }
        }

        split.Engine.TrainStep(split.Buffers, images, labels, 4, 1, new Adam(learningRate: 0.05));
        alone.SetWeights(split.GetWeights());
        last = Changed("a training step", last);
        float[][] other = Create(model, seed: 12).GetWeights();
        split.SetWeights(other);
        alone.SetWeights(other);
        Changed("SetWeights", last);
    }

    [Theory]
    [InlineData(nameof(ConvSameStridedModel))]
    [InlineData(nameof(ConvWideModel))]
    [InlineData(nameof(PoolingModel))]
    public void RepeatedStepsLeaveNothingBehindInTheWorkspace(string model)
    {
        // Padded copies and dilated gradients keep their zero borders from the allocation on: a kernel writing
        // where it should not would show on a later step.
        Model generated = Create(model, seed: 8);
        foreach (int count in new[] { 7, 7, 3, 7, 1, 7 })
        {
            EngineComparison.AssertMatchesInterpreted(generated, count, seed: 100 + count);
        }
    }

    [Fact]
    public void ASmallerBatchAfterALargerOneReusesTheWorkspace()
    {
        Model model = new BatchNormalizationModel(seed: 2);
        EngineComparison.AssertMatchesInterpreted(model, 29, seed: 1);
        EngineComparison.AssertMatchesInterpreted(model, 4, seed: 2);
        EngineComparison.AssertMatchesInterpreted(model, 29, seed: 3);
    }

    [Fact]
    public void ReportsTheInstructionSetItRuns()
    {
        // CI runs the gradient tests three times, forcing each path with DOTNET_EnableAVX512=0 / DOTNET_EnableAVX2=0;
        // it sets CONVGEN_EXPECT_ISA so a switch that silently stopped working fails here.
        string running = CompiledEngine.InstructionSet;
        Assert.Contains(running, new[] { "AVX-512", "AVX2", "Vector128" });
        Assert.Equal($"compiled ({running})", new ConvValidModel().Engine.Name);
        string? expected = Environment.GetEnvironmentVariable("CONVGEN_EXPECT_ISA");
        if (!string.IsNullOrEmpty(expected))
        {
            Assert.Equal(expected, running);
        }
    }
}
