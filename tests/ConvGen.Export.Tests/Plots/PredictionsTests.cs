using ConvGen.Plots;

namespace ConvGen.Export.Tests.Plots;

/// <summary>The samples the "Beating MNIST" views select, and the confusion matrix, on probabilities made by hand.</summary>
public class PredictionsTests
{
    // Six samples of classes 0..2: predictions 0 (0.9), 1 (0.6) wrong, 1 (0.8), 2 (0.5) wrong, 2 (0.7), 0 (0.95) wrong.
    private static Predictions Handmade()
    {
        int[] labels = [0, 0, 1, 1, 2, 2];
        float[][] probabilities =
        [
            [0.9f, 0.05f, 0.05f],
            [0.3f, 0.6f, 0.1f],
            [0.1f, 0.8f, 0.1f],
            [0.2f, 0.3f, 0.5f],
            [0.2f, 0.1f, 0.7f],
            [0.95f, 0.03f, 0.02f],
        ];
        return new Predictions(new Dataset(new float[6 * 4], labels, 2, 2, 1), probabilities);
    }

    [Fact]
    public void TheConfusionMatrixCountsTrueAgainstPredicted()
    {
        ConfusionMatrix matrix = Handmade().ConfusionMatrix();
        Assert.Equal(3, matrix.Classes);
        Assert.Equal(6, matrix.Total);
        int[,] expected = { { 1, 1, 0 }, { 0, 1, 1 }, { 1, 0, 1 } };
        for (int t = 0; t < 3; t++)
        {
            for (int p = 0; p < 3; p++)
            {
                Assert.Equal(expected[t, p], matrix[t, p]);
            }
        }

        Assert.Equal(3, matrix.Correct);
        Assert.Equal(0.5, matrix.Accuracy);
        Assert.Equal(2, matrix.RowTotal(1));
    }

    [Fact]
    public void RandomSelectionsHoldOnlyTheirKindAndRepeatWithTheSeed()
    {
        Predictions predictions = Handmade();
        Assert.Equal([0, 2, 4], predictions.RandomCorrect(10, seed: 3).Order());
        Assert.Equal([1, 3, 5], predictions.RandomWrong(10, seed: 3).Order());
        Assert.Equal(predictions.RandomWrong(2, seed: 8), predictions.RandomWrong(2, seed: 8));
        Assert.Equal(2, predictions.RandomWrong(2, seed: 8).Length);
        Assert.Equal(0.5, predictions.Accuracy);
    }

    [Fact]
    public void MostConfidentSelectionsArePerTrueClassAndOrderedByTheChosenClassProbability()
    {
        Predictions predictions = Handmade();
        Assert.Equal([0], predictions.MostConfidentCorrect(0, 5));
        Assert.Equal([4], predictions.MostConfidentCorrect(2, 5));
        Assert.Equal([5], predictions.MostConfidentWrong(2, 5));
        Assert.Equal([1], predictions.MostConfidentWrong(0, 5));
        Assert.Equal(0.95f, predictions.Confidence(5));

        // Ties and order: two wrong samples of one class, the surer first.
        var data = new Dataset(new float[3 * 4], [1, 1, 1], 2, 2, 1);
        var wrong = new Predictions(data, [[0.7f, 0.2f, 0.1f], [0.1f, 0.1f, 0.8f], [0.2f, 0.7f, 0.1f]]);
        Assert.Equal([1, 0], wrong.MostConfidentWrong(1, 5));
        Assert.Equal([1], wrong.MostConfidentWrong(1, 1));
    }

    [Fact]
    public void MismatchedInputsAreRefused()
    {
        var data = new Dataset(new float[2 * 4], [0, 1], 2, 2, 1);
        Assert.Throws<ArgumentException>(() => new Predictions(data, [[1f, 0f]]));
        Assert.Throws<ArgumentException>(() => new ConfusionMatrix([0, 1], [0], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConfusionMatrix([0, 2], [0, 1], 2));
    }
}
