using ConvGen.Layers;

namespace ConvGen.Tests.Interpreted;

/// <summary><see cref="Model.Fit"/> driving the interpreted engine: it learns, and it is reproducible.</summary>
public class InterpretedTrainingTests
{
    private const int Size = 6;

    [Fact]
    public void FitWithAdamLearnsASeparableDataset()
    {
        Dataset data = Bars(count: 96, seed: 1);
        InterpretedModel model = NewModel(seed: 7);
        (float lossBefore, float accuracyBefore) = model.Evaluate(data);

        History history = model.Fit(data, epochs: 12, batchSize: 16, optimizer: new Adam(0.01), verbose: 0);

        (float lossAfter, float accuracyAfter) = model.Evaluate(data);
        Assert.Equal(12, history.Count);
        Assert.True(history.Loss[^1] < history.Loss[0] / 3, $"training loss went from {history.Loss[0]} to {history.Loss[^1]}");
        Assert.True(lossAfter < lossBefore / 3, $"evaluation loss went from {lossBefore} to {lossAfter}");
        Assert.True(accuracyAfter >= 0.95f, $"accuracy went from {accuracyBefore} to {accuracyAfter}");
        Assert.True(model.Evaluate(Bars(count: 64, seed: 2)).Accuracy >= 0.9f, "the model does not generalise to fresh bars");
    }

    [Fact]
    public void FitIsDeterministicForAFixedSeed()
    {
        Dataset data = Bars(count: 48, seed: 3);
        InterpretedModel first = NewModel(seed: 5);
        InterpretedModel second = NewModel(seed: 5);
        InterpretedModel other = NewModel(seed: 6);

        History firstHistory = first.Fit(data, epochs: 3, batchSize: 8, optimizer: new Adam(0.01), verbose: 0);
        History secondHistory = second.Fit(data, epochs: 3, batchSize: 8, optimizer: new Adam(0.01), verbose: 0);
        other.Fit(data, epochs: 3, batchSize: 8, optimizer: new Adam(0.01), verbose: 0);

        Assert.Equal(firstHistory.Loss, secondHistory.Loss);
        Assert.Equal(first.GetWeights(), second.GetWeights());
        Assert.NotEqual(first.GetWeights(), other.GetWeights());
    }

    // Conv, batch normalisation, pooling, dropout and dense: the training-mode paths all take part.
    private static InterpretedModel NewModel(int seed) => new(
        new ModelDescription(
            "bars",
            Shape.Image(Size, Size, 1),
            [
                new Conv2DLayer(4, 3, 3, padding: Padding.Same, useBias: false),
                new BatchNormalizationLayer(momentum: 0.9), // moving statistics that settle within the short run
                new ActivationLayer(Activation.Relu),
                new MaxPooling2DLayer(2, 2),
                new FlattenLayer(),
                new DropoutLayer(0.25),
                new DenseLayer(2, Activation.Softmax),
            ]),
        seed)
    {
        Output = TextWriter.Null,
    };

    // Class 0: a bright vertical bar in a random column; class 1: a horizontal bar in a random row; faint noise.
    private static Dataset Bars(int count, int seed)
    {
        var random = new Random(seed);
        var images = new float[count * Size * Size];
        var labels = new int[count];
        for (int n = 0; n < count; n++)
        {
            labels[n] = n % 2;
            int line = random.Next(Size);
            Span<float> image = images.AsSpan(n * Size * Size, Size * Size);
            for (int y = 0; y < Size; y++)
            {
                for (int x = 0; x < Size; x++)
                {
                    bool onBar = labels[n] == 0 ? x == line : y == line;
                    image[(y * Size) + x] = (onBar ? 1f : 0f) + (0.2f * random.NextSingle());
                }
            }
        }

        return new Dataset(images, labels, Size, Size, 1);
    }
}
