using System.Globalization;
using System.Net;
using System.Text;

namespace ConvGen.Plots;

/// <summary>The HTML of the training report: one self-contained page (its style inline, figures as PNG data URIs
/// rendered at twice their CSS size for sharp text on dense screens), readable on a screen and printable.</summary>
internal sealed class HtmlPage
{
    /// <summary>The scale the report's PNGs are rendered at.</summary>
    public const double PngScale = 2;

    private const string StyleSheet = """
        :root { --ink: #212121; --muted: #6b6b6b; --line: #e3e3e3; --accent: #1f77b4; --paper: #ffffff; --panel: #f7f8fa; }
        * { box-sizing: border-box; }
        body { margin: 0; background: var(--panel); color: var(--ink); font: 15px/1.5 "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; }
        main { max-width: 1120px; margin: 0 auto; padding: 28px 24px 40px; }
        header h1 { margin: 0 0 4px; font-size: 28px; }
        header p { margin: 0; color: var(--muted); }
        header code { display: inline-block; margin-top: 8px; padding: 4px 8px; background: var(--paper); border: 1px solid var(--line); border-radius: 4px; }
        .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; margin: 22px 0 8px; }
        .card { background: var(--paper); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
        .card .label { color: var(--muted); font-size: 13px; text-transform: uppercase; letter-spacing: 0.04em; }
        .card .value { font-size: 26px; font-weight: bold; margin: 2px 0; }
        .card .detail { color: var(--muted); font-size: 13px; }
        section { background: var(--paper); border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin-top: 18px; }
        section h2 { margin: 0 0 12px; font-size: 19px; }
        img { display: block; max-width: 100%; height: auto; margin: 6px 0 14px; }
        table { border-collapse: collapse; font-size: 14px; }
        th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
        table.recipe th { color: var(--muted); font-weight: normal; white-space: nowrap; }
        table.numbers td, table.numbers th { text-align: right; font-variant-numeric: tabular-nums; }
        .scroll { overflow-x: auto; }
        pre { margin: 0; font: 13px/1.35 "DejaVu Sans Mono", Consolas, monospace; overflow-x: auto; }
        .muted { color: var(--muted); }
        footer { color: var(--muted); font-size: 13px; margin-top: 18px; }
        @media print { body { background: white; } section, .card { break-inside: avoid; } }
        """;

    private readonly StringBuilder _body = new();
    private readonly string _title;

    public HtmlPage(string title)
    {
        _title = title;
    }

    public void Summary(string subtitle, IEnumerable<(string Label, string Value, string Detail)> cards, string? commandLine)
    {
        _body.Append("<header><h1>").Append(Encode(_title)).Append("</h1><p>").Append(Encode(subtitle)).Append("</p>");
        if (commandLine is not null)
        {
            _body.Append("<code>").Append(Encode(commandLine)).Append("</code>");
        }

        _body.Append("</header><div class=\"cards\">");
        foreach ((string label, string value, string detail) in cards)
        {
            _body.Append("<div class=\"card\"><div class=\"label\">").Append(Encode(label)).Append("</div><div class=\"value\">")
                .Append(Encode(value)).Append("</div><div class=\"detail\">").Append(Encode(detail)).Append("</div></div>");
        }

        _body.Append("</div>");
    }

    /// <summary>A section with a heading and <paramref name="html"/> (already encoded) as its content.</summary>
    public void Section(string heading, string html) =>
        _body.Append("<section><h2>").Append(Encode(heading)).Append("</h2>").Append(html).Append("</section>");

    /// <summary>A figure at its CSS size, from its PNG rendered at twice the resolution, as a data URI.</summary>
    public static string Image(RenderedFigure figure) => string.Create(
        CultureInfo.InvariantCulture,
        $"<img src=\"data:image/png;base64,{Convert.ToBase64String(figure.Png)}\" width=\"{figure.Figure.Width}\" height=\"{figure.Figure.Height}\" alt=\"{Encode(figure.Description)}\">");

    public void Footer(string text) => _body.Append("<footer>").Append(Encode(text)).Append("</footer>");

    public override string ToString() =>
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<title>" + Encode(_title) + " · ConvGen training report</title><style>" + StyleSheet + "</style></head>\n<body><main>"
        + _body + "</main></body></html>\n";

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}

/// <summary>A figure of the report, its file name (without extension), what it shows, and its PNG at
/// <see cref="HtmlPage.PngScale"/>.</summary>
internal sealed record RenderedFigure(string Name, string Description, Figure Figure, byte[] Png)
{
    public RenderedFigure(string name, string description, Figure figure)
        : this(name, description, figure, figure.ToPng(HtmlPage.PngScale))
    {
    }
}
