namespace ConvGen.Generator.Emitting.Kernels;

/// <summary>Per-channel sums over pixels (bias gradients): <c>destination[c] = Σ_p source[p · channels + c]</c>,
/// vectors over the channels, a panel of at most 8 vectors at a time.</summary>
internal static class ChannelSums
{
    public static void Emit(SourceWriter w, VectorIsa path, int channels, string source, string pixels, string destination)
    {
        VectorIsa isa = path.ForColumns(channels);
        ChannelPanels.Emit(w, isa, channels, maxVectors: 8, (vectors, lastLanes, column) =>
        {
            for (int v = 0; v < vectors; v++)
            {
                w.Line($"{isa.Vector} sum{v} = {isa.Zero};");
            }

            w.Line($"ref float row = ref {ChannelPanels.At(source, column, 0)};");
            w.Open($"for (int p = 0; p < {pixels}; p++)");
            for (int v = 0; v < vectors; v++)
            {
                w.Line($"sum{v} += {isa.Load("row", v * isa.Width)};");
            }

            w.Line($"row = ref Unsafe.Add(ref row, {channels});");
            w.Close();
            for (int v = 0; v < vectors; v++)
            {
                w.Line(isa.Store($"sum{v}", destination, column, v * isa.Width, v == vectors - 1 ? lastLanes : isa.Width));
            }
        });
    }
}
