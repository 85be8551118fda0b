using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using ConvGen.Export.Tests.Plots;
using ConvGen.Plots;
using SkiaSharp;

namespace ConvGen.Export.Tests.Report;

/// <summary>The HTML training report: one self-contained page with every part the issue lists, the figures beside it,
/// and the page as Chromium renders it.</summary>
public sealed partial class TrainingReportTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("convgen-report-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static (TrainingReport Report, Dataset Test) Trained()
    {
        Model model = TrainedModels.SeedNetworkModel("beating-conv-pool", seed: 2);
        model.Output = TextWriter.Null;
        Dataset train = SyntheticData.For(model.Description, 400, seed: 11);
        History history = model.Fit(train, epochs: 3, batchSize: 40, optimizer: new Adam(learningRate: 0.005), validationSplit: 0.25, verbose: 0);
        Dataset test = SyntheticData.For(model.Description, 300, seed: 12);
        var report = new TrainingReport(model, history, test)
        {
            Title = "beating-conv-pool <on synthetic digits>",
            TrainingSamples = 300,
            CommandLine = "convgen-train beating-conv-pool --epochs 3 --report runs/x",
            AugmentedSamples = new ImageAugmentation(rotationRange: 10, zoomRange: 0.1, shearRange: 0.1).Apply(train.Take(10), seed: 1),
            Date = new DateTimeOffset(2026, 1, 2, 3, 4, 0, TimeSpan.Zero),
        };
        report.Recipe["Optimizer"] = "Adam, learning rate 0.005";
        report.Recipe["Batch size"] = "40";
        return (report, test);
    }

    [Fact]
    public void ThePageIsSelfContainedAndHasEveryPart()
    {
        (TrainingReport report, Dataset test) = Trained();
        string page = report.Write(_directory);
        string html = File.ReadAllText(page);

        Assert.Equal(Path.Combine(_directory, TrainingReport.FileName), page);
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
        string[] sources = SourceAttribute().Matches(html).Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(7, sources.Length); // history, confusion matrix, four prediction views, augmented samples
        Assert.All(sources, s => Assert.StartsWith("data:image/png;base64,", s, StringComparison.Ordinal));

        // The title is encoded, the summary has the model's own test numbers, the recipe and timing are there.
        Assert.Contains("beating-conv-pool &lt;on synthetic digits&gt;", html, StringComparison.Ordinal);
        (float loss, float accuracy) = report.Model.Evaluate(test, batchSize: 256);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"{100 * accuracy:0.00} %"), html, StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"{loss:0.0000}"), html, StringComparison.Ordinal);
        foreach (string part in new[] { "Training history", "Recipe", "Adam, learning rate 0.005", "Timing", "samples/s", "Test set", "Predictions on the test set", "Augmentation", "Model: &quot;BeatingConvPool&quot;", "convgen-train beating-conv-pool" })
        {
            Assert.Contains(part, html, StringComparison.Ordinal);
        }

        Assert.Equal(3, TimingRow().Matches(html).Count);
        foreach (string name in new[] { "history", "confusion-matrix", "random-correct", "random-wrong", "most-confident-correct", "most-confident-wrong", "augmented" })
        {
            using SKBitmap png = FigureTests.Decode(File.ReadAllBytes(Path.Combine(_directory, name + ".png")));
            Assert.True(png.Width > 200 && png.Height > 50, name);
            Assert.Equal("svg", XDocument.Load(Path.Combine(_directory, name + ".svg")).Root!.Name.LocalName);
        }
    }

    [Fact]
    public void WithoutARecipeTheReportSaysWhatTheModelKnows()
    {
        Model model = TrainedModels.SeedNetworkModel("mnist-mlp", seed: 1);
        History history = TrainedModels.HistoryOf(model, epochs: 2, validation: false);
        string html = new TrainingReport(model, history, SyntheticData.For(model.Description, 50, seed: 3)).ToHtml();
        Assert.Contains("Adam, learning rate 0.01 at the end", html, StringComparison.Ordinal);
        Assert.Contains("<th>Epochs</th><td>2</td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("val_loss", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Augmentation", html, StringComparison.Ordinal);
    }

    [ChromiumFact]
    public void ChromiumRendersThePageWithItsFigures()
    {
        (TrainingReport report, _) = Trained();
        string page = report.Write(_directory);
        string screenshot = Chromium.Screenshot(page, 1200, 4000);

        // The browser decoded the inlined PNGs: the history's blue and the wrong predictions' red are on the page,
        // which is laid out down most of the window (and not blank below the header).
        using SKBitmap shot = FigureTests.Decode(File.ReadAllBytes(screenshot));
        Assert.Equal((1200, 4000), (shot.Width, shot.Height));
        Assert.True(FigureTests.Count(shot, new SKColor(0x1F, 0x77, 0xB4)) > 500, "the history is not on the page");
        Assert.True(FigureTests.Count(shot, new SKColor(0xC6, 0x28, 0x28), tolerance: 40) > 200, "the wrong predictions are not on the page");
        int lowestInk = Enumerable.Range(0, shot.Height).Last(y => Enumerable.Range(0, shot.Width).Any(x => shot.GetPixel(x, y).Red < 100));
        Assert.True(lowestInk > 2500, $"the page ends at {lowestInk} px: figures are missing");
    }

    [GeneratedRegex("<img src=\"([^\"]*)\"")]
    private static partial Regex SourceAttribute();

    [GeneratedRegex("<tr><td>\\d+</td><td>")]
    private static partial Regex TimingRow();
}
