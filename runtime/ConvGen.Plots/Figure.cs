using System.Text;
using ConvGen.Persistence;
using SkiaSharp;

namespace ConvGen.Plots;

/// <summary>
/// A picture of a fixed size (in CSS pixels) that can be saved as PNG or SVG: what every method of
/// <see cref="Figures"/> returns. The same drawing makes both formats; PNGs can be rendered at a scale (2 for sharp
/// text on high-density screens).
/// </summary>
public sealed class Figure
{
    private readonly Action<SKCanvas> _draw;

    internal Figure(int width, int height, Action<SKCanvas> draw)
    {
        Width = width;
        Height = height;
        _draw = draw;
    }

    /// <summary>Width in CSS pixels (the SVG's width; a PNG at scale 1).</summary>
    public int Width { get; }

    /// <summary>Height in CSS pixels.</summary>
    public int Height { get; }

    /// <summary>The figure as a PNG of <c>Width × scale</c> by <c>Height × scale</c> pixels.</summary>
    public byte[] ToPng(double scale = 1)
    {
        if (!(scale > 0 && scale <= 8))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale must be in (0, 8].");
        }

        var info = new SKImageInfo((int)Math.Ceiling(Width * scale), (int)Math.Ceiling(Height * scale), SKColorType.Rgba8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info);
        surface.Canvas.Clear(SKColors.White);
        surface.Canvas.Scale((float)scale);
        _draw(surface.Canvas);
        using SKImage image = surface.Snapshot();
        using SKData data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>The figure as an SVG document (text as text, digit images embedded).</summary>
    public string ToSvg()
    {
        using var stream = new MemoryStream();
        using (var managed = new SKManagedWStream(stream))
        using (SKCanvas canvas = SKSvgCanvas.Create(SKRect.Create(Width, Height), managed))
        {
            using var background = new SKPaint { Color = SKColors.White };
            canvas.DrawRect(SKRect.Create(Width, Height), background);
            _draw(canvas);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes the PNG (see <see cref="ToPng"/>) to <paramref name="path"/>.</summary>
    public void SavePng(string path, double scale = 1)
    {
        byte[] png = ToPng(scale);
        AtomicFile.Write(path, "the figure", stream => stream.Write(png));
    }

    /// <summary>Writes the SVG to <paramref name="path"/>.</summary>
    public void SaveSvg(string path)
    {
        byte[] svg = Encoding.UTF8.GetBytes(ToSvg());
        AtomicFile.Write(path, "the figure", stream => stream.Write(svg));
    }

    /// <summary>Writes a PNG or an SVG, as <paramref name="path"/>'s extension (<c>.png</c> or <c>.svg</c>) says.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".png": SavePng(path); break;
            case ".svg": SaveSvg(path); break;
            default: throw new ArgumentException($"Cannot save a figure to '{path}': name it .png or .svg.", nameof(path));
        }
    }
}
