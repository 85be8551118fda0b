using System;

namespace ConvGen.Generator.Emitting.Kernels;

/// <summary>Per-channel sums over pixels (bias gradients): <c>destination[c] = Σ_p source[p · channels + c]</c>,
/// vectors over the channels, a panel of at most 8 vectors at a time.</summary>
internal static class ChannelSums
{
    public static void Emit(SourceWriter w, VectorIsa isa, int channels, string source, string pixels, string destination)
    {
        int vectors = (channels + isa.Width - 1) / isa.Width;
        for (int first = 0; first < vectors; first += 8)
        {
            int count = Math.Min(8, vectors - first);
            int column = first * isa.Width;
            w.Open();
            for (int v = 0; v < count; v++)
            {
                w.Line($"{isa.Vector} sum{v} = {isa.Zero};");
            }

            w.Line($"ref float row = ref {(column == 0 ? source : $"Unsafe.Add(ref {source}, {column})")};");
            w.Open($"for (int p = 0; p < {pixels}; p++)");
            for (int v = 0; v < count; v++)
            {
                w.Line($"sum{v} += {isa.Load("row", v * isa.Width)};");
            }

            w.Line($"row = ref Unsafe.Add(ref row, {channels});");
            w.Close();
            for (int v = 0; v < count; v++)
            {
                int start = column + (v * isa.Width);
                w.Line(isa.Store($"sum{v}", destination, start, Math.Min(isa.Width, channels - start)));
            }

            w.Close();
        }
    }
}
