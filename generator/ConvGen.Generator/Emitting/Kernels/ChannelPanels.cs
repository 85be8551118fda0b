using System;
using System.Globalization;

namespace ConvGen.Generator.Emitting.Kernels;

/// <summary>
/// Splits a channel axis into panels of at most a few vectors, the most a kernel keeps in registers per channel. The
/// body is written once per panel shape: a loop over the whole panels (its <c>column</c> variable is the panel's first
/// channel) and one block for a narrower last panel, so the code does not grow with the number of channels.
/// </summary>
internal static class ChannelPanels
{
    /// <param name="w">The writer.</param>
    /// <param name="isa">The vector path.</param>
    /// <param name="channels">The channels to cover.</param>
    /// <param name="maxVectors">Vectors per panel.</param>
    /// <param name="body">Writes one panel: its vector count, the lanes of its last vector, and the expression of its
    /// first channel ("column" in the loop, a literal for the last panel).</param>
    public static void Emit(SourceWriter w, VectorIsa isa, int channels, int maxVectors, Action<int, int, string> body)
    {
        int width = maxVectors * isa.Width;
        int wholePanels = channels / width;
        int rest = channels - (wholePanels * width);
        if (wholePanels == 1)
        {
            w.Open();
            body(maxVectors, isa.Width, "0");
            w.Close();
        }
        else if (wholePanels > 1)
        {
            w.Open($"for (int column = 0; column < {wholePanels * width}; column += {width})");
            body(maxVectors, isa.Width, "column");
            w.Close();
        }

        if (rest > 0)
        {
            int restVectors = (rest + isa.Width - 1) / isa.Width;
            int lanes = rest - ((restVectors - 1) * isa.Width);
            w.Open();
            body(restVectors, lanes, (wholePanels * width).ToString(CultureInfo.InvariantCulture));
            w.Close();
        }
    }

    /// <summary>The reference to channel <paramref name="column"/> + <paramref name="offset"/> of a row.</summary>
    public static string At(string reference, string column, int offset) => TileFamily.Offset(reference, Sum(column, offset));

    /// <summary>column + offset as an expression, folding literals: ("0", 16) → "16", ("column", 0) → "column".</summary>
    public static string Sum(string column, int offset)
    {
        if (int.TryParse(column, NumberStyles.Integer, CultureInfo.InvariantCulture, out int literal))
        {
            return (literal + offset).ToString(CultureInfo.InvariantCulture);
        }

        return offset == 0 ? column : column + " + " + offset.ToString(CultureInfo.InvariantCulture);
    }
}
