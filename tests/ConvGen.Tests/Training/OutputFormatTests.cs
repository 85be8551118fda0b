using System.Text.RegularExpressions;

namespace ConvGen.Tests.Training;

/// <summary>What Fit and Evaluate print, as Keras does: exact apart from the timings.</summary>
public class OutputFormatTests
{
    // Four training samples whose per-sample loss (the scripted engine's second feature) is 0.0653; three labelled 1,
    // which the scripted engine counts as correct: accuracy 0.75.
    private static Dataset Training(float loss = 0.0653f, int count = 4)
    {
        var images = new float[count * 2];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            images[2 * i] = i;
            images[(2 * i) + 1] = loss;
            labels[i] = i % 4 == 0 ? 0 : 1;
        }

        // The scripted engine reports the second feature as each sample's loss: a NaN loss is a NaN value here.
        return new Dataset(images, labels, 2, allowNonFinite: true);
    }

    private static (TestModel Model, StringWriter Output) Scripted(params (double Loss, double Accuracy)[] evaluations)
    {
        var output = new StringWriter();
        return (new TestModel(new ScriptedEngine(SoftmaxEngine.Describe(), evaluations)) { Output = output }, output);
    }

    [Fact]
    public void Verbose2PrintsOneKerasLinePerEpoch()
    {
        var (model, output) = Scripted((0.0545, 0.5), (0.0544, 1.0));
        model.Fit(Training(), epochs: 2, batchSize: 4, optimizer: new Sgd(0.001), validationData: TestData.Indexed(2), verbose: 2);

        string[] lines = FitTests.Lines(output);
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^Epoch 1/2 - \d+s - loss: 0\.0653 - accuracy: 0\.7500 - val_loss: 0\.0545 - val_accuracy: 0\.5000$", lines[0]);
        Assert.Matches(@"^Epoch 2/2 - \d+s - loss: 0\.0653 - accuracy: 0\.7500 - val_loss: 0\.0544 - val_accuracy: 1\.0000$", lines[1]);
    }

    [Fact]
    public void Verbose2WithoutValidationOmitsTheValidationMetrics()
    {
        var (model, output) = Scripted();
        model.Fit(Training(), epochs: 1, batchSize: 4, optimizer: new Sgd(0.001), verbose: 2);
        Assert.Matches(@"^Epoch 1/1 - \d+s - loss: 0\.0653 - accuracy: 0\.7500$", Assert.Single(FitTests.Lines(output)));
    }

    [Theory]
    // Keras' Progbar: '%.4f' when abs(value) > 1e-3, '%.4e' (two-digit exponent) otherwise.
    [InlineData(0.0005f, "5.0000e-04")]
    [InlineData(0f, "0.0000e+00")]
    [InlineData(0.00099f, "9.9000e-04")]
    [InlineData(0.0012f, "0.0012")]
    [InlineData(1234.5f, "1234.5000")]
    [InlineData(2.5f, "2.5000")]
    public void MetricsAreFormattedAsKerasProgbarFormatsThem(float loss, string printed)
    {
        var (model, output) = Scripted();
        model.Fit(Training(loss), epochs: 1, batchSize: 4, optimizer: new Sgd(0.001), verbose: 2);
        Assert.Matches($@"^Epoch 1/1 - \d+s - loss: {Regex.Escape(printed)} - accuracy: 0\.7500$", Assert.Single(FitTests.Lines(output)));
    }

    [Fact]
    public void NotANumberIsPrintedAsPythonPrintsIt()
    {
        var (model, output) = Scripted();
        model.Fit(Training(float.NaN), epochs: 1, batchSize: 4, optimizer: new Sgd(0.001), verbose: 2);
        Assert.Matches(@"^Epoch 1/1 - \d+s - loss: nan - accuracy: 0\.7500$", Assert.Single(FitTests.Lines(output)));
    }

    [Fact]
    public void Verbose1OnAWriterPrintsTheEpochThenOneFinalProgressLine()
    {
        var (model, output) = Scripted((0.0545, 0.5), (0.0544, 1.0));
        model.Fit(Training(count: 24), epochs: 2, batchSize: 2, optimizer: new Sgd(0.001), validationData: TestData.Indexed(2), verbose: 1);

        string[] lines = FitTests.Lines(output);
        Assert.Equal(4, lines.Length);
        Assert.Equal("Epoch 1/2", lines[0]);
        Assert.Matches(@"^12/12 \[==============================\] - \d+s \d+(s|ms|us)/step - loss: 0\.0653 - accuracy: 0\.7500 - val_loss: 0\.0545 - val_accuracy: 0\.5000$", lines[1]);
        Assert.Equal("Epoch 2/2", lines[2]);
        Assert.Matches(@"^12/12 \[==============================\] - \d+s \d+(s|ms|us)/step - loss: 0\.0653 - accuracy: 0\.7500 - val_loss: 0\.0544 - val_accuracy: 1\.0000$", lines[3]);
        Assert.DoesNotContain('\r', output.ToString().Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void Verbose0PrintsNothing()
    {
        var (model, output) = Scripted((0.1, 0.5), (0.1, 0.5));
        model.Fit(Training(), epochs: 1, batchSize: 4, optimizer: new Sgd(0.001), validationData: TestData.Indexed(2), verbose: 0);
        model.Evaluate(TestData.Indexed(2), verbose: 0);
        Assert.Equal("", output.ToString());
    }

    [Fact]
    public void EvaluateVerbose1PrintsOneProgressLine()
    {
        // Two batches: mean loss (0.05·2 + 0.06·2) / 4 = 0.055, accuracy (1 + 2) / 4 = 0.75.
        var (model, output) = Scripted((0.05, 0.5), (0.06, 1.0));
        (float loss, float accuracy) = model.Evaluate(TestData.Indexed(4), batchSize: 2, verbose: 1);

        Assert.Equal(0.055f, loss, 6);
        Assert.Equal(0.75f, accuracy);
        Assert.Matches(@"^2/2 \[==============================\] - \d+s \d+(s|ms|us)/step - loss: 0\.0550 - accuracy: 0\.7500$", Assert.Single(FitTests.Lines(output)));
    }

    [Fact]
    public void EvaluateVerbose2PrintsTheShortLine()
    {
        var (model, output) = Scripted((0.05, 0.5), (0.06, 1.0));
        model.Evaluate(TestData.Indexed(4), batchSize: 2, verbose: 2);
        Assert.Matches(@"^2/2 - \d+s - loss: 0\.0550 - accuracy: 0\.7500$", Assert.Single(FitTests.Lines(output)));
    }

    [Fact]
    public void EvaluateRejectsBadArguments()
    {
        var (model, _) = Scripted();
        Assert.Equal("verbose", Assert.ThrowsAny<ArgumentException>(() => model.Evaluate(TestData.Indexed(4), verbose: 3)).ParamName);
        Assert.Equal("batchSize", Assert.ThrowsAny<ArgumentException>(() => model.Evaluate(TestData.Indexed(4), batchSize: 0)).ParamName);
        ArgumentException empty = Assert.ThrowsAny<ArgumentException>(() => model.Evaluate(TestData.Indexed(0)));
        Assert.Equal("data", empty.ParamName);
        Assert.Contains("no samples", empty.Message);
    }
}
