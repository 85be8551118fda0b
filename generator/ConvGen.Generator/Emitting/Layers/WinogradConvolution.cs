using System.Collections.Generic;
using System.Linq;
using ConvGen.Generator.Emitting.Kernels;
using ConvGen.Generator.Model;

namespace ConvGen.Generator.Emitting.Layers;

/// <summary>
/// A 3×3, stride-1 convolution by Winograd's minimal filtering F(2×2, 3×3): each 2×2 block of output pixels (a tile) is
/// Aᵀ[U ⊙ V]A, where V = Bᵀ·d·B is the tile's 4×4 input window transformed and U = G·g·Gᵀ each 3×3 kernel transformed.
/// Summed over the input channels, the products at each of the 16 positions of the 4×4 are one matrix product [tiles,
/// channels] × [channels, filters], so 16 register-tiled products of 1/2.25 the multiply-adds of the direct convolution
/// replace it, plus the transforms (additions only, linear in the tiles and channels). A Conv2D's forward pass is one
/// (<see cref="For"/>); its input gradient, the flipped kernel over the padded output gradient, another
/// (<see cref="ForInputGradient"/>); its kernel gradient is the forward form's own gradient, 16 products reducing over
/// the tiles instead (<see cref="EmitKernelGradientScratch"/>).
/// </summary>
/// <remarks>
/// The tiles are processed one band (a row of tiles: two output rows) at a time: the band's transformed inputs and
/// products (16 · tiles · channels floats each) stay in the L1 and L2 caches between the transform, the products and the
/// output transform. The transformed kernel U is written at the start of every call into the same scratch (its cost,
/// ~100 vector operations per input channel and filter vector, is a few microseconds). The results differ from the
/// direct convolution's by rounding only: the transforms' constants are 1, −1 and ½.
/// </remarks>
/// <param name="Name">The prefix of the kernel transform's and the product tiles' method names.</param>
/// <param name="Channels">The input channels the products reduce over (for an input gradient, the layer's filters).</param>
/// <param name="Filters">The output channels they write (for an input gradient, the layer's input channels).</param>
internal sealed record WinogradConvolution(
    string Name,
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

    /// <summary>When set, each output value is multiplied by this activation's derivative at the same position of the
    /// <c>y</c> image (laid out like the output): an input gradient applying the derivative of the layer before.</summary>
    public ActivationKind? Derivative { get; init; }

    /// <summary>
    /// Whether a convolution runs by Winograd's F(2×2, 3×3): a 3×3 kernel at stride 1, input channels and filters in
    /// multiples of 16 (whole vectors on every instruction set, and products with enough channels to outweigh the
    /// transforms), and an even output height and width (whole 2×2 tiles). Its input gradient then does too: the
    /// transposed convolution swaps the channels and filters, and its output, the zero-bordered input, is 2 larger
    /// than the output either way.
    /// </summary>
    public static bool Applies(Conv2DSpec conv) =>
        conv.KernelHeight == 3 && conv.KernelWidth == 3
        && conv.StrideHeight == 1 && conv.StrideWidth == 1
        && conv.Input.Channels % 16 == 0 && conv.Filters % 16 == 0
        && conv.Output.Height % 2 == 0 && conv.Output.Width % 2 == 0;

    /// <summary>The Winograd forward of <paramref name="conv"/> with its output activation (the one fused into it),
    /// or null when it does not apply.</summary>
    public static WinogradConvolution? For(Conv2DSpec conv, ActivationKind activation) => Applies(conv)
        ? new WinogradConvolution("Winograd", NetworkPlan.PaddedInput(conv).Width, conv.Input.Channels, conv.Output.Height, conv.Output.Width, conv.Filters, conv.UseBias, activation)
        : null;

    /// <summary>The Winograd input gradient of <paramref name="conv"/>: the output gradient inside its zero border of 2
    /// (<see cref="NetworkPlan.DilatedGradient"/>) convolved with the kernel flipped and transposed, one image at a time,
    /// times <paramref name="derivative"/>'s derivative when the layer before hands it on; null when it does not apply.</summary>
    public static WinogradConvolution? ForInputGradient(Conv2DSpec conv, ActivationKind? derivative)
    {
        ShapeSpec padded = NetworkPlan.PaddedInput(conv);
        return Applies(conv)
            ? new WinogradConvolution("InputGradientWinograd", NetworkPlan.DilatedGradient(conv).Width, conv.Filters, padded.Height, padded.Width, conv.Input.Channels, Bias: false, ActivationKind.Linear) { Derivative = derivative }
            : null;
    }

    /// <summary>The floats of a thread's scratch: the transformed kernel, then one band's transformed inputs and
    /// products (<see cref="EmitLoops"/> lays them out in this order); the kernel gradient's is as large (dU, then one
    /// band's V and W: <see cref="EmitKernelGradientScratch"/>).</summary>
    public long ScratchSize => Positions * ((long)KernelSize + InputsSize + ProductsSize);

    /// <summary>What a thread's scratch holds, for the workspace region's comment.</summary>
    public string DescribeScratch() =>
        $"the transformed kernel [16, {Channels}, {Filters}], then one band's transformed inputs [16, {Tiles}, {Channels}] and products [16, {Tiles}, {Filters}]";

    /// <summary>What the kernel gradient's scratch holds (<see cref="EmitKernelGradientScratch"/>), for comments.</summary>
    public string DescribeKernelGradientScratch() =>
        $"dU [16, {Channels}, {Filters}] summed over the images, then one band's transformed inputs V [16, {Tiles}, {Channels}] and transformed output gradients W [16, {Tiles}, {Filters}]";

    private int Tiles => OutWidth / 2;

    private int Bands => OutHeight / 2;

    private int KernelSize => Channels * Filters;

    private int InputsSize => Tiles * Channels;

    private int ProductsSize => Tiles * Filters;

    /// <summary>The method transforming the kernel, [3, 3, channels, filters] → U [16, channels, filters].</summary>
    public void EmitKernelTransform(SourceWriter w, VectorIsa isa)
    {
        w.Method(
            $"Winograd kernel transform: U = G·g·Gᵀ of every (input channel, output channel), the 3×3 taps g [3, 3, {Channels}, {Filters}] -> U [16 positions, {Channels}, {Filters}]; G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1].",
            $"private static void {Name}Kernel{isa.Suffix}(ref float kernel, ref float u)");
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
        EmitScratch(w, isa, "scratch", kernel);
        w.Line($"(int bandFirst, int bandEnd) = Partition.Range({Bands}, part, parts);");
        w.Open("for (int n = 0; n < count; n++)");
        w.Line($"ref float image = ref Unsafe.Add(ref {input}, n * {(OutHeight + 2) * InWidth * Channels});");
        w.Line($"ref float result = ref Unsafe.Add(ref {output}, n * {OutHeight * OutWidth * Filters});");
        IReadOnlyList<TileKernel> tiles = EmitBands(w, isa, "bandFirst", "bandEnd", bias);
        w.Close();
        return tiles;
    }

    /// <summary>Declares the scratch's three parts (<c>u</c>, <c>v</c>, <c>m</c>) at <paramref name="scratch"/> and
    /// transforms <paramref name="kernel"/> into <c>u</c>: once per call, before the loops over the images.</summary>
    public void EmitScratch(SourceWriter w, VectorIsa isa, string scratch, string kernel)
    {
        w.Line($"ref float u = ref {scratch};");
        w.Line($"ref float v = ref Unsafe.Add(ref {scratch}, {Positions * KernelSize});");
        w.Line($"ref float m = ref Unsafe.Add(ref {scratch}, {Positions * (KernelSize + InputsSize)});");
        w.Line($"{Name}Kernel{isa.Suffix}(ref {kernel}, ref u);");
    }

    /// <summary>Writes every band of one image, in a block of its own, after <see cref="EmitScratch"/>: the input
    /// window <paramref name="input"/> into <paramref name="output"/>, times the derivative at <paramref name="y"/> when
    /// <see cref="Derivative"/> is set. Returns the product tiles.</summary>
    public IReadOnlyList<TileKernel> EmitImage(SourceWriter w, VectorIsa isa, string input, string output, string? y)
    {
        w.Open();
        w.Line($"ref float image = ref {input};");
        w.Line($"ref float result = ref {output};");
        if (Derivative is not null)
        {
            w.Line($"ref float yImage = ref {y};");
        }

        IReadOnlyList<TileKernel> tiles = EmitBands(w, isa, "0", VectorIsa.Int(Bands), bias: null);
        w.Close();
        return tiles;
    }

    // The loop over bands first ... end - 1 of `image` into `result`.
    private IReadOnlyList<TileKernel> EmitBands(SourceWriter w, VectorIsa isa, string first, string end, string? bias)
    {
        Blocking blocking = Blocking.Choose(isa, Filters, Tiles);
        var family = new TileFamily(Name + "Product", isa, (name, rows, panel) => Tile(isa, name, rows, panel));
        w.Open($"for (int band = {first}; band < {end}; band++)");
        w.Comment($"Band `band`: output rows 2·band and 2·band + 1, {Tiles} tiles of 2×2 pixels; their 4×4 input windows start at input row 2·band.");
        w.Line($"ref float inRow = ref Unsafe.Add(ref image, band * {2 * InWidth * Channels});");
        w.Line($"ref float outRow = ref Unsafe.Add(ref result, band * {2 * OutWidth * Filters});");
        if (Derivative is not null)
        {
            w.Line($"ref float yRow = ref Unsafe.Add(ref yImage, band * {2 * OutWidth * Filters});");
        }

        EmitInputTransform(w, isa, "v");

        w.Comment($"The 16 products, each [{Tiles} tiles, {Channels} input channels] × [{Channels}, {Filters} output channels] -> M [16 positions, {Tiles}, {Filters}].");
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
        return family.Tiles;
    }

    /// <summary>
    /// Declares the kernel gradient's scratch at <paramref name="scratch"/> (<c>gu</c>: the accumulated products dU
    /// [16, channels, filters]; <c>gv</c> and <c>gw</c>: one band's V [16, tiles, channels] and W [16, tiles,
    /// filters]) and clears dU: once per call, before the loop over the images.
    /// </summary>
    /// <remarks>
    /// The kernel gradient of the Winograd form: Y = Aᵀ[U ⊙ V]A gives ∂L/∂U = (A·dY·Aᵀ) ⊙ V for each tile and, from U =
    /// G·g·Gᵀ, ∂L/∂g = Gᵀ·(∂L/∂U)·G. Summed over tiles before the last (linear) step, dU at each position is one product
    /// [channels, tiles] × [tiles, filters] of the tiles' V and W = A·dY·Aᵀ: 1/2.25 the multiply-adds of the direct
    /// kernel gradient, the same function's gradient, different by rounding only.
    /// </remarks>
    public void EmitKernelGradientScratch(SourceWriter w, string scratch)
    {
        w.Comment($"gu: dU [16, {Channels}, {Filters}], summed over the images; gv and gw: one band's V [16, {Tiles}, {Channels}] and W [16, {Tiles}, {Filters}].");
        w.Line($"ref float gu = ref {scratch};");
        w.Line($"ref float gv = ref Unsafe.Add(ref {scratch}, {Positions * KernelSize});");
        w.Line($"ref float gw = ref Unsafe.Add(ref {scratch}, {Positions * (KernelSize + InputsSize)});");
        w.Line($"TensorLayout.Clear(ref gu, {Positions * KernelSize});");
    }

    /// <summary>Writes the kernel gradient's loop over the bands of one image (after
    /// <see cref="EmitKernelGradientScratch"/>): its input <paramref name="input"/> (zero-bordered, as the forward pass
    /// read it) and output gradient <paramref name="gradient"/> transformed, then dU += Vᵀ·W at the 16 positions.
    /// Returns the product tiles.</summary>
    public IReadOnlyList<TileKernel> EmitKernelGradientImage(SourceWriter w, VectorIsa isa, string input, string gradient)
    {
        Blocking blocking = Blocking.Choose(isa, Filters, Channels);
        var family = new TileFamily(Name + "KernelGradient", isa, (name, rows, panel) => KernelGradientTile(isa, name, rows, panel));
        w.Open($"for (int band = 0; band < {Bands}; band++)");
        w.Comment($"Band `band`: the {Tiles} tiles of output rows 2·band and 2·band + 1 and their 4×4 input windows from input row 2·band.");
        w.Line($"ref float inRow = ref Unsafe.Add(ref {input}, band * {2 * InWidth * Channels});");
        w.Line($"ref float gradientRow = ref Unsafe.Add(ref {gradient}, band * {2 * OutWidth * Filters});");
        EmitInputTransform(w, isa, "gv");
        EmitGradientTransform(w, isa);
        w.Comment($"dU += Vᵀ·W at each of the 16 positions: [{Channels} channels, {Tiles} tiles] × [{Tiles} tiles, {Filters} filters], added to dU [16, {Channels}, {Filters}].");
        w.Open($"for (int p = 0; p < {Positions}; p++)");
        w.Line($"ref float gvp = ref Unsafe.Add(ref gv, p * {InputsSize});");
        w.Line($"ref float gwp = ref Unsafe.Add(ref gw, p * {ProductsSize});");
        w.Line($"ref float gup = ref Unsafe.Add(ref gu, p * {KernelSize});");
        blocking.EmitKnownRows(w, "c", (rows, index, first) => TileFamily.ForEachPanel(w, isa, blocking.Panels, (column, panel) => w.Line(family.Get(rows, panel).Call(
            TileFamily.Offset("gvp", index ?? VectorIsa.Int(first)),
            TileFamily.Offset("gwp", column),
            TileFamily.Offset("gup", TileFamily.Plus(index is null ? VectorIsa.Int(first * Filters) : $"{index} * {Filters}", column))))));
        w.Close();
        w.Close();
        return family.Tiles;
    }

    /// <summary>The method turning the summed products into the kernel gradient, dU [16, channels, filters] → ∂L/∂g =
    /// Gᵀ·dU·G [3, 3, channels, filters], written over the thread's kernel gradient.</summary>
    public void EmitKernelGradientTransform(SourceWriter w, VectorIsa isa)
    {
        w.Method(
            $"Winograd kernel gradient: ∂L/∂g = Gᵀ·dU·G of every (input channel, filter), dU [16 positions, {Channels}, {Filters}] -> the kernel gradient [3, 3, {Channels}, {Filters}]; Gᵀ = [1 ½ ½ 0; 0 ½ −½ 0; 0 ½ ½ 1].",
            $"private static void {KernelGradientTransformName(isa)}(ref float gu, ref float kernelGradient)");
        w.Open($"for (int c = 0; c < {Channels}; c++)");
        w.Open($"for (int f = 0; f < {Filters}; f += {isa.Width})");
        w.Line($"int at = (c * {Filters}) + f;");
        w.Comment($"The 16 positions of (c, f..f + {isa.Width - 1}), {KernelSize} floats apart.");
        for (int i = 0; i < 4; i++)
        {
            w.Line($"{isa.Vector} " + string.Join(", ", Enumerable.Range(0, 4).Select(j => $"u{i}{j} = {isa.LoadAt("gu", TileFamily.Plus("at", VectorIsa.Int(((4 * i) + j) * KernelSize)))}")) + ";");
        }

        w.Comment("Gᵀ·dU: three rows from the four.");
        for (int j = 0; j < 4; j++)
        {
            w.Line($"{isa.Vector} r0{j} = u0{j} + ((u1{j} + u2{j}) * 0.5f), r1{j} = (u1{j} - u2{j}) * 0.5f, r2{j} = ((u1{j} + u2{j}) * 0.5f) + u3{j};");
        }

        w.Comment($"(Gᵀ·dU)·G: three columns from the four; tap (ky, kx) at (3ky + kx) · {KernelSize}.");
        for (int ky = 0; ky < 3; ky++)
        {
            string[] taps = [$"r{ky}0 + ((r{ky}1 + r{ky}2) * 0.5f)", $"(r{ky}1 - r{ky}2) * 0.5f", $"((r{ky}1 + r{ky}2) * 0.5f) + r{ky}3"];
            for (int kx = 0; kx < 3; kx++)
            {
                w.Line(isa.StoreAt(taps[kx], "kernelGradient", TileFamily.Plus("at", VectorIsa.Int(((3 * ky) + kx) * KernelSize))));
            }
        }

        w.Close();
        w.Close();
        w.Close();
    }

    /// <summary>The name of the method <see cref="EmitKernelGradientTransform"/> writes.</summary>
    public string KernelGradientTransformName(VectorIsa isa) => $"{Name}KernelGradientTransform{isa.Suffix}";

    /// <summary>W = A·dY·Aᵀ of every tile of the band's output gradient dY (2×2 per filter), A = [1 0; 1 1; 1 −1; 0 −1];
    /// position 4i + j of tile t at ((4i + j) · tiles + t) · filters.</summary>
    private void EmitGradientTransform(SourceWriter w, VectorIsa isa)
    {
        int row = OutWidth * Filters;
        w.Comment($"Gradient transform: W = A·dY·Aᵀ of each tile's 2×2 output gradient dY, [16 positions, {Tiles} tiles, {Filters} filters].");
        w.Open($"for (int t = 0; t < {Tiles}; t++)");
        w.Open($"for (int f = 0; f < {Filters}; f += {isa.Width})");
        w.Line($"ref float g = ref Unsafe.Add(ref gradientRow, (t * {2 * Filters}) + f);");
        w.Line($"ref float wt = ref Unsafe.Add(ref gw, (t * {Filters}) + f);");
        w.Line($"{isa.Vector} g00 = {isa.Load("g")}, g01 = {isa.Load("g", Filters)}, g10 = {isa.Load("g", row)}, g11 = {isa.Load("g", row + Filters)};");
        // Row i of A·dY, from the tile's two rows: 0, 0 + 1, 0 − 1, −1; each then spreads over four columns by Aᵀ.
        (string X, string Y, string Rows)[] rows = [("g00", "g01", "row 0"), ("g00 + g10", "g01 + g11", "row 0 + row 1"), ("g00 - g10", "g01 - g11", "row 0 - row 1"), ("-g10", "-g11", "-row 1")];
        for (int i = 0; i < 4; i++)
        {
            (string x, string y, string text) = rows[i];
            w.Comment($"Row {i} of A·dY ({text}), then its columns by Aᵀ.");
            w.Open();
            w.Line($"{isa.Vector} x = {x}, y = {y};");
            string[] columns = ["x", "x + y", "x - y", "-y"];
            for (int j = 0; j < 4; j++)
            {
                w.Line(isa.Store(columns[j], "wt", ((4 * i) + j) * ProductsSize, isa.Width));
            }

            w.Close();
        }

        w.Close();
        w.Close();
    }

    /// <summary>V = Bᵀ·d·B of every tile of the band and every vector of channels, Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0;
    /// 0 1 0 −1]; position 4i + j of tile t at ((4i + j) · tiles + t) · channels.</summary>
    private void EmitInputTransform(SourceWriter w, VectorIsa isa, string v)
    {
        int row = InWidth * Channels;
        w.Comment($"Input transform: V = Bᵀ·d·B of each tile's 4×4 window d, [16 positions, {Tiles} tiles, {Channels} input channels].");
        w.Open($"for (int t = 0; t < {Tiles}; t++)");
        w.Open($"for (int c = 0; c < {Channels}; c += {isa.Width})");
        w.Line($"ref float d = ref Unsafe.Add(ref inRow, (t * {2 * Channels}) + c);");
        w.Line($"ref float vt = ref Unsafe.Add(ref {v}, (t * {Channels}) + c);");
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
        string then = Derivative is ActivationKind d ? $", times {ActivationCode.Describe(d)}'(y)" : Activation == ActivationKind.Linear ? "" : ", then " + ActivationCode.Describe(Activation);
        w.Comment($"Output transform: the tile's 2×2 pixels Y = Aᵀ·M·A{(Bias ? ", plus the bias" : "")}{then}.");
        w.Open($"for (int t = 0; t < {Tiles}; t++)");
        w.Open($"for (int f = 0; f < {Filters}; f += {isa.Width})");
        w.Line($"ref float mt = ref Unsafe.Add(ref m, (t * {Filters}) + f);");
        w.Line($"ref float y = ref Unsafe.Add(ref outRow, (t * {2 * Filters}) + f);");
        if (Derivative is not null)
        {
            w.Line($"ref float yt = ref Unsafe.Add(ref yRow, (t * {2 * Filters}) + f);");
        }

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
                int at = (r * OutWidth * Filters) + (x * Filters);
                string written = Derivative is ActivationKind derivative
                    ? ActivationCode.VectorDerivative(isa, derivative, value, isa.Load("yt", at))
                    : ActivationCode.Vector(isa, Activation, $"({value})");
                w.Line(isa.Store(written, "y", at, isa.Width));
            }

            w.Close();
        }

        w.Close();
        w.Close();
    }

    private TileKernel KernelGradientTile(VectorIsa isa, string name, int rows, Panel panel) => new(
        name,
        isa,
        Enumerable.Range(0, rows).ToArray(),
        Enumerable.Range(0, rows).Select(r => r * Filters).ToArray(),
        panel.Vectors,
        panel.LastLanes,
        [new ReductionLoop("tile", Tiles, Channels, Filters)],
        TileStart.Accumulate,
        ActivationKind.Linear,
        $"Winograd kernel gradient at one position: adds to {SourceWriter.Count(rows, "channels")} × {panel.Columns(isa)} filters of dU the products over a band's {Tiles} tiles.");

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
        $"Winograd product at one position: {SourceWriter.Count(rows, "tiles")} × {panel.Columns(isa)} output channels, reducing over {Channels} input channels.");
}
