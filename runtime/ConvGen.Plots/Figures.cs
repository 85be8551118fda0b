using System.Globalization;
using ScottPlot;
using SkiaSharp;

namespace ConvGen.Plots;

/// <summary>
/// The figures the course notebooks draw, for ConvGen's results: the training history, a confusion matrix, and
/// grids of digits with titles ("Beating MNIST"'s four views, or any samples, e.g. augmented ones). Each returns a
/// <see cref="Figure"/> to save as PNG or SVG; docs/plots.md shows them.
/// </summary>
public static class Figures
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>
    /// Loss and accuracy per epoch, training beside validation (the notebooks' <c>plt.plot(history.history['loss'])</c>
    /// … <c>plt.legend(['train', 'val'])</c>), in two panels side by side. Validation lines appear when the history has them.
    /// </summary>
    public static Figure History(History history, string? heading = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (history.Count == 0)
        {
            throw new ArgumentException("The history has no epochs to plot.", nameof(history));
        }

        const int PanelWidth = 520, PanelHeight = 380;
        float top = heading is null ? 0 : 36;
        Plot loss = HistoryPanel("Loss", "Loss (cross-entropy)", history.Loss, history.ValLoss, percent: false);
        Plot accuracy = HistoryPanel("Accuracy", "Accuracy (%)", history.Accuracy, history.ValAccuracy, percent: true);
        return new Figure(2 * PanelWidth, (int)top + PanelHeight, canvas =>
        {
            DrawHeading(canvas, heading);
            RenderPanel(canvas, loss, SKRect.Create(0, top, PanelWidth, PanelHeight));
            RenderPanel(canvas, accuracy, SKRect.Create(PanelWidth, top, PanelWidth, PanelHeight));
        });
    }

    private static Plot HistoryPanel(string title, string axis, IReadOnlyList<float> training, IReadOnlyList<float> validation, bool percent)
    {
        var plot = new Plot();
        Style.Apply(plot);
        double scale = percent ? 100 : 1;
        double[] epochs = Enumerable.Range(1, training.Count).Select(e => (double)e).ToArray();
        AddSeries(plot, epochs, training, scale, "training", Style.Training);
        if (validation.Count == training.Count)
        {
            AddSeries(plot, epochs, validation, scale, "validation", Style.Validation);
        }

        plot.Title(title);
        plot.XLabel("Epoch");
        plot.YLabel(axis);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        if (epochs.Length == 1)
        {
            plot.Axes.SetLimitsX(0.5, 1.5);
        }

        Legend legend = plot.ShowLegend(percent ? Alignment.LowerRight : Alignment.UpperRight);
        legend.FontSize = 13;
        legend.FontName = Style.FontFamily;
        return plot;
    }

    /// <summary>Draws <paramref name="plot"/> into <paramref name="area"/> only (ScottPlot clears the canvas it is given
    /// before drawing: the clip keeps the other panels).</summary>
    private static void RenderPanel(SKCanvas canvas, Plot plot, SKRect area)
    {
        canvas.Save();
        canvas.ClipRect(area);
        plot.Render(canvas, new PixelRect(area.Left, area.Right, area.Bottom, area.Top));
        canvas.Restore();
    }

    private static void AddSeries(Plot plot, double[] epochs, IReadOnlyList<float> values, double scale, string label, SKColor colour)
    {
        ScottPlot.Plottables.Scatter series = plot.Add.Scatter(epochs, values.Select(v => v * scale).ToArray());
        series.LegendText = label;
        series.Color = Style.ToScottPlot(colour);
        series.LineWidth = 2.5f;
        series.MarkerSize = 7;
    }

    /// <summary>
    /// The confusion matrix as a grid of counts, true class down and predicted class across: correct predictions (the
    /// diagonal) in blue, shaded by the share of their row; mistakes in red, shaded by their count against the largest
    /// mistake, so the confusions stand out even at 99 % accuracy.
    /// </summary>
    public static Figure ConfusionMatrix(ConfusionMatrix matrix, string? heading = null)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int k = matrix.Classes;
        int largestMistake = Enumerable.Range(0, k).SelectMany(t => Enumerable.Range(0, k).Where(p => p != t).Select(p => matrix[t, p])).DefaultIfEmpty(0).Max();
        var plot = new Plot();
        Style.Apply(plot);
        float countSize = k <= 10 ? 14 : k <= 20 ? 10 : 8;
        for (int t = 0; t < k; t++)
        {
            for (int p = 0; p < k; p++)
            {
                int count = matrix[t, p];
                double y = k - 1 - t;
                double share = t == p
                    ? (matrix.RowTotal(t) == 0 ? 0 : (double)count / matrix.RowTotal(t))
                    : (largestMistake == 0 ? 0 : (double)count / largestMistake);
                SKColor fill = count == 0 ? SKColors.White : Blend(SKColors.White, t == p ? Style.Training : Style.Wrong, 0.15 + (0.85 * share));
                ScottPlot.Plottables.Rectangle cell = plot.Add.Rectangle(p - 0.5, p + 0.5, y - 0.5, y + 0.5);
                cell.FillColor = Style.ToScottPlot(fill);
                cell.LineColor = Style.ToScottPlot(new SKColor(0xE0, 0xE0, 0xE0));
                cell.LineWidth = 1;
                ScottPlot.Plottables.Text text = plot.Add.Text(count.ToString(Invariant), p, y);
                text.Alignment = Alignment.MiddleCenter;
                text.LabelFontSize = countSize;
                text.LabelFontName = Style.FontFamily;
                text.LabelBold = count > 0 && t != p;
                text.LabelFontColor = Style.ToScottPlot(count == 0 ? Style.Faint : Luminance(fill) < 0.55 ? SKColors.White : Style.Ink);
            }
        }

        double[] positions = Enumerable.Range(0, k).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, positions.Select(p => ((int)p).ToString(Invariant)).ToArray());
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, positions.Select(p => (k - 1 - (int)p).ToString(Invariant)).ToArray());
        plot.Axes.SetLimits(-0.5, k - 0.5, -0.5, k - 0.5);
        plot.HideGrid();
        plot.Title(heading ?? string.Create(Invariant, $"Confusion matrix: {matrix.Correct:N0} of {matrix.Total:N0} right ({100 * matrix.Accuracy:0.00} %)"));
        plot.XLabel("Predicted class");
        plot.YLabel("True class");
        const int Size = 600;
        return new Figure(Size, Size, canvas => RenderPanel(canvas, plot, SKRect.Create(Size, Size)));
    }

    /// <summary>
    /// Samples as a grid of images, <paramref name="columns"/> to a row, each titled (by default with its label): for
    /// any dataset, such as <c>augmentation.Apply(train.Take(20), seed: 1)</c> to look at augmented samples.
    /// </summary>
    public static Figure Digits(Dataset images, IReadOnlyList<string>? titles = null, int columns = 10, string? heading = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        if (titles is not null && titles.Count != images.Count)
        {
            throw new ArgumentException($"{titles.Count} titles for {images.Count} images.", nameof(titles));
        }

        var cells = Enumerable.Range(0, images.Count).Select(i => new DigitCell(i, titles?[i] ?? images.Label(i).ToString(Invariant))).ToArray();
        return DigitGrid.Draw(images, heading, Rows(cells, columns));
    }

    /// <summary>A few correctly predicted samples at random, titled with the predicted class and its probability:
    /// <c>7 (0.998)</c>.</summary>
    public static Figure RandomCorrect(Predictions predictions, int count = 20, int seed = 0, int columns = 10)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        DigitCell[] cells = predictions.RandomCorrect(count, seed).Select(i => new DigitCell(i, Predicted(predictions, i))).ToArray();
        return DigitGrid.Draw(predictions.Data, "Correct predictions, at random", Rows(cells, columns, "none"));
    }

    /// <summary>A few wrongly predicted samples at random, titled with the predicted class and its probability (in
    /// red) over the true class.</summary>
    public static Figure RandomWrong(Predictions predictions, int count = 20, int seed = 0, int columns = 10)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        DigitCell[] cells = predictions.RandomWrong(count, seed).Select(i => new DigitCell(i, Predicted(predictions, i) + "\ntrue " + predictions.Data.Label(i).ToString(Invariant), Highlight: true)).ToArray();
        return DigitGrid.Draw(predictions.Data, "Wrong predictions, at random", Rows(cells, columns, "none: every sample is predicted right"));
    }

    /// <summary>Per class (a row each), the correctly predicted samples the model is surest of, titled with that probability.</summary>
    public static Figure MostConfidentCorrect(Predictions predictions, int perClass = 8)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        DigitRow[] rows = Enumerable.Range(0, predictions.Classes)
            .Select(c => new DigitRow(c.ToString(Invariant), predictions.MostConfidentCorrect(c, perClass).Select(i => new DigitCell(i, Probability(predictions.Confidence(i)))).ToArray(), "none right"))
            .ToArray();
        return DigitGrid.Draw(predictions.Data, "Most confident correct predictions, per class", rows);
    }

    /// <summary>Per true class (a row each), the wrongly predicted samples the model is surest of, titled with the
    /// class it chose and its probability.</summary>
    public static Figure MostConfidentWrong(Predictions predictions, int perClass = 8)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        DigitRow[] rows = Enumerable.Range(0, predictions.Classes)
            .Select(c => new DigitRow("true " + c.ToString(Invariant), predictions.MostConfidentWrong(c, perClass).Select(i => new DigitCell(i, Predicted(predictions, i), Highlight: true)).ToArray(), "none wrong"))
            .ToArray();
        return DigitGrid.Draw(predictions.Data, "Most confident wrong predictions, per true class", rows);
    }

    private static DigitRow[] Rows(DigitCell[] cells, int columns, string empty = "") =>
        cells.Length == 0
            ? [new DigitRow(null, [], empty)]
            : cells.Chunk(columns).Select(chunk => new DigitRow(null, chunk)).ToArray();

    private static string Predicted(Predictions predictions, int index) =>
        predictions.Predicted[index].ToString(Invariant) + " (" + Probability(predictions.Confidence(index)) + ")";

    private static string Probability(float p) => p.ToString("0.000", Invariant);

    private static void DrawHeading(SKCanvas canvas, string? heading)
    {
        if (heading is null)
        {
            return;
        }

        using SKFont font = Style.Font(18, bold: true);
        using var ink = new SKPaint { Color = Style.Ink, IsAntialias = true };
        canvas.DrawText(heading, 14, 26, SKTextAlign.Left, font, ink);
    }

    private static SKColor Blend(SKColor from, SKColor to, double amount)
    {
        byte Mix(byte a, byte b) => (byte)Math.Round(a + ((b - a) * Math.Clamp(amount, 0, 1)));
        return new SKColor(Mix(from.Red, to.Red), Mix(from.Green, to.Green), Mix(from.Blue, to.Blue));
    }

    private static double Luminance(SKColor c) => ((0.2126 * c.Red) + (0.7152 * c.Green) + (0.0722 * c.Blue)) / 255;
}
