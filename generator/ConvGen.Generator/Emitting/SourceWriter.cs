using System;
using System.Text;

namespace ConvGen.Generator.Emitting;

/// <summary>An indented text writer for emitted C#: one line at a time, blocks opened and closed explicitly.</summary>
internal sealed class SourceWriter
{
    private const string IndentUnit = "    ";
    private readonly StringBuilder _text = new();
    private int _indent;

    public void Line(string line = "")
    {
        if (line.Length == 0)
        {
            _text.Append('\n');
            return;
        }

        for (int i = 0; i < _indent; i++)
        {
            _text.Append(IndentUnit);
        }

        _text.Append(line).Append('\n');
    }

    /// <summary>Writes <paramref name="header"/> (if any) and "{", then indents.</summary>
    public void Open(string? header = null)
    {
        if (header is not null)
        {
            Line(header);
        }

        Line("{");
        _indent++;
    }

    /// <summary>Unindents and writes "}" followed by <paramref name="suffix"/>.</summary>
    public void Close(string suffix = "")
    {
        if (_indent == 0)
        {
            throw new InvalidOperationException("Unbalanced block in emitted source.");
        }

        _indent--;
        Line("}" + suffix);
    }

    /// <summary>A <c>// comment</c> line per line of <paramref name="text"/>.</summary>
    public void Comment(string text)
    {
        foreach (string line in text.Split('\n'))
        {
            Line("// " + line);
        }
    }

    /// <summary>A <c>/// &lt;summary&gt;</c> documentation comment.</summary>
    public void Summary(string text) => Line("/// <summary>" + Escape(text) + "</summary>");

    /// <summary>A kernel method's header: its summary, the attribute that compiles it fully optimised from the first
    /// call, and the opened body.</summary>
    public void Method(string summary, string signature)
    {
        Summary(summary);
        Line("[MethodImpl(MethodImplOptions.AggressiveOptimization)]");
        Open(signature);
    }

    /// <summary>"<paramref name="count"/> <paramref name="plural"/>" for a doc comment, singular for one: (1, "samples") →
    /// "1 sample".</summary>
    public static string Count(int count, string plural) =>
        count == 1 && plural.EndsWith("s", StringComparison.Ordinal) ? "1 " + plural.Substring(0, plural.Length - 1) : $"{count} {plural}";

    /// <summary>Text for a documentation comment: &amp;, &lt; and &gt; escaped.</summary>
    public static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    public override string ToString() => _indent == 0 ? _text.ToString() : throw new InvalidOperationException("Unclosed block in emitted source.");
}
