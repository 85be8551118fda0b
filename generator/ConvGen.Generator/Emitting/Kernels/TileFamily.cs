using System;
using System.Collections.Generic;
using System.Globalization;

namespace ConvGen.Generator.Emitting.Kernels;

/// <summary>
/// The tiles of one product, one method per distinct shape (rows × vectors, and the lanes of the last vector):
/// panels and row blocks of the same shape call the same method with other references.
/// </summary>
internal sealed class TileFamily
{
    private readonly Dictionary<(int Rows, int Vectors, int Lanes), TileKernel> _tiles = [];
    private readonly List<TileKernel> _ordered = [];
    private readonly string _name;
    private readonly VectorIsa _isa;
    private readonly Func<string, int, Panel, TileKernel> _create;

    /// <param name="name">The family's name: Forward, KernelGradient, ...</param>
    /// <param name="isa">The vector path.</param>
    /// <param name="create">Builds the tile of a method name, a row count and a panel shape.</param>
    public TileFamily(string name, VectorIsa isa, Func<string, int, Panel, TileKernel> create)
    {
        _name = name;
        _isa = isa;
        _create = create;
    }

    public IReadOnlyList<TileKernel> Tiles => _ordered;

    /// <summary>The vector path of the family's tiles.</summary>
    public VectorIsa Isa => _isa;

    public TileKernel Get(int rows, Panel panel)
    {
        var key = (rows, panel.Vectors, panel.LastLanes);
        if (!_tiles.TryGetValue(key, out TileKernel? tile))
        {
            string lanes = panel.LastLanes == _isa.Width ? "" : "Lanes" + panel.LastLanes.ToString(CultureInfo.InvariantCulture);
            tile = _create($"{_name}Tile{rows}x{panel.Vectors}{lanes}{_isa.Suffix}", rows, panel);
            _tiles.Add(key, tile);
            _ordered.Add(tile);
        }

        return tile;
    }

    /// <summary>
    /// Emits the calls of a row block over every panel: written out for up to three panels, else a loop over the
    /// panels of the common shape and a call for a last panel of another shape. <paramref name="call"/> gets the
    /// column expression ("0", a literal, or the loop's "column") and the panel.
    /// </summary>
    public static void ForEachPanel(SourceWriter w, VectorIsa isa, IReadOnlyList<Panel> panels, Action<string, Panel> call)
    {
        if (panels.Count <= 3)
        {
            foreach (Panel panel in panels)
            {
                call(panel.FirstColumn(isa).ToString(CultureInfo.InvariantCulture), panel);
            }

            return;
        }

        Panel common = panels[0];
        Panel last = panels[panels.Count - 1];
        bool lastDiffers = last.Vectors != common.Vectors || last.LastLanes != common.LastLanes;
        int looped = lastDiffers ? panels.Count - 1 : panels.Count;
        int width = common.Vectors * isa.Width;
        w.Open($"for (int column = 0; column < {looped * width}; column += {width})");
        call("column", common);
        w.Close();
        if (lastDiffers)
        {
            call(last.FirstColumn(isa).ToString(CultureInfo.InvariantCulture), last);
        }
    }

    /// <summary><c>reference</c>, or <c>Unsafe.Add(ref reference, offset)</c> when the offset is not "0".</summary>
    public static string Offset(string reference, string offset) => offset == "0" ? reference : $"Unsafe.Add(ref {reference}, {offset})";

    /// <summary>Joins two offset expressions, dropping zeros.</summary>
    public static string Plus(string left, string right) => left == "0" ? right : right == "0" ? left : $"{left} + {right}";
}
