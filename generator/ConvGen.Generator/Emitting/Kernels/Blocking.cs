using System;
using System.Collections.Generic;
using System.Linq;

namespace ConvGen.Generator.Emitting.Kernels;

/// <summary>A run of consecutive output vectors one tile covers; the last vector may be partial.</summary>
internal readonly record struct Panel(int FirstVector, int Vectors, int LastLanes)
{
    public int FirstColumn(VectorIsa isa) => FirstVector * isa.Width;

    /// <summary>The columns the panel covers.</summary>
    public int Columns(VectorIsa isa) => ((Vectors - 1) * isa.Width) + LastLanes;
}

/// <summary>A tile shape for a product: rows per tile (balanced over the rows there are) and the column panels.</summary>
internal sealed record Blocking(int Rows, int TileCount, int TailRows, IReadOnlyList<Panel> Panels)
{
    /// <summary>
    /// Picks the register tile for an output of <paramref name="columns"/> floats per row: the number of accumulators
    /// is bounded by the registers (32 with AVX-512, 16 otherwise: budget minus the B vectors and one broadcast), and
    /// among the tiles that fit, the one with the most multiply-adds per load wins. <paramref name="rows"/> is the
    /// number of rows when it is a constant (tiles are then balanced over it), or null when it is the batch.
    /// </summary>
    public static Blocking Choose(VectorIsa isa, int columns, int? rows)
    {
        int vectors = (columns + isa.Width - 1) / isa.Width;
        (double Score, int Rows, int PerPanel, int Panels)? best = null;
        for (int perPanel = 1; perPanel <= Math.Min(vectors, 8); perPanel++)
        {
            int panels = (vectors + perPanel - 1) / perPanel;
            int balanced = (vectors + panels - 1) / panels;
            int maxRows = MaxRows(isa, balanced);
            if (maxRows < 1)
            {
                continue;
            }

            int tileRows = maxRows;
            if (rows is int known)
            {
                int tiles = (known + maxRows - 1) / maxRows;
                tileRows = (known + tiles - 1) / tiles;
            }

            double score = (double)tileRows * balanced / (tileRows + balanced);
            if (best is null || score > best.Value.Score + 1e-9 || (Math.Abs(score - best.Value.Score) <= 1e-9 && panels < best.Value.Panels))
            {
                best = (score, tileRows, balanced, panels);
            }
        }

        var (_, chosenRows, chosenPerPanel, _) = best ?? (0, 1, 1, vectors);
        var panelList = new List<Panel>();
        int lastLanes = columns - ((vectors - 1) * isa.Width);
        for (int first = 0; first < vectors; first += chosenPerPanel)
        {
            int count = Math.Min(chosenPerPanel, vectors - first);
            bool last = first + count == vectors;
            panelList.Add(new Panel(first, count, last ? lastLanes : isa.Width));
        }

        int tileCount = rows is int total ? (total + chosenRows - 1) / chosenRows : 0;
        int tail = rows is int all ? all - ((tileCount - 1) * chosenRows) : 0;
        return new Blocking(chosenRows, tileCount, tail, panelList);
    }

    /// <summary>The most rows a tile of <paramref name="vectors"/> vectors per row keeps in registers: the budget
    /// (all but two registers) less the B vectors and one broadcast, at most 28 rows with 32 registers, 12 with 16.</summary>
    public static int MaxRows(VectorIsa isa, int vectors) => Math.Min(isa.Registers == 32 ? 28 : 12, (isa.Registers - 2 - vectors - 1) / vectors);

    /// <summary>
    /// The panels of a one-row tile over <paramref name="columns"/> floats: as wide as the registers allow (all but
    /// four hold accumulators), in balanced panels. A single row uses each value of the other operand once, so the
    /// tile is bound by reading that operand: one wide panel reads its rows from end to end (a vector product streams
    /// the whole kernel once), where narrow panels would walk it in strips, a cache line cut at every strip's edge.
    /// </summary>
    public static IReadOnlyList<Panel> RowPanels(VectorIsa isa, int columns)
    {
        int vectors = (columns + isa.Width - 1) / isa.Width;
        int budget = isa.Registers - 4;
        int panels = (vectors + budget - 1) / budget;
        int perPanel = (vectors + panels - 1) / panels;
        int lastLanes = columns - ((vectors - 1) * isa.Width);
        var list = new List<Panel>();
        for (int first = 0; first < vectors; first += perPanel)
        {
            int count = Math.Min(perPanel, vectors - first);
            list.Add(new Panel(first, count, first + count == vectors ? lastLanes : isa.Width));
        }

        return list;
    }

    /// <summary>Whole tiles of <see cref="Rows"/> in a known row count; a last tile of <see cref="TailRows"/> follows
    /// when it is smaller.</summary>
    public int FullTiles => TailRows == Rows ? TileCount : TileCount - 1;

    /// <summary>
    /// The tile calls over a known row count: a loop over the whole tiles (written out when there is one), then the
    /// smaller last tile. <paramref name="call"/> gets the rows of the tile, and where it starts: the loop variable
    /// <paramref name="index"/>, or null and a constant first row.
    /// </summary>
    public void EmitKnownRows(SourceWriter w, string index, Action<int, string?, int> call)
    {
        if (FullTiles > 1)
        {
            w.Open($"for (int {index} = 0; {index} < {FullTiles * Rows}; {index} += {Rows})");
            call(Rows, index, 0);
            w.Close();
        }
        else if (FullTiles == 1)
        {
            call(Rows, null, 0);
        }

        if (FullTiles < TileCount)
        {
            call(TailRows, null, FullTiles * Rows);
        }
    }

    /// <summary>
    /// The tile calls over rows whose end is known only at run time: whole tiles of <see cref="Rows"/> while they fit,
    /// then at most one tile of each smaller power of two. <paramref name="index"/> is the row variable (it starts
    /// where the caller set it), <paramref name="end"/> the expression of the end. When the rows always come in
    /// multiples of <paramref name="multiple"/> (a power of two), no smaller tile is called.
    /// </summary>
    public void EmitRuntimeRows(SourceWriter w, string index, string end, Action<int> call, int multiple = 1)
    {
        w.Open($"for (; {index} <= {end} - {Rows}; {index} += {Rows})");
        call(Rows);
        w.Close();
        foreach (int rows in BatchTailRows().Where(rows => rows >= multiple))
        {
            w.Open($"if ({index} <= {end} - {rows})");
            call(rows);
            w.Line($"{index} += {rows};");
            w.Close();
        }
    }

    /// <summary>The smaller tiles that finish a batch whose size is not a multiple of <see cref="Rows"/>: powers of
    /// two below it, largest first, so any remainder takes at most one of each.</summary>
    public IEnumerable<int> BatchTailRows()
    {
        int power = 1;
        while (power * 2 < Rows)
        {
            power *= 2;
        }

        for (; power >= 1; power /= 2)
        {
            if (power < Rows)
            {
                yield return power;
            }
        }
    }
}
