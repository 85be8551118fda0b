using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using ConvGen.Persistence;

namespace ConvGen.Plots;

/// <summary>
/// A self-contained HTML page on one training run: the model's summary, the recipe, test accuracy and loss, the
/// training history, timing (seconds per epoch, samples per second), the confusion matrix and the digit grids of
/// "Beating MNIST" (and augmented samples when given). Every figure is inlined as a PNG data URI, so the page is one
/// file to open or send; <see cref="Write(string)"/> also saves each figure as PNG and SVG beside it.
/// <code>
/// var report = new TrainingReport(model, history, test)
/// {
///     TrainingSamples = 54_000,
///     Recipe = { ["Optimizer"] = "Adam, learning rate 0.001", ["Batch size"] = "128" },
/// };
/// string page = report.Write("runs/mnist-cnn");   // runs/mnist-cnn/report.html
/// </code>
/// </summary>
public sealed class TrainingReport
{
    /// <summary>The name of the page <see cref="Write(string)"/> writes.</summary>
    public const string FileName = "report.html";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>A report on <paramref name="model"/>, trained as <paramref name="history"/> records, tested on
    /// <paramref name="test"/> (labelled).</summary>
    public TrainingReport(Model model, History history, Dataset test)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        History = history ?? throw new ArgumentNullException(nameof(history));
        Test = test ?? throw new ArgumentNullException(nameof(test));
        if (test.Count == 0)
        {
            throw new ArgumentException("The test set has no samples to report on.", nameof(test));
        }

        Title = model.Name;
    }

    /// <summary>The trained model.</summary>
    public Model Model { get; }

    /// <summary>What <see cref="ConvGen.Model.Fit"/> returned.</summary>
    public History History { get; }

    /// <summary>The labelled test set the report evaluates the model on.</summary>
    public Dataset Test { get; }

    /// <summary>The page's heading (the model's name by default).</summary>
    public string Title { get; set; }

    /// <summary>How the model was trained, in the order given (optimizer, batch size, validation, augmentation,
    /// seed, …). When empty, the report lists what the model and history know: the optimizer and the epochs.</summary>
    public OrderedDictionary<string, string> Recipe { get; } = [];

    /// <summary>Samples per training epoch (after any validation split), for the samples-per-second figures.</summary>
    public int? TrainingSamples { get; set; }

    /// <summary>The command that trained the model, shown as given.</summary>
    public string? CommandLine { get; set; }

    /// <summary>Samples to show as they looked in training, e.g. <c>augmentation.Apply(train.Take(20), seed: 1)</c>.</summary>
    public Dataset? AugmentedSamples { get; set; }

    /// <summary>The seed of the randomly chosen digits.</summary>
    public int Seed { get; set; }

    /// <summary>How many correct and how many wrong digits are drawn at random.</summary>
    public int RandomDigits { get; set; } = 20;

    /// <summary>How many digits per class the most-confident views show.</summary>
    public int DigitsPerClass { get; set; } = 8;

    /// <summary>When the report is dated (now by default).</summary>
    public DateTimeOffset Date { get; set; } = DateTimeOffset.Now;

    /// <summary>Evaluates the model and writes <see cref="FileName"/> into <paramref name="directory"/> (created if
    /// missing), with every figure beside it as PNG and SVG; returns the page's full path. Each file is written
    /// through a temporary file, so an existing report is never half-replaced.</summary>
    public string Write(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Content content = Build();
        foreach (RenderedFigure figure in content.Figures)
        {
            AtomicFile.Write(Path.Combine(directory, figure.Name + ".png"), "the figure", stream => stream.Write(figure.Png));
            figure.Figure.SaveSvg(Path.Combine(directory, figure.Name + ".svg"));
        }

        string page = Path.GetFullPath(Path.Combine(directory, FileName));
        byte[] html = Encoding.UTF8.GetBytes(content.Html);
        AtomicFile.Write(page, "the report", stream => stream.Write(html));
        return page;
    }

    /// <summary>Evaluates the model and returns the page.</summary>
    public string ToHtml() => Build().Html;

    /// <summary>Writes a report with the defaults; see <see cref="Write(string)"/>.</summary>
    public static string Write(string directory, Model model, History history, Dataset test) =>
        new TrainingReport(model, history, test).Write(directory);

    private sealed record Content(string Html, IReadOnlyList<RenderedFigure> Figures);

    private Content Build()
    {
        (float testLoss, float testAccuracy) = Model.Evaluate(Test, batchSize: 256);
        long start = Stopwatch.GetTimestamp();
        Predictions predictions = Predictions.Of(Model, Test);
        double inferenceSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

        RenderedFigure? history = History.Count == 0 ? null : new("history", "Loss and accuracy per epoch", Figures.History(History));
        var confusion = new RenderedFigure("confusion-matrix", "Confusion matrix on the test set", Figures.ConfusionMatrix(predictions.ConfusionMatrix()));
        RenderedFigure[] digits =
        [
            new("random-correct", "Correct predictions at random", Figures.RandomCorrect(predictions, RandomDigits, Seed)),
            new("random-wrong", "Wrong predictions at random", Figures.RandomWrong(predictions, RandomDigits, Seed)),
            new("most-confident-correct", "Most confident correct predictions per class", Figures.MostConfidentCorrect(predictions, DigitsPerClass)),
            new("most-confident-wrong", "Most confident wrong predictions per true class", Figures.MostConfidentWrong(predictions, DigitsPerClass)),
        ];
        RenderedFigure? augmented = AugmentedSamples is null ? null : new("augmented", "Augmented training samples", Figures.Digits(AugmentedSamples, heading: "Augmented training samples"));

        var html = new HtmlPage(Title);
        WriteSummary(html, testLoss, testAccuracy, inferenceSeconds);
        html.Section("Training history", history is null ? "<p class=\"muted\">No epochs were trained.</p>" : HtmlPage.Image(history));
        html.Section("Recipe", RecipeTable());
        html.Section("Timing", "<div class=\"scroll\">" + TimingTable() + "</div>");
        html.Section("Test set", HtmlPage.Image(confusion));
        html.Section("Predictions on the test set", string.Concat(digits.Select(HtmlPage.Image)));
        if (augmented is not null)
        {
            html.Section("Augmentation", HtmlPage.Image(augmented));
        }

        html.Section("Model", $"<pre>{Encode(Model.Summary())}</pre>");
        html.Footer(Machine());
        RenderedFigure?[] figures = [history, confusion, .. digits, augmented];
        return new Content(html.ToString(), figures.OfType<RenderedFigure>().ToArray());
    }

    private void WriteSummary(HtmlPage html, float testLoss, float testAccuracy, double inferenceSeconds)
    {
        double trainingSeconds = History.EpochSeconds.Sum();
        var cards = new List<(string Label, string Value, string Detail)>
        {
            ("Test accuracy", string.Create(Invariant, $"{100 * testAccuracy:0.00} %"), string.Create(Invariant, $"{Test.Count:N0} test samples")),
            ("Test loss", string.Create(Invariant, $"{testLoss:0.0000}"), "cross-entropy"),
            ("Training", History.Count == 0 ? "none" : Seconds(trainingSeconds), string.Create(Invariant, $"{History.Count} epoch{(History.Count == 1 ? "" : "s")}, {Seconds(History.Count == 0 ? 0 : trainingSeconds / History.Count)} each")),
        };
        if (TrainingSamples is int samples && trainingSeconds > 0)
        {
            cards.Add(("Training speed", string.Create(Invariant, $"{samples * History.Count / trainingSeconds:N0}"), "samples/s, validation included"));
        }

        cards.Add(("Inference speed", string.Create(Invariant, $"{Test.Count / Math.Max(inferenceSeconds, 1e-9):N0}"), string.Create(Invariant, $"samples/s ({Test.Count:N0} in {Seconds(inferenceSeconds)})")));
        string subtitle = string.Create(Invariant, $"{Model.Name} · {Model.CountParams():N0} parameters · {Model.Engine.Name} engine · reported {Date:yyyy-MM-dd HH:mm}");
        html.Summary(subtitle, cards, CommandLine);
    }

    private string RecipeTable()
    {
        IEnumerable<KeyValuePair<string, string>> rows = Recipe.Count > 0 ? Recipe : DefaultRecipe();
        return "<table class=\"recipe\">" + string.Concat(rows.Select(r => $"<tr><th>{Encode(r.Key)}</th><td>{Encode(r.Value)}</td></tr>")) + "</table>";
    }

    private IEnumerable<KeyValuePair<string, string>> DefaultRecipe()
    {
        if (Model.Optimizer is Optimizer optimizer)
        {
            yield return new("Optimizer", string.Create(Invariant, $"{optimizer.GetType().Name}, learning rate {optimizer.LearningRate:G4} at the end"));
        }

        yield return new("Epochs", History.Count.ToString(Invariant));
        yield return new("Seed", Model.Seed.ToString(Invariant));
    }

    private string TimingTable()
    {
        if (History.Count == 0)
        {
            return "<p class=\"muted\">No epochs were trained.</p>";
        }

        bool validation = History.ValLoss.Count == History.Count;
        var table = new StringBuilder("<table class=\"numbers\"><tr><th>Epoch</th><th>loss</th><th>accuracy</th>");
        table.Append(validation ? "<th>val_loss</th><th>val_accuracy</th>" : "");
        table.Append("<th>learning rate</th><th>seconds</th>");
        table.Append(TrainingSamples is null ? "" : "<th>samples/s</th>");
        table.Append("</tr>");
        for (int e = 0; e < History.Count; e++)
        {
            table.Append(Invariant, $"<tr><td>{e + 1}</td><td>{History.Loss[e]:0.0000}</td><td>{History.Accuracy[e]:0.0000}</td>");
            if (validation)
            {
                table.Append(Invariant, $"<td>{History.ValLoss[e]:0.0000}</td><td>{History.ValAccuracy[e]:0.0000}</td>");
            }

            table.Append(Invariant, $"<td>{History.LearningRate[e]:G4}</td><td>{History.EpochSeconds[e]:0.00}</td>");
            if (TrainingSamples is int samples)
            {
                table.Append(Invariant, $"<td>{samples / Math.Max(History.EpochSeconds[e], 1e-9):N0}</td>");
            }

            table.Append("</tr>");
        }

        return table.Append("</table>").ToString();
    }

    private static string Machine()
    {
        string isa = Vector512.IsHardwareAccelerated ? "AVX-512" : Vector256.IsHardwareAccelerated ? "AVX2" : "Vector128";
        return string.Create(Invariant, $"ConvGen {Producer.Version} · {RuntimeInformation.FrameworkDescription} · {RuntimeInformation.OSDescription} · {RuntimeInformation.ProcessArchitecture}, {Environment.ProcessorCount} cores, {isa}");
    }

    private static string Seconds(double seconds) =>
        seconds >= 100 ? string.Create(Invariant, $"{seconds:0} s") : seconds >= 1 ? string.Create(Invariant, $"{seconds:0.0} s") : string.Create(Invariant, $"{seconds * 1000:0} ms");

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
