using System.Collections.Generic;
using System.Linq;
using ConvGen.Generator.Emitting.Kernels;
using ConvGen.Generator.Model;

namespace ConvGen.Generator.Emitting.Layers;

/// <summary>
/// A 3×3, stride-1 convolution's forward pass by Winograd's minimal filtering F(2×2, 3×3): each 2×2 block of output
/// pixels (a tile) is Aᵀ[U ⊙ V]A, where V = Bᵀ·d·B is the tile's 4×4 input window transformed and U = G·g·Gᵀ each
/// 3×3 kernel transformed. Summed over the input channels, the products at each of the 16 positions of the 4×4 are
/// one matrix product [tiles, channels] × [channels, filters], so 16 register-tiled products of 1/2.25 the multiply-adds
/// of the direct convolution replace it, plus the transforms (additions only, linear in the tiles and channels).
/// </summary>
/// <remarks>
/// The tiles are processed one band (a row of tiles: two output rows) at a time: the band's transformed inputs and
/// products (16 · tiles · channels floats each) stay in the L1 and L2 caches between the transform, the products and the
/// output transform. The transformed kernel U is written at the start of every call into the same scratch (its cost,
/// ~100 vector operations per input channel and filter vector, is a few microseconds). The results differ from the
/// direct convolution's by rounding only: the transforms' constants are 1, −1 and ½. The backward pass stays the direct
/// convolution's (its gradients are those of the same function).
/// </remarks>
internal sealed record WinogradConvolution(
    int InWidth,
    int Channels,
    int OutHeight,
    int OutWidth,
    int Filters,
    bool Bias,
    ActivationKind Activation)
{
    /// <summary>The 16 positions of a transformed 4×4 tile.</summary>
    private const int Positions = 16;

    /// <summary>
    /// Whether a convolution's forward pass uses Winograd's F(2×2, 3×3): a 3×3 kernel at stride 1, input channels and
    /// filters in multiples of 16 (whole vectors on every instruction set, and products with enough channels to
    /// outweigh the transforms), and an even output height and width (whole 2×2 tiles).
    /// </summary>
    public static bool Applies(Conv2DSpec conv) =>
        conv.KernelHeight == 3 && conv.KernelWidth == 3
        && conv.StrideHeight == 1 && conv.StrideWidth == 1
        && conv.Input.Channels % 16 == 0 && conv.Filters % 16 == 0
        && conv.Output.Height % 2 == 0 && conv.Output.Width % 2 == 0;

    /// <summary>The Winograd forward of <paramref name="conv"/> with its output activation (the one fused into it),
    /// or null when it does not apply.</summary>
    public static WinogradConvolution? For(Conv2DSpec conv, ActivationKind activation) => Applies(conv)
        ? new WinogradConvolution(NetworkPlan.PaddedInput(conv).Width, conv.Input.Channels, conv.Output.Height, conv.Output.Width, conv.Filters, conv.UseBias, activation)
        : null;

    /// <summary>The floats of a thread's scratch: the transformed kernel, then one band's transformed inputs and
    /// products (<see cref="EmitLoops"/> lays them out in this order).</summary>
    public long ScratchSize => Positions * ((long)KernelSize + InputsSize + ProductsSize);

    /// <summary>What a thread's scratch holds, for the workspace region's comment.</summary>
    public string DescribeScratch() =>
        $"the transformed kernel [16, {Channels}, {Filters}], then one band's transformed inputs [16, {Tiles}, {Channels}] and products [16, {Tiles}, {Filters}]";

    private int Tiles => OutWidth / 2;

    private int Bands => OutHeight / 2;

    private int KernelSize => Channels * Filters;

    private int InputsSize => Tiles * Channels;

    private int ProductsSize => Tiles * Filters;

    /// <summary>The method transforming the kernel, [3, 3, channels, filters] → U [16, channels, filters].</summary>
    public void EmitKernelTransform(SourceWriter w, VectorIsa isa)
    {
        w.Method(
            $"Winograd kernel transform: U = G·g·Gᵀ of every (input channel, filter), the 3×3 taps g [3, 3, {Channels}, {Filters}] -> U [16 positions, {Channels}, {Filters}]; G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1].",
            $"private static void WinogradKernel{isa.Suffix}(ref float kernel, ref float u)");
        w.Open($"for (int c = 0; c < {Channels}; c++)");
        w.Open($"for (int f = 0; f < {Filters}; f += {isa.Width})");
        w.Line($"int at = (c * {Filters}) + f;");
        w.Comment($"The nine taps of (c, f..f + {isa.Width - 1}), {KernelSize} floats apart.");
        for (int ky = 0; ky < 3; ky++)
        {
            w.Line($"{isa.Vector} " + string.Join(", ", Enumerable.Range(0, 3).Select(kx => $"g{ky}{kx} = {isa.LoadAt("kernel", TileFamily.Plus("at", VectorIsa.Int(((ky * 3) + kx) * KernelSize)))}")) + ";");
        }

        w.Comment("G·g: four rows from the three kernel rows.");
        for (int kx = 0; kx < 3; kx++)
        {
            w.Line($"{isa.Vector} t0{kx} = g0{kx}, t1{kx} = (g0{kx} + g1{kx} + g2{kx}) * 0.5f, t2{kx} = (g0{kx} - g1{kx} + g2{kx}) * 0.5f, t3{kx} = g2{kx};");
        }

        w.Comment($"(G·g)·Gᵀ: four columns from three; position 4i + j at (4i + j) · {KernelSize}.");
        for (int i = 0; i < 4; i++)
        {
            string[] columns = [$"t{i}0", $"(t{i}0 + t{i}1 + t{i}2) * 0.5f", $"(t{i}0 - t{i}1 + t{i}2) * 0.5f", $"t{i}2"];
            for (int j = 0; j < 4; j++)
            {
                w.Line(isa.StoreAt(columns[j], "u", TileFamily.Plus("at", VectorIsa.Int(((4 * i) + j) * KernelSize))));
            }
        }

        w.Close();
        w.Close();
        w.Close();
    }

    /// <summary>Writes the forward pass's body (the caller declares the method): the kernel transform, then per image
    /// and band the input transform, the 16 products and the output transform. Returns the product tiles.</summary>
    /// <remarks>Channels and filters are whole vectors of every width (<see cref="Applies"/>): the path's own vectors
    /// serve the transforms and the products alike.</remarks>
    public IReadOnlyList<TileKernel> EmitLoops(SourceWriter w, VectorIsa isa, string input, string kernel, string? bias, string output)
    {
        Blocking blocking = Blocking.Choose(isa, Filters, Tiles);
        var family = new TileFamily("WinogradProduct", isa, (name, rows, panel) => Tile(isa, name, rows, panel));

        w.Line("ref float u = ref scratch;");
        w.Line($"ref float v = ref Unsafe.Add(ref scratch, {Positions * KernelSize});");
        w.Line($"ref float m = ref Unsafe.Add(ref scratch, {Positions * (KernelSize + InputsSize)});");
        w.Line($"WinogradKernel{isa.Suffix}(ref {kernel}, ref u);");
        w.Line($"(int bandFirst, int bandEnd) = Partition.Range({Bands}, part, parts);");
        w.Open("for (int n = 0; n < count; n++)");
        w.Line($"ref float image = ref Unsafe.Add(ref {input}, n * {(OutHeight + 2) * InWidth * Channels});");
        w.Line($"ref float result = ref Unsafe.Add(ref {output}, n * {OutHeight * OutWidth * Filters});");
        w.Open("for (int band = bandFirst; band < bandEnd; band++)");
        w.Comment($"Band `band`: output rows 2·band and 2·band + 1, {Tiles} tiles of 2×2 pixels; their 4×4 input windows start at input row 2·band.");
        w.Line($"ref float inRow = ref Unsafe.Add(ref image, band * {2 * InWidth * Channels});");
        w.Line($"ref float outRow = ref Unsafe.Add(ref result, band * {2 * OutWidth * Filters});");
        EmitInputTransform(w, isa);

        w.Comment($"The 16 products, each [{Tiles} tiles, {Channels} channels] × [{Channels}, {Filters}] -> M [16 positions, {Tiles}, {Filters}].");
        w.Open($"for (int p = 0; p < {Positions}; p++)");
        w.Line($"ref float vp = ref Unsafe.Add(ref v, p * {InputsSize});");
        w.Line($"ref float up = ref Unsafe.Add(ref u, p * {KernelSize});");
        w.Line($"ref float mp = ref Unsafe.Add(ref m, p * {ProductsSize});");
        blocking.EmitKnownRows(w, "t", (rows, index, first) => TileFamily.ForEachPanel(w, isa, blocking.Panels, (column, panel) => w.Line(family.Get(rows, panel).Call(
            TileFamily.Offset("vp", index is null ? VectorIsa.Int(first * Channels) : $"{index} * {Channels}"),
            TileFamily.Offset("up", column),
            TileFamily.Offset("mp", TileFamily.Plus(index is null ? VectorIsa.Int(first * Filters) : $"{index} * {Filters}", column))))));
        w.Close();

        EmitOutputTransform(w, isa, bias);
        w.Close();
        w.Close();
        return family.Tiles;
    }

    /// <summary>V = Bᵀ·d·B of every tile of the band and every vector of channels, Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0;
    /// 0 1 0 −1]; position 4i + j of tile t at ((4i + j) · tiles + t) · channels.</summary>
    private void EmitInputTransform(SourceWriter w, VectorIsa isa)
    {
        int row = InWidth * Channels;
        w.Comment($"Input transform: V = Bᵀ·d·B of each tile's 4×4 window d, [16 positions, {Tiles} tiles, {Channels} channels].");
        w.Open($"for (int t = 0; t < {Tiles}; t++)");
        w.Open($"for (int c = 0; c < {Channels}; c += {isa.Width})");
        w.Line($"ref float d = ref Unsafe.Add(ref inRow, (t * {2 * Channels}) + c);");
        w.Line($"ref float vt = ref Unsafe.Add(ref v, (t * {Channels}) + c);");
        // Row i of Bᵀ·d combines two window rows: (0, −2), (1, +2), (2, −1), (1, −3).
        (int First, int Second, string Sign)[] rows = [(0, 2, "-"), (1, 2, "+"), (2, 1, "-"), (1, 3, "-")];
        for (int i = 0; i < 4; i++)
        {
            (int first, int second, string sign) = rows[i];
            w.Comment($"Row {i} of Bᵀ·d (window row {first} {sign} row {second}), then its columns by B.");
            w.Open();
            string Pixel(int r, int j) => isa.Load("d", (r * row) + (j * Channels));
            w.Line($"{isa.Vector} " + string.Join(", ", Enumerable.Range(0, 4).Select(j => $"e{j} = {Pixel(first, j)} {sign} {Pixel(second, j)}")) + ";");
            string[] columns = ["e0 - e2", "e1 + e2", "e2 - e1", "e1 - e3"];
            for (int j = 0; j < 4; j++)
            {
                w.Line(isa.Store(columns[j], "vt", ((4 * i) + j) * InputsSize, isa.Width));
            }

            w.Close();
        }

        w.Close();
        w.Close();
    }

    /// <summary>Y = Aᵀ·M·A of every tile, Aᵀ = [1 1 1 0; 0 1 −1 −1], then the bias and the activation, into the band's
    /// two output rows.</summary>
    private void EmitOutputTransform(SourceWriter w, VectorIsa isa, string? bias)
    {
        w.Comment($"Output transform: the tile's 2×2 pixels Y = Aᵀ·M·A{(Bias ? ", plus the bias" : "")}{(Activation == ActivationKind.Linear ? "" : ", then " + ActivationCode.Describe(Activation))}.");
        w.Open($"for (int t = 0; t < {Tiles}; t++)");
        w.Open($"for (int f = 0; f < {Filters}; f += {isa.Width})");
        w.Line($"ref float mt = ref Unsafe.Add(ref m, (t * {Filters}) + f);");
        w.Line($"ref float y = ref Unsafe.Add(ref outRow, (t * {2 * Filters}) + f);");
        if (Bias)
        {
            w.Line($"{isa.Vector} b = {isa.LoadAt(bias!, "f")};");
        }

        string M(int i, int j) => isa.Load("mt", ((4 * i) + j) * ProductsSize);
        // Row r of Aᵀ·M: M rows 0 + 1 + 2, or 1 − 2 − 3.
        (int A, int B, int C, string Sign, string Rows)[] rows = [(0, 1, 2, "+", "0 + 1 + 2"), (1, 2, 3, "-", "1 - 2 - 3")];
        for (int r = 0; r < 2; r++)
        {
            (int a, int b, int c, string sign, string text) = rows[r];
            w.Comment($"Output row {r}: row {r} of Aᵀ·M (M rows {text}), then its columns by A.");
            w.Open();
            string Combine(int j) => sign == "+" ? $"{M(a, j)} + {M(b, j)} + {M(c, j)}" : $"{M(a, j)} - {M(b, j)} - {M(c, j)}";
            w.Line($"{isa.Vector} " + string.Join(", ", Enumerable.Range(0, 4).Select(j => $"s{j} = {Combine(j)}")) + ";");
            string[] pixels = ["s0 + s1 + s2", "s1 - s2 - s3"];
            for (int x = 0; x < 2; x++)
            {
                string value = Bias ? $"{pixels[x]} + b" : pixels[x];
                w.Line(isa.Store(ActivationCode.Vector(isa, Activation, $"({value})"), "y", (r * OutWidth * Filters) + (x * Filters), isa.Width));
            }

            w.Close();
        }

        w.Close();
        w.Close();
    }

    private TileKernel Tile(VectorIsa isa, string name, int rows, Panel panel) => new(
        name,
        isa,
        Enumerable.Range(0, rows).Select(r => r * Channels).ToArray(),
        Enumerable.Range(0, rows).Select(r => r * Filters).ToArray(),
        panel.Vectors,
        panel.LastLanes,
        [new ReductionLoop("channel", Channels, 1, Filters)],
        TileStart.Zero,
        ActivationKind.Linear,
        $"Winograd product at one position: {SourceWriter.Count(rows, "tiles")} × {panel.Columns(isa)} filters, reducing over {Channels} channels.");
}
