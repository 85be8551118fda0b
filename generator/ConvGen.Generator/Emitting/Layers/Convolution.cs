using System.Collections.Generic;
using ConvGen.Generator.Emitting.Kernels;
using ConvGen.Generator.Model;

namespace ConvGen.Generator.Emitting.Layers;

/// <summary>
/// A direct convolution over an already padded NHWC input, tiled as <see cref="TileKernel"/>s of output pixels ×
/// output channels: each tile reduces over (ky, kx·C + c), broadcasting one input value per pixel and loading the
/// kernel row of output channels. Used for a Conv2D's forward pass and, with the flipped kernel over the dilated output
/// gradient, for its input gradient.
/// </summary>
internal sealed record Convolution(
    string Name,
    int InHeight,
    int InWidth,
    int InChannels,
    int KernelHeight,
    int KernelWidth,
    int StrideHeight,
    int StrideWidth,
    int OutHeight,
    int OutWidth,
    int OutChannels,
    int OutRowStride,
    int OutImageStride,
    bool Bias,
    ActivationKind Activation)
{
    /// <summary>Writes the loops over images, output rows and tiles, and returns the tiles they call.</summary>
    public IReadOnlyList<TileKernel> EmitLoops(SourceWriter w, VectorIsa isa, string input, string kernel, string? bias, string output)
    {
        Blocking blocking = Blocking.Choose(isa, OutChannels, OutWidth);
        var family = new TileFamily(Name, isa, (name, rows, panel) => Tile(isa, name, rows, panel));
        int fullTiles = blocking.TailRows == blocking.Rows ? blocking.TileCount : blocking.TileCount - 1;
        int pixelStep = StrideWidth * InChannels;

        w.Open($"for (int n = 0; n < count; n++)");
        w.Line($"ref float image = ref Unsafe.Add(ref {input}, n * {InHeight * InWidth * InChannels});");
        w.Line($"ref float result = ref Unsafe.Add(ref {output}, n * {OutImageStride});");
        w.Open($"for (int oy = 0; oy < {OutHeight}; oy++)");
        w.Line($"ref float inRow = ref Unsafe.Add(ref image, oy * {StrideHeight * InWidth * InChannels});");
        w.Line($"ref float outRow = ref Unsafe.Add(ref result, oy * {OutRowStride});");
        if (fullTiles > 1)
        {
            w.Open($"for (int ox = 0; ox < {fullTiles * blocking.Rows}; ox += {blocking.Rows})");
            CallTiles(w, isa, blocking, family, blocking.Rows, $"ox * {pixelStep}", $"ox * {OutChannels}", kernel, bias);
            w.Close();
        }
        else if (fullTiles == 1)
        {
            CallTiles(w, isa, blocking, family, blocking.Rows, "0", "0", kernel, bias);
        }

        if (fullTiles < blocking.TileCount)
        {
            int ox = fullTiles * blocking.Rows;
            CallTiles(w, isa, blocking, family, blocking.TailRows, VectorIsa.Int(ox * pixelStep), VectorIsa.Int(ox * OutChannels), kernel, bias);
        }

        w.Close();
        w.Close();
        return family.Tiles;
    }

    private static void CallTiles(SourceWriter w, VectorIsa isa, Blocking blocking, TileFamily family, int rows, string inOffset, string outOffset, string kernel, string? bias)
    {
        TileFamily.ForEachPanel(w, isa, blocking.Panels, (column, panel) => w.Line(family.Get(rows, panel).Call(
            TileFamily.Offset("inRow", inOffset),
            TileFamily.Offset(kernel, column),
            TileFamily.Offset("outRow", TileFamily.Plus(outOffset, column)),
            bias is null ? null : TileFamily.Offset(bias, column))));
    }

    private TileKernel Tile(VectorIsa isa, string name, int rows, Panel panel)
    {
        var aRows = new int[rows];
        var cRows = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            aRows[r] = r * StrideWidth * InChannels;
            cRows[r] = r * OutChannels;
        }

        int columns = ((panel.Vectors - 1) * isa.Width) + panel.LastLanes;
        return new TileKernel(
            name,
            isa,
            aRows,
            cRows,
            panel.Vectors,
            panel.LastLanes,
            [
                new ReductionLoop("ky", KernelHeight, InWidth * InChannels, KernelWidth * InChannels * OutChannels),
                new ReductionLoop("j", KernelWidth * InChannels, 1, OutChannels),
            ],
            Bias ? TileStart.Bias : TileStart.Zero,
            Activation,
            $"{rows} output pixels × {columns} output channels: reduces over {KernelHeight} kernel rows × {KernelWidth * InChannels} (kx, c).");
    }
}
