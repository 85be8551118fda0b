using System;
using System.Linq;

namespace ConvGen.Generator.Emitting.Kernels;

/// <summary>Which product a <see cref="ColumnQuadTile"/> computes.</summary>
internal enum ColumnQuadProduct
{
    /// <summary>Samples × units reducing over input features, four at a time (a Dense's partial sums): each sample has a
    /// block of 4 features × the 4 last units, summed over the features at the end.</summary>
    Forward,

    /// <summary>Input features × units reducing over the samples (a Dense's kernel gradient): each 4 features have a
    /// block of 4 features × the 4 last units.</summary>
    KernelGradient,
}

/// <summary>
/// A register tile for a product whose columns are whole vectors and four more: 20 units are 16 + 4 on 16-float
/// vectors, 28 are 3 · 8 + 4 on 8-float ones. A vector of its own for the last four would leave 12 (or 4) of its lanes
/// empty, and a Zen 4 core spends the same FMA slot on an empty lane as on a full one; here the last four columns are
/// kept in blocks of 16 floats, 4 columns × 4 rows (or 4 reduction steps), in which no lane is empty. A block is
/// multiplied by four consecutive floats of the other operand repeated in every 128-bit lane, a single broadcast load
/// (<c>ColumnQuads.LoadRepeated512</c>), by the other operand's last four columns packed to match (each thread packs its
/// own once per step: <c>ColumnQuads.PackByRows</c> for the kernel, <c>ColumnQuads.RepeatByRows</c> for the output
/// gradient). Measured alone on Zen 4, 784 × 20 products ran at 94 GFLOP/s one core in 24-float tiles and at 114 in
/// these (98 % of the core's FMA peak). Used on the AVX-512 path (32 registers), for layers trained by rows.
/// </summary>
/// <param name="Name">The method's name.</param>
/// <param name="Isa">The vectors: 16 or 8 floats.</param>
/// <param name="Product">Which product.</param>
/// <param name="Rows">Samples (forward) or input features (kernel gradient; a multiple of 4).</param>
/// <param name="Columns">The product's columns (units), rows of B and C this many floats apart.</param>
/// <param name="SampleStride">How far apart A's samples are (the layer's input features): its rows in the forward
/// product, its reduction steps in the kernel gradient (whose rows, input features, are consecutive).</param>
/// <param name="Start">How the accumulators of the whole vectors start (the blocks start at zero).</param>
/// <param name="Comment">What the tile computes, for its summary.</param>
internal sealed record ColumnQuadTile(string Name, VectorIsa Isa, ColumnQuadProduct Product, int Rows, int Columns, int SampleStride, TileStart Start, string Comment) : ITileMethod
{
    /// <summary>The whole vectors before the last four columns.</summary>
    public int Vectors => (Columns - 4) / Isa.Width;

    /// <summary>The vectors one block of 16 floats takes.</summary>
    private int BlockVectors => 16 / Isa.Width;

    /// <summary>Where the last four columns start.</summary>
    private int QuadColumn => Vectors * Isa.Width;

    private string CountParameter => Product == ColumnQuadProduct.Forward ? "depth" : "count";

    /// <summary>
    /// The vectors a product over <paramref name="columns"/> columns takes on <paramref name="path"/> in these tiles, or
    /// null when they do not apply: on the AVX-512 path, columns that are whole vectors and 4 more (16-float vectors when
    /// 16 leave 4, else 8-float ones), as long as a kernel-gradient tile of 4 rows fits the registers.
    /// </summary>
    public static VectorIsa? IsaFor(VectorIsa path, int columns)
    {
        if (path != VectorIsa.Avx512 || columns <= 4 || columns % 8 != 4)
        {
            return null;
        }

        VectorIsa isa = columns % 16 == 4 ? VectorIsa.Avx512 : VectorIsa.Avx512Narrow;
        return KernelGradientRowsFor(isa, columns) >= 4 ? isa : null;
    }

    /// <summary>Samples per forward tile: two sets of accumulators per sample (whole vectors, block), in the registers
    /// but the B vectors, the block's and two broadcasts; at most 12 (more measured no faster).</summary>
    public static int ForwardRowsFor(VectorIsa isa, int columns)
    {
        (int vectors, int block) = Shape(isa, columns);
        return Math.Max(1, Math.Min(12, (isa.Registers - 2 - vectors - block) / (vectors + block)));
    }

    /// <summary>Input features per kernel-gradient tile, a multiple of 4 (a block per 4 features): at most 16.</summary>
    public static int KernelGradientRowsFor(VectorIsa isa, int columns)
    {
        (int vectors, int block) = Shape(isa, columns);
        return Math.Min(16, 4 * ((isa.Registers - 2 - vectors - block) / ((4 * vectors) + block)));
    }

    private static (int Vectors, int Block) Shape(VectorIsa isa, int columns) => ((columns - 4) / isa.Width, 16 / isa.Width);

    /// <summary>The parameter list: a (broadcast), b (vectors), the packed blocks, c (output), the reduction count.</summary>
    public string Parameters => $"ref float a, ref float b, ref float quads, ref float c, int {CountParameter}";

    public string Call(string a, string b, string quads, string c, string count) => $"{Name}(ref {a}, ref {b}, ref {quads}, ref {c}, {count});";

    public void Emit(SourceWriter w)
    {
        string blocks = SourceWriter.Count(BlockCount, "blocks");
        w.Method($"{Comment} Accumulators: {Rows} × {Vectors} {Isa.Vector} for the first {QuadColumn} columns, {blocks} of 16 floats ({BlockVectors} {Isa.Vector} each) for the last 4.", $"private static void {Name}({Parameters})");
        EmitStart(w);
        w.Line("ref float an = ref a;");
        w.Line("ref float bn = ref b;");
        w.Line("ref float qn = ref quads;");
        if (Product == ColumnQuadProduct.Forward)
        {
            EmitForwardLoop(w);
            EmitForwardFinish(w);
        }
        else
        {
            EmitKernelGradientLoop(w);
            EmitKernelGradientFinish(w);
        }

        w.Close();
    }

    private static string Accumulator(int row, int vector) => $"c{row}_{vector}";

    private static string Block(int block, int vector) => $"q{block}_{vector}";

    private int BlockCount => Product == ColumnQuadProduct.Forward ? Rows : Rows / 4;

    private string Repeated(string reference) => $"ColumnQuads.LoadRepeated{Isa.Width * 32}(ref {reference})";

    private static string At(string reference, int offset) => offset == 0 ? reference : $"Unsafe.Add(ref {reference}, {VectorIsa.Int(offset)})";

    private void EmitStart(SourceWriter w)
    {
        for (int r = 0; r < Rows; r++)
        {
            w.Line($"{Isa.Vector} {string.Join(", ", Enumerable.Range(0, Vectors).Select(v => $"{Accumulator(r, v)} = {(Start == TileStart.Accumulate ? Isa.Load("c", (r * Columns) + (v * Isa.Width)) : Isa.Zero)}"))};");
        }

        for (int q = 0; q < BlockCount; q++)
        {
            w.Line($"{Isa.Vector} {string.Join(", ", Enumerable.Range(0, BlockVectors).Select(u => $"{Block(q, u)} = {Isa.Zero}"))};");
        }
    }

    private void EmitForwardLoop(SourceWriter w)
    {
        w.Open("for (int k = 0; k < depth; k += 4)");
        for (int step = 0; step < 4; step++)
        {
            if (step == 0)
            {
                w.Comment("Each of four input features: the sample's feature times the kernel row's whole vectors.");
            }

            w.Open();
            for (int v = 0; v < Vectors; v++)
            {
                w.Line($"{Isa.Vector} b{v} = {Isa.Load("bn", (step * Columns) + (v * Isa.Width))};");
            }

            for (int r = 0; r < Rows; r++)
            {
                w.Line($"{Isa.Vector} a{r} = {Isa.Broadcast(At("an", (r * SampleStride) + step))};");
                for (int v = 0; v < Vectors; v++)
                {
                    w.Line($"{Accumulator(r, v)} = {Isa.Fma($"a{r}", $"b{v}", Accumulator(r, v))};");
                }
            }

            w.Close();
        }

        w.Comment("The same four features' last 4 units (packed: 4 features per unit): the sample's four features, repeated per unit, times the block.");
        w.Open();
        EmitBlockLoads(w);
        for (int r = 0; r < Rows; r++)
        {
            w.Line($"{Isa.Vector} a{r} = {Repeated(At("an", r * SampleStride))};");
            EmitBlockFmas(w, $"a{r}", r);
        }

        w.Close();
        w.Line("an = ref Unsafe.Add(ref an, 4);");
        w.Line($"bn = ref Unsafe.Add(ref bn, {VectorIsa.Int(4 * Columns)});");
        w.Line("qn = ref Unsafe.Add(ref qn, 16);");
        w.Close();
    }

    private void EmitKernelGradientLoop(SourceWriter w)
    {
        w.Open("for (int n = 0; n < count; n++)");
        w.Comment("The sample's output gradient: its whole vectors, and its last 4 units each repeated 4 times.");
        for (int v = 0; v < Vectors; v++)
        {
            w.Line($"{Isa.Vector} b{v} = {Isa.Load("bn", v * Isa.Width)};");
        }

        EmitBlockLoads(w);
        for (int r = 0; r < Rows; r++)
        {
            w.Line($"{Isa.Vector} a{r} = {Isa.Broadcast(At("an", r))};");
            for (int v = 0; v < Vectors; v++)
            {
                w.Line($"{Accumulator(r, v)} = {Isa.Fma($"a{r}", $"b{v}", Accumulator(r, v))};");
            }

            if (r % 4 == 3)
            {
                w.Line($"{Isa.Vector} p{r / 4} = {Repeated(At("an", r - 3))};");
                EmitBlockFmas(w, $"p{r / 4}", r / 4);
            }
        }

        w.Line($"an = ref Unsafe.Add(ref an, {VectorIsa.Int(SampleStride)});");
        w.Line($"bn = ref Unsafe.Add(ref bn, {VectorIsa.Int(Columns)});");
        w.Line("qn = ref Unsafe.Add(ref qn, 16);");
        w.Close();
    }

    private void EmitBlockLoads(SourceWriter w)
    {
        for (int u = 0; u < BlockVectors; u++)
        {
            w.Line($"{Isa.Vector} bq{u} = {Isa.Load("qn", u * Isa.Width)};");
        }
    }

    private void EmitBlockFmas(SourceWriter w, string repeated, int block)
    {
        for (int u = 0; u < BlockVectors; u++)
        {
            w.Line($"{Block(block, u)} = {Isa.Fma(repeated, $"bq{u}", Block(block, u))};");
        }
    }

    private string BlockArguments(int block) => string.Join(", ", Enumerable.Range(0, BlockVectors).Select(u => Block(block, u)));

    private void EmitWholeVectorStores(SourceWriter w)
    {
        for (int r = 0; r < Rows; r++)
        {
            for (int v = 0; v < Vectors; v++)
            {
                w.Line(Isa.Store(Accumulator(r, v), "c", (r * Columns) + (v * Isa.Width), Isa.Width));
            }
        }
    }

    private void EmitForwardFinish(SourceWriter w)
    {
        EmitWholeVectorStores(w);
        w.Comment($"Each sample's block summed over its four features: the last 4 units{(Start == TileStart.Accumulate ? ", added to the sums already there" : "")}.");
        for (int r = 0; r < Rows; r++)
        {
            string target = At("c", (r * Columns) + QuadColumn);
            string sum = $"ColumnQuads.SumSteps({BlockArguments(r)})";
            w.Line(Start == TileStart.Accumulate
                ? $"(Vector128.LoadUnsafe(ref {target}) + {sum}).StoreUnsafe(ref {target});"
                : $"{sum}.StoreUnsafe(ref {target});");
        }
    }

    private void EmitKernelGradientFinish(SourceWriter w)
    {
        EmitWholeVectorStores(w);
        w.Comment("Each block's 4 features × last 4 units, stored row by row.");
        for (int q = 0; q < BlockCount; q++)
        {
            w.Line($"ColumnQuads.StoreRows({BlockArguments(q)}, ref {At("c", (4 * q * Columns) + QuadColumn)}, {VectorIsa.Int(Columns)});");
        }
    }
}
