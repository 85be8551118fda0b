using ConvGen.Tests.Data;
using ConvGen.Tests.Generated;
using ConvGen.Tests.Training;

namespace ConvGen.Tests.Ensembles;

/// <summary>Ensembles average their members' probabilities; pseudo-labels are the most probable classes.</summary>
public class EnsembleTests
{
    [Fact]
    public void PredictionsAreTheMeanOfTheMembersProbabilities()
    {
        Dataset data = Augmentation.ImageAugmentationTests.RandomImages(37, 6, 5, 2, seed: 4);
        Model a = new NormalizedDenseModel(1), b = new NormalizedDenseModel(2), c = new NormalizedDenseModel(3);
        var ensemble = new Ensemble(a, b, c);
        float[][] mean = ensemble.Predict(data, batchSize: 10);
        float[][] pa = a.Predict(data), pb = b.Predict(data), pc = c.Predict(data);
        for (int i = 0; i < data.Count; i++)
        {
            for (int k = 0; k < 4; k++)
            {
                Assert.Equal((pa[i][k] + pb[i][k] + pc[i][k]) / 3, mean[i][k], 6);
            }

            Assert.Equal(mean[i], ensemble.Predict(data.ImageSpan(i)), new ToleranceComparer(1e-6f));
        }

        int[] classes = ensemble.PredictClasses(data);
        Assert.Equal(Dataset.FromCategorical(mean), classes);
        (float loss, float accuracy) = ensemble.Evaluate(data);
        double expectedLoss = Enumerable.Range(0, data.Count).Average(i => -Math.Log(Math.Clamp(mean[i][data.Label(i)], 1e-7, 1 - 1e-7)));
        Assert.Equal(expectedLoss, loss, 5);
        Assert.Equal(classes.Where((k, i) => k == data.Label(i)).Count() / (float)data.Count, accuracy);
    }

    [Fact]
    public void AnEnsembleOfOneIsItsMember()
    {
        Dataset data = Augmentation.ImageAugmentationTests.RandomImages(20, 6, 5, 2, seed: 5);
        var member = new NormalizedDenseModel(4);
        var ensemble = new Ensemble(member);
        Assert.Equal(member.Predict(data, 7), ensemble.Predict(data, 7));
        (float loss, float accuracy) = member.Evaluate(data);
        Assert.Equal(loss, ensemble.Evaluate(data).Loss, 5);
        Assert.Equal(accuracy, ensemble.Evaluate(data).Accuracy);
    }

    [Fact]
    public void MembersMayBeDifferentClassesWithTheSameInputAndClasses()
    {
        var ensemble = new Ensemble(new DropoutModel(1), new TestModel(new SoftmaxEngine(SoftmaxEngine.Describe(features: 20, classes: 4))));
        Assert.Equal(2, ensemble.Members.Count);
        string message = Assert.Throws<ArgumentException>(() => new Ensemble(new DropoutModel(1), new NormalizedDenseModel(1))).Message;
        Assert.Contains("Member 1 ('NormalizedDenseModel')", message);
        Assert.Throws<ArgumentException>(() => new Ensemble());
    }

    [Fact]
    public void MembersLoadFromTheirWeightFiles()
    {
        using var directory = new TempDirectory();
        Dataset data = Augmentation.ImageAugmentationTests.RandomImages(12, 6, 5, 2, seed: 6);
        string[] paths = [directory.File("m0.cgw"), directory.File("m1.cgw")];
        Model[] trained = [new NormalizedDenseModel(10), new NormalizedDenseModel(11)];
        for (int i = 0; i < 2; i++)
        {
            trained[i].Save(paths[i]);
        }

        Ensemble loaded = Ensemble.Load(_ => new NormalizedDenseModel(0), paths);
        Assert.Equal(new Ensemble(trained).Predict(data), loaded.Predict(data));
    }

    [Fact]
    public void PseudoLabelsAreTheMostProbableClassesAndConfidenceKeepsTheSureOnes()
    {
        Dataset data = Augmentation.ImageAugmentationTests.RandomImages(50, 6, 5, 2, seed: 7);
        var model = new NormalizedDenseModel(8);
        float[][] probabilities = model.Predict(data);
        Dataset all = model.PseudoLabel(data);
        Assert.Equal(Dataset.FromCategorical(probabilities), all.Labels.ToArray());
        Assert.Equal(data.Images.ToArray(), all.Images.ToArray());

        float threshold = probabilities.Select(p => p.Max()).Order().ElementAt(25);
        Dataset sure = model.PseudoLabel(data, minConfidence: threshold);
        int[] kept = Enumerable.Range(0, data.Count).Where(i => probabilities[i].Max() >= threshold).ToArray();
        Assert.Equal(kept.Length, sure.Count);
        Assert.Equal(kept.Select(i => Array.IndexOf(probabilities[i], probabilities[i].Max())), sure.Labels.ToArray());
        Assert.Equal(new Ensemble(model).PseudoLabel(data, threshold).Labels.ToArray(), sure.Labels.ToArray());
        Assert.Equal("minConfidence", Assert.Throws<ArgumentOutOfRangeException>(() => model.PseudoLabel(data, 1.5f)).ParamName);
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
