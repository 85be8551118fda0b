using SkiaSharp;

namespace ConvGen.Plots;

/// <summary>One image of a grid: the sample's index in the dataset and its title (a second line, after '\n', is
/// drawn smaller and grey).</summary>
internal sealed record DigitCell(int Index, string Title, bool Highlight = false);

/// <summary>A row of a grid, with an optional label on its left and the text shown when it has no cells.</summary>
internal sealed record DigitRow(string? Label, IReadOnlyList<DigitCell> Cells, string Empty = "");

/// <summary>
/// Draws samples of a dataset as a grid of images with titles, with SkiaSharp: each image is made from the sample's
/// values (greyscale shown as dark ink on white paper, three channels as colour), enlarged by a whole factor with
/// nearest-neighbour sampling so every pixel the model saw stays visible, and framed.
/// </summary>
internal static class DigitGrid
{
    private const float Margin = 14, Gap = 10, HeadingHeight = 32, HeadingSize = 17, TitleSize = 13, SecondLineSize = 11.5f, LabelSize = 15;

    public static Figure Draw(Dataset data, string? heading, IReadOnlyList<DigitRow> rows)
    {
        Shape shape = data.Shape;
        int zoom = Math.Max(1, (int)Math.Round(60.0 / Math.Max(shape.Height, shape.Width)));
        int imageWidth = shape.Width * zoom, imageHeight = shape.Height * zoom;
        using SKFont titleMetrics = Style.Font(TitleSize);
        using SKFont labelMetrics = Style.Font(LabelSize, bold: true);
        using SKFont headingMetrics = Style.Font(HeadingSize, bold: true);

        bool twoLines = rows.Any(r => r.Cells.Any(c => c.Title.Contains('\n')));
        float titleHeight = rows.Any(r => r.Cells.Any(c => c.Title.Length > 0)) ? TitleSize + 5 + (twoLines ? SecondLineSize + 3 : 0) : 0;
        float cellWidth = Math.Max(imageWidth, rows.SelectMany(r => r.Cells).Select(c => Lines(c.Title).Max(l => titleMetrics.MeasureText(l))).DefaultIfEmpty(0).Max() + 4);
        float labelWidth = rows.Any(r => r.Label is not null) ? rows.Max(r => labelMetrics.MeasureText(r.Label ?? "")) + Gap + 4 : 0;
        int columns = Math.Max(1, rows.Max(r => r.Cells.Count));
        float emptyWidth = rows.Where(r => r.Cells.Count == 0).Select(r => titleMetrics.MeasureText(r.Empty)).DefaultIfEmpty(0).Max();
        float top = Margin + (heading is null ? 0 : HeadingHeight);
        float rowHeight = titleHeight + imageHeight + Gap;
        int width = (int)Math.Ceiling((2 * Margin) + labelWidth + Math.Max((columns * cellWidth) + ((columns - 1) * Gap), emptyWidth));
        int height = (int)Math.Ceiling(top + (rows.Count * rowHeight) - Gap + Margin);
        if (heading is not null)
        {
            width = Math.Max(width, (int)Math.Ceiling(headingMetrics.MeasureText(heading) + (2 * Margin)));
        }

        Dictionary<int, SKImage> imageOf = rows.SelectMany(r => r.Cells).Select(c => c.Index).Distinct().ToDictionary(i => i, i => Enlarged(data, i, zoom));
        return new Figure(width, height, canvas =>
        {
            // Fonts are made again here: the figure may be drawn long after this method returned.
            using SKFont titleFont = Style.Font(TitleSize);
            using SKFont secondFont = Style.Font(SecondLineSize);
            using SKFont labelFont = Style.Font(LabelSize, bold: true);
            using SKFont headingFont = Style.Font(HeadingSize, bold: true);
            using var ink = new SKPaint { Color = Style.Ink, IsAntialias = true };
            using var muted = new SKPaint { Color = Style.Muted, IsAntialias = true };
            using var wrong = new SKPaint { Color = Style.Wrong, IsAntialias = true };
            using var frame = new SKPaint { Color = Style.Faint, IsStroke = true, StrokeWidth = 1 };
            if (heading is not null)
            {
                canvas.DrawText(heading, Margin, Margin + 18, SKTextAlign.Left, headingFont, ink);
            }

            float y = top;
            foreach (DigitRow row in rows)
            {
                if (row.Label is not null)
                {
                    canvas.DrawText(row.Label, Margin + labelWidth - Gap, y + titleHeight + (imageHeight / 2f) + (LabelSize / 3f), SKTextAlign.Right, labelFont, ink);
                }

                float x = Margin + labelWidth;
                if (row.Cells.Count == 0)
                {
                    canvas.DrawText(row.Empty, x, y + titleHeight + (imageHeight / 2f) + (TitleSize / 3f), SKTextAlign.Left, titleFont, muted);
                }

                foreach (DigitCell cell in row.Cells)
                {
                    string[] lines = Lines(cell.Title);
                    float centre = x + (cellWidth / 2);
                    canvas.DrawText(lines[0], centre, y + TitleSize, SKTextAlign.Center, titleFont, cell.Highlight ? wrong : ink);
                    if (lines.Length > 1)
                    {
                        canvas.DrawText(lines[1], centre, y + TitleSize + 3 + SecondLineSize, SKTextAlign.Center, secondFont, muted);
                    }

                    float left = centre - (imageWidth / 2f), imageTop = y + titleHeight;
                    canvas.DrawImage(imageOf[cell.Index], left, imageTop);
                    canvas.DrawRect(left - 0.5f, imageTop - 0.5f, imageWidth + 1, imageHeight + 1, frame);
                    x += cellWidth + Gap;
                }

                y += rowHeight;
            }
        });
    }

    private static string[] Lines(string title) => title.Split('\n', 2);

    /// <summary>Sample <paramref name="index"/> as an image <paramref name="zoom"/> times its size. Values in [0, 1] are
    /// shown as they are; others are stretched from the sample's minimum to its maximum.</summary>
    private static SKImage Enlarged(Dataset data, int index, int zoom)
    {
        Shape shape = data.Shape;
        ReadOnlySpan<float> values = data.ImageSpan(index);
        float min = 0, max = 1;
        foreach (float v in values)
        {
            if (v < 0 || v > 1 || !float.IsFinite(v))
            {
                min = float.PositiveInfinity;
                max = float.NegativeInfinity;
                foreach (float w in values)
                {
                    if (float.IsFinite(w))
                    {
                        min = Math.Min(min, w);
                        max = Math.Max(max, w);
                    }
                }

                break;
            }
        }

        // The sample as pixels: one grey level per value (inverted: ink on paper), or RGBA from three channels.
        float range = max > min ? max - min : 1;
        bool colour = shape.Channels == 3;
        int pixels = shape.Height * shape.Width;
        var bytes = new byte[colour ? pixels * 4 : pixels];
        for (int p = 0; p < pixels; p++)
        {
            if (colour)
            {
                for (int c = 0; c < 3; c++)
                {
                    bytes[(p * 4) + c] = Level(values[(p * 3) + c]);
                }

                bytes[(p * 4) + 3] = 255;
            }
            else
            {
                bytes[p] = (byte)(255 - Level(values[p * shape.Channels]));
            }
        }

        byte Level(float value) => (byte)Math.Round(255 * Math.Clamp((value - min) / range, 0, 1));

        using SKImage small = SKImage.FromPixelCopy(new SKImageInfo(shape.Width, shape.Height, colour ? SKColorType.Rgba8888 : SKColorType.Gray8, SKAlphaType.Opaque), bytes);
        var info = new SKImageInfo(shape.Width * zoom, shape.Height * zoom, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var surface = SKSurface.Create(info);
        surface.Canvas.DrawImage(small, SKRect.Create(info.Width, info.Height), new SKSamplingOptions(SKFilterMode.Nearest, SKMipmapMode.None));
        return surface.Snapshot();
    }
}
