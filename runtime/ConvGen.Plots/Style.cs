using SkiaSharp;

namespace ConvGen.Plots;

/// <summary>The look every figure shares: one sans-serif family, a few colours that stay apart for colour-blind
/// readers (blue and orange for training and validation), text sizes readable at the figures' CSS sizes.</summary>
internal static class Style
{
    /// <summary>DejaVu Sans is on Debian's and most Linux machines; SkiaSharp falls back to the default family elsewhere.</summary>
    public const string FontFamily = "DejaVu Sans";

    public static readonly SKColor Ink = new(0x21, 0x21, 0x21);
    public static readonly SKColor Muted = new(0x75, 0x75, 0x75);
    public static readonly SKColor Faint = new(0xBD, 0xBD, 0xBD);
    public static readonly SKColor Wrong = new(0xC6, 0x28, 0x28);
    public static readonly SKColor Training = new(0x1F, 0x77, 0xB4);
    public static readonly SKColor Validation = new(0xFF, 0x7F, 0x0E);

    private static readonly Lazy<SKTypeface> RegularFace = new(() => SKTypeface.FromFamilyName(FontFamily) ?? SKTypeface.Default);
    private static readonly Lazy<SKTypeface> BoldFace = new(() => SKTypeface.FromFamilyName(FontFamily, SKFontStyle.Bold) ?? SKTypeface.Default);

    public static SKFont Font(float size, bool bold = false) => new(bold ? BoldFace.Value : RegularFace.Value, size) { Subpixel = true };

    public static ScottPlot.Color ToScottPlot(SKColor color) => new(color.Red, color.Green, color.Blue, color.Alpha);

    /// <summary>Applies the shared font and sizes to a ScottPlot plot.</summary>
    public static void Apply(ScottPlot.Plot plot)
    {
        plot.Font.Set(FontFamily);
        plot.Axes.Title.Label.FontSize = 17;
        plot.Axes.Title.Label.Bold = true;
        foreach (ScottPlot.IAxis axis in new ScottPlot.IAxis[] { plot.Axes.Bottom, plot.Axes.Left })
        {
            axis.Label.FontSize = 15;
            axis.Label.Bold = false;
            axis.TickLabelStyle.FontSize = 13;
        }
    }
}
