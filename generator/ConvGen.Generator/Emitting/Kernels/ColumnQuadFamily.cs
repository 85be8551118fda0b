using System;
using System.Collections.Generic;

namespace ConvGen.Generator.Emitting.Kernels;

/// <summary>
/// The column-quad tiles of one product, one method per row count, named like a <see cref="TileFamily"/>'s:
/// <c>{name}Tile{rows}x{vectors}Quad{suffix}</c> (ForwardRowsTile12x1QuadAvx512: 12 samples, one whole vector and
/// the block of the last 4 columns).
/// </summary>
internal sealed class ColumnQuadFamily
{
    private readonly Dictionary<int, ColumnQuadTile> _tiles = [];
    private readonly List<ColumnQuadTile> _ordered = [];
    private readonly string _name;
    private readonly VectorIsa _path;
    private readonly VectorIsa _isa;
    private readonly ColumnQuadProduct _product;
    private readonly int _columns;
    private readonly int _sampleStride;
    private readonly TileStart _start;
    private readonly Func<int, string> _comment;

    /// <param name="name">The family's name: ForwardRows, KernelGradientRows.</param>
    /// <param name="path">The instruction-set path, whose suffix ends the names.</param>
    /// <param name="isa">The tiles' vectors (<see cref="ColumnQuadTile.IsaFor"/>).</param>
    /// <param name="product">Which product.</param>
    /// <param name="columns">The product's columns.</param>
    /// <param name="sampleStride">How far apart A's samples are.</param>
    /// <param name="start">How the whole vectors' accumulators start.</param>
    /// <param name="comment">A tile's summary from its row count.</param>
    public ColumnQuadFamily(string name, VectorIsa path, VectorIsa isa, ColumnQuadProduct product, int columns, int sampleStride, TileStart start, Func<int, string> comment)
    {
        _name = name;
        _path = path;
        _isa = isa;
        _product = product;
        _columns = columns;
        _sampleStride = sampleStride;
        _start = start;
        _comment = comment;
    }

    public IReadOnlyList<ColumnQuadTile> Tiles => _ordered;

    public ColumnQuadTile Get(int rows)
    {
        if (!_tiles.TryGetValue(rows, out ColumnQuadTile? tile))
        {
            int vectors = (_columns - 4) / _isa.Width;
            tile = new ColumnQuadTile($"{_name}Tile{rows}x{vectors}Quad{_path.Suffix}", _isa, _product, rows, _columns, _sampleStride, _start, _comment(rows));
            _tiles.Add(rows, tile);
            _ordered.Add(tile);
        }

        return tile;
    }
}
