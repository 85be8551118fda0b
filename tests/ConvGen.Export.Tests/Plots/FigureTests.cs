using System.Xml.Linq;
using ConvGen.Plots;
using SkiaSharp;

namespace ConvGen.Export.Tests.Plots;

/// <summary>Every figure as PNG and SVG: the sizes promised, well-formed SVG, and the pixels where they must be (ink
/// where a digit is, the series' colours in the history, a mistake's red in the confusion matrix).</summary>
public class FigureTests
{
    private static History ThreeEpochs(bool validation) =>
        TrainedModels.HistoryOf(new InterpretedModel(new ModelDescription("tiny", Shape.Image(6, 6, 1), [new ConvGen.Layers.FlattenLayer(), new ConvGen.Layers.DenseLayer(3, Activation.Softmax)]), seed: 1), epochs: 3, validation);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TheHistoryIsDrawnInItsSeriesColours(bool validation)
    {
        Figure figure = Figures.History(ThreeEpochs(validation));
        using SKBitmap png = Decode(figure.ToPng());
        Assert.Equal((figure.Width, figure.Height), (png.Width, png.Height));
        Assert.True(Count(png, new SKColor(0x1F, 0x77, 0xB4)) > 500, "the training series is missing");
        Assert.Equal(validation, Count(png, new SKColor(0xFF, 0x7F, 0x0E)) > 500);
        AssertSvg(figure);
    }

    [Fact]
    public void APngAtScaleTwoHasTwiceThePixels()
    {
        Figure figure = Figures.History(ThreeEpochs(validation: true));
        using SKBitmap png = Decode(figure.ToPng(scale: 2));
        Assert.Equal((2 * figure.Width, 2 * figure.Height), (png.Width, png.Height));
    }

    [Fact]
    public void DigitsAreInkOnPaperAndColourImagesKeepTheirColours()
    {
        // A 4×4 grey image all 1 (full ink), one all 0 (paper); a 4×4 colour image all red.
        var grey = new Dataset([.. Enumerable.Repeat(1f, 16), .. new float[16]], [3, 5], 4, 4, 1);
        Figure digits = Figures.Digits(grey, columns: 2);
        using SKBitmap png = Decode(digits.ToPng());
        Assert.True(Count(png, SKColors.Black, tolerance: 10) >= 200, "the full-ink digit is not black");

        var red = new Dataset([.. Enumerable.Range(0, 16).SelectMany(_ => new[] { 1f, 0f, 0f })], [0], 4, 4, 3);
        using SKBitmap colour = Decode(Figures.Digits(red).ToPng());
        Assert.True(Count(colour, new SKColor(255, 0, 0), tolerance: 10) >= 200, "the red image is not red");
        AssertSvg(digits);
    }

    [Fact]
    public void TheFourViewsOfPredictionsAreDrawnWithMistakesInRed()
    {
        Model model = TrainedModels.Train(TrainedModels.SeedNetworkModel("beating-conv-pool", seed: 1), seed: 1);
        Predictions predictions = Predictions.Of(model, SyntheticData.For(model.Description, 200, seed: 5));
        Assert.InRange(predictions.Accuracy, 0.01, 0.99); // both views have samples

        Figure[] figures =
        [
            Figures.RandomCorrect(predictions, count: 12),
            Figures.RandomWrong(predictions, count: 12),
            Figures.MostConfidentCorrect(predictions, perClass: 5),
            Figures.MostConfidentWrong(predictions, perClass: 5),
            Figures.ConfusionMatrix(predictions.ConfusionMatrix()),
        ];
        foreach (Figure figure in figures)
        {
            using SKBitmap png = Decode(figure.ToPng());
            Assert.Equal((figure.Width, figure.Height), (png.Width, png.Height));
            AssertSvg(figure);
        }

        using SKBitmap wrong = Decode(figures[1].ToPng());
        Assert.True(Count(wrong, new SKColor(0xC6, 0x28, 0x28), tolerance: 40) > 50, "wrong predictions' titles are not red");
        using SKBitmap right = Decode(figures[0].ToPng());
        Assert.Equal(0, Count(right, new SKColor(0xC6, 0x28, 0x28), tolerance: 40));
    }

    [Fact]
    public void SaveChoosesTheFormatByExtension()
    {
        string directory = Directory.CreateTempSubdirectory("convgen-figures-").FullName;
        try
        {
            Figure figure = Figures.History(ThreeEpochs(validation: true));
            figure.Save(Path.Combine(directory, "history.png"));
            figure.Save(Path.Combine(directory, "history.SVG"));
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(Path.Combine(directory, "history.png"))[..4]);
            Assert.Equal("svg", XDocument.Load(Path.Combine(directory, "history.SVG")).Root!.Name.LocalName);
            Assert.Contains("name it .png or .svg", Assert.Throws<ArgumentException>(() => figure.Save(Path.Combine(directory, "history.jpg"))).Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        var data = new Dataset(new float[2 * 4], [0, 1], 2, 2, 1);
        Assert.Throws<ArgumentException>(() => Figures.Digits(data, titles: ["only one"]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Figures.Digits(data, columns: 0));
        Assert.Throws<ArgumentException>(() => Figures.History(new History()));
        Assert.Throws<ArgumentOutOfRangeException>(() => Figures.Digits(data).ToPng(scale: 0));
    }

    internal static SKBitmap Decode(byte[] png) => SKBitmap.Decode(png) ?? throw new InvalidDataException("not a PNG");

    /// <summary>Pixels within <paramref name="tolerance"/> of <paramref name="colour"/> in every channel.</summary>
    internal static int Count(SKBitmap bitmap, SKColor colour, int tolerance = 24)
    {
        int count = 0;
        foreach (SKColor pixel in bitmap.Pixels)
        {
            if (Math.Abs(pixel.Red - colour.Red) <= tolerance && Math.Abs(pixel.Green - colour.Green) <= tolerance && Math.Abs(pixel.Blue - colour.Blue) <= tolerance)
            {
                count++;
            }
        }

        return count;
    }

    private static void AssertSvg(Figure figure)
    {
        XElement svg = XDocument.Parse(figure.ToSvg()).Root!;
        Assert.Equal("svg", svg.Name.LocalName);
        Assert.Equal(figure.Width.ToString(System.Globalization.CultureInfo.InvariantCulture), svg.Attribute("width")?.Value);
        Assert.Equal(figure.Height.ToString(System.Globalization.CultureInfo.InvariantCulture), svg.Attribute("height")?.Value);
    }
}
