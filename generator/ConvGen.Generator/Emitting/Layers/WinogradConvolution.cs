using System.Collections.Generic;
using System.Linq;
using ConvGen.Generator.Emitting.Kernels;
using ConvGen.Generator.Model;

namespace ConvGen.Generator.Emitting.Layers;

/// <summary>
/// A 3×3, stride-1 convolution by Winograd's minimal filtering F(m×m, 3×3) (<see cref="WinogradAlgorithm"/>: m = 4
/// when whole 4×4 tiles cover the output, else 2): each m×m block of output pixels (a tile) is Aᵀ[U ⊙ V]A, where V =
/// Bᵀ·d·B is the tile's (m + 2)×(m + 2) input window transformed and U = G·g·Gᵀ each 3×3 kernel transformed. Summed
/// over the input channels, the products at each of the (m + 2)² positions are one matrix product [tiles, channels] ×
/// [channels, filters], so (m + 2)² register-tiled products of 1/2.25 (m = 2) or 1/4 (m = 4) the multiply-adds of the
/// direct convolution replace it, plus the transforms (linear in the tiles and channels). A Conv2D's forward pass is
/// one (<see cref="For"/>); its input gradient, the flipped kernel over the padded output gradient, another
/// (<see cref="ForInputGradient"/>); its kernel gradient is the forward form's own gradient, the products reducing
/// over the tiles instead (<see cref="EmitKernelGradientScratch"/>).
/// </summary>
/// <remarks>
/// The tiles are processed one band (a row of tiles: m output rows) at a time: the band's transformed inputs and
/// products ((m + 2)² · tiles · channels floats each) stay in the L1 and L2 caches between the transform, the products
/// and the output transform. The transformed kernel U is written at the start of every call into the same scratch (a
/// few microseconds), except in a split pass: there it is kept from one call to the next and transformed again only
/// when the kernel changed (<see cref="EmitKeepTransformedKernel"/>). The results differ from the direct convolution's
/// by rounding only.
/// </remarks>
/// <param name="Name">The prefix of the kernel transform's and the product tiles' method names.</param>
/// <param name="Algorithm">F(2×2, 3×3) or F(4×4, 3×3).</param>
/// <param name="Channels">The input channels the products reduce over (for an input gradient, the layer's filters).</param>
/// <param name="Filters">The output channels they write (for an input gradient, the layer's input channels).</param>
internal sealed record WinogradConvolution(
    string Name,
    WinogradAlgorithm Algorithm,
    int InWidth,
    int Channels,
    int OutHeight,
    int OutWidth,
    int Filters,
    bool Bias,
    ActivationKind Activation)
{
    /// <summary>When set, each output value is multiplied by this activation's derivative at the same position of the
    /// <c>y</c> image (laid out like the output): an input gradient applying the derivative of the layer before.</summary>
    public ActivationKind? Derivative { get; init; }

    /// <summary>
    /// Whether a convolution runs by Winograd's minimal filtering: a 3×3 kernel at stride 1, input channels and filters
    /// in multiples of 16 (whole vectors on every instruction set, and products with enough channels to outweigh the
    /// transforms), and an even output height and width (whole 2×2 tiles at least). Its input gradient then does too:
    /// the transposed convolution swaps the channels and filters, and its output, the zero-bordered input, is 2 larger
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
        ? new WinogradConvolution("Winograd", WinogradAlgorithm.For(conv.Output.Height, conv.Output.Width), NetworkPlan.PaddedInput(conv).Width, conv.Input.Channels, conv.Output.Height, conv.Output.Width, conv.Filters, conv.UseBias, activation)
        : null;

    /// <summary>The Winograd input gradient of <paramref name="conv"/>: the output gradient inside its zero border of 2
    /// (<see cref="NetworkPlan.DilatedGradient"/>) convolved with the kernel flipped and transposed, one image at a time,
    /// times <paramref name="derivative"/>'s derivative when the layer before hands it on; null when it does not apply.</summary>
    public static WinogradConvolution? ForInputGradient(Conv2DSpec conv, ActivationKind? derivative)
    {
        ShapeSpec padded = NetworkPlan.PaddedInput(conv);
        return Applies(conv)
            ? new WinogradConvolution("InputGradientWinograd", WinogradAlgorithm.For(padded.Height, padded.Width), NetworkPlan.DilatedGradient(conv).Width, conv.Filters, padded.Height, padded.Width, conv.Input.Channels, Bias: false, ActivationKind.Linear) { Derivative = derivative }
            : null;
    }

    /// <summary>The floats of a thread's scratch: the transformed kernel, then one band's transformed inputs and
    /// products (<see cref="EmitScratch"/> lays them out in this order); the kernel gradient's is as large (dU, then one
    /// band's V and W: <see cref="EmitKernelGradientScratch"/>).</summary>
    public long ScratchSize => TransformedKernelSize + BandScratchSize;

    /// <summary>The floats of the transformed kernel U: <see cref="Positions"/> positions, <see cref="KernelStride"/>
    /// floats apart.</summary>
    public long TransformedKernelSize => (long)Positions * KernelStride;

    /// <summary>The floats of one band's transformed inputs and products, the scratch <see cref="EmitLoops"/> takes.</summary>
    public long BandScratchSize => (long)Positions * (InputsSize + ProductsSize);

    /// <summary>The floats of a transformed kernel kept from one call to the next
    /// (<see cref="EmitKeepTransformedKernel"/>): U, then the 3×3 taps it was transformed from.</summary>
    public long KeptKernelSize => TransformedKernelSize + (9L * KernelSize);

    /// <summary>What a thread's scratch holds, for the workspace region's comment.</summary>
    public string DescribeScratch() => $"the transformed kernel {KernelLayout}, then {DescribeBandScratch()}";

    /// <summary>What a split pass's part's scratch holds (<see cref="BandScratchSize"/>), for the region's comment.</summary>
    public string DescribeBandScratch() =>
        $"one band's transformed inputs [{Positions}, {Tiles}, {Channels}] and products [{Positions}, {Tiles}, {Filters}]";

    /// <summary>What the kept transformed kernel holds (<see cref="KeptKernelSize"/>), for the region's comment.</summary>
    public string DescribeKeptKernel() => $"U {KernelLayout}, then the taps [3, 3, {Channels}, {Filters}] it was transformed from";

    /// <summary>The shape of U (or dU) and the stride of its positions, for comments.</summary>
    private string KernelLayout => $"[{Positions}, {Channels}, {Filters}] (positions {KernelStride} floats apart)";

    /// <summary>What the kernel gradient's scratch holds (<see cref="EmitKernelGradientScratch"/>), for comments.</summary>
    public string DescribeKernelGradientScratch() =>
        $"dU {KernelLayout} summed over the images, then one band's transformed inputs V [{Positions}, {Tiles}, {Channels}] and transformed output gradients W [{Positions}, {Tiles}, {Filters}]";

    /// <summary>The positions of a transformed tile, one product each.</summary>
    private int Positions => Algorithm.Positions;

    /// <summary>m: a tile's output rows and columns.</summary>
    private int Tile => Algorithm.Tile;

    private int Tiles => OutWidth / Tile;

    private int Bands => OutHeight / Tile;

    private int KernelSize => Channels * Filters;

    /// <summary>The floats from one position of U (or dU) to the next: the kernel's channels × filters and one cache
    /// line more, so that the positions' rows, read and written side by side, do not all fall in the same set of the
    /// L1 cache (channels × filters is a multiple of 1024 floats, 4 KB, in most layers).</summary>
    private int KernelStride => KernelSize + 16;

    private int InputsSize => Tiles * Channels;

    private int ProductsSize => Tiles * Filters;

    /// <summary>The method transforming the kernel, [3, 3, channels, filters] → U [positions, channels, filters]: every
    /// input channel, or those from <c>first</c> to <c>end</c> - 1.</summary>
    public void EmitKernelTransform(SourceWriter w, VectorIsa isa)
    {
        int window = Algorithm.Window;
        w.Method(
            $"Winograd kernel transform of {Algorithm}: U = G·g·Gᵀ of every (input channel, output channel), the 3×3 taps g [3, 3, {Channels}, {Filters}] -> U [{Positions} positions, {Channels}, {Filters}], for the input channels first ... end - 1; G = {Algorithm.G}.",
            $"private static void {Name}Kernel{isa.Suffix}(ref float kernel, ref float u, int first = 0, int end = {Channels})");
        w.Open("for (int c = first; c < end; c++)");
        w.Open($"for (int f = 0; f < {Filters}; f += {isa.Width})");
        w.Line($"int at = (c * {Filters}) + f;");
        w.Comment($"The nine taps of (c, f..f + {isa.Width - 1}), {KernelSize} floats apart; position {window}i + j of U at ({window}i + j) · {KernelStride}.");
        for (int ky = 0; ky < 3; ky++)
        {
            w.Line($"{isa.Vector} " + string.Join(", ", Enumerable.Range(0, 3).Select(kx => $"g{ky}{kx} = {isa.LoadAt("kernel", TileFamily.Plus("at", VectorIsa.Int(((ky * 3) + kx) * KernelSize)))}")) + ";");
        }

        TileTransform.Emit(w, isa, Algorithm.G, "g", Algorithm.Gt, (ky, kx) => $"g{ky}{kx}", (i, j, value) =>
            w.Line(isa.StoreAt(value, "u", TileFamily.Plus("at", VectorIsa.Int(((window * i) + j) * KernelStride)))));
        w.Close();
        w.Close();
        w.Close();
    }

    /// <summary>
    /// The method keeping a transformed kernel from one call to the next, for a split pass: part <c>part</c> of
    /// <c>parts</c> compares its share of the input channels' taps with the copy kept beside U and, only when a bit
    /// differs, transforms them again and keeps the new taps. Each call's parts together check every channel, so U is
    /// always the transform of the kernel passed, however the weights changed (training, loading, a write through
    /// <c>Parameters</c>); comparing the taps (9 · channels · filters floats) costs a fraction of transforming them.
    /// </summary>
    public void EmitKeepTransformedKernel(SourceWriter w, VectorIsa isa)
    {
        w.Method(
            $"Split inference: makes the transformed kernel kept in `kept` that of `kernel` for part `part` of `parts` of the input channels, transforming them again only when their taps changed; `kept` holds {DescribeKeptKernel()}.",
            $"public static void KeepTransformedKernel{isa.Suffix}(ref float kernel, ref float kept, int part, int parts)");
        w.Line($"(int first, int end) = Partition.Range({Channels}, part, parts);");
        w.Line($"ref float keptTaps = ref Unsafe.Add(ref kept, {VectorIsa.Int(TransformedKernelSize)});");
        w.Comment($"The part's rows [channels first ... end - 1, {Filters} filters] of each of the 9 taps, {KernelSize} floats apart.");
        w.Open("for (int tap = 0; tap < 9; tap++)");
        w.Line($"int at = (tap * {KernelSize}) + (first * {Filters});");
        w.Open($"if (!TensorLayout.SameBits(ref Unsafe.Add(ref kernel, at), ref Unsafe.Add(ref keptTaps, at), (end - first) * {Filters}))");
        w.Comment("A bit changed: transform the part's channels again, and keep the taps they came from.");
        w.Line($"{Name}Kernel{isa.Suffix}(ref kernel, ref kept, first, end);");
        w.Open("for (int copied = 0; copied < 9; copied++)");
        w.Line($"int row = (copied * {KernelSize}) + (first * {Filters});");
        w.Line($"TensorLayout.Copy(ref Unsafe.Add(ref kernel, row), ref Unsafe.Add(ref keptTaps, row), (end - first) * {Filters});");
        w.Close();
        w.Line("return;");
        w.Close();
        w.Close();
        w.Close();
    }

    /// <summary>Writes the forward pass's body (the caller declares the method, with the transformed kernel <c>u</c> and
    /// the band's <c>scratch</c> of <see cref="BandScratchSize"/> floats): per image and band the input transform, the
    /// products and the output transform. Returns the product tiles.</summary>
    /// <remarks>Channels and filters are whole vectors of every width (<see cref="Applies"/>): the path's own vectors
    /// serve the transforms and the products alike.</remarks>
    public IReadOnlyList<TileKernel> EmitLoops(SourceWriter w, VectorIsa isa, string input, string? bias, string output)
    {
        w.Line("ref float v = ref scratch;");
        w.Line($"ref float m = ref Unsafe.Add(ref scratch, {VectorIsa.Int((long)Positions * InputsSize)});");
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
        w.Line($"ref float v = ref Unsafe.Add(ref {scratch}, {Positions * KernelStride});");
        w.Line($"ref float m = ref Unsafe.Add(ref {scratch}, {Positions * (KernelStride + InputsSize)});");
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
        var family = new TileFamily(Name + "Product", isa, (name, rows, panel) => ProductTile(isa, name, rows, panel));
        w.Open($"for (int band = {first}; band < {end}; band++)");
        w.Comment($"Band `band`: output rows {Tile}·band to {Tile}·band + {Tile - 1}, {Tiles} tiles of {Tile}×{Tile} pixels; their {Algorithm.Window}×{Algorithm.Window} input windows start at input row {Tile}·band.");
        w.Line($"ref float inRow = ref Unsafe.Add(ref image, band * {Tile * InWidth * Channels});");
        w.Line($"ref float outRow = ref Unsafe.Add(ref result, band * {Tile * OutWidth * Filters});");
        if (Derivative is not null)
        {
            w.Line($"ref float yRow = ref Unsafe.Add(ref yImage, band * {Tile * OutWidth * Filters});");
        }

        EmitInputTransform(w, isa, "v");

        w.Comment($"The {Positions} products, each [{Tiles} tiles, {Channels} input channels] × [{Channels}, {Filters} output channels] -> M [{Positions} positions, {Tiles}, {Filters}].");
        w.Open($"for (int p = 0; p < {Positions}; p++)");
        w.Line($"ref float vp = ref Unsafe.Add(ref v, p * {InputsSize});");
        w.Line($"ref float up = ref Unsafe.Add(ref u, p * {KernelStride});");
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
    /// [positions, channels, filters]; <c>gv</c> and <c>gw</c>: one band's V [positions, tiles, channels] and W
    /// [positions, tiles, filters]) and clears dU: once per call, before the loop over the images.
    /// </summary>
    /// <remarks>
    /// The kernel gradient of the Winograd form: Y = Aᵀ[U ⊙ V]A gives ∂L/∂U = (A·dY·Aᵀ) ⊙ V for each tile and, from U =
    /// G·g·Gᵀ, ∂L/∂g = Gᵀ·(∂L/∂U)·G. Summed over tiles before the last (linear) step, dU at each position is one product
    /// [channels, tiles] × [tiles, filters] of the tiles' V and W = A·dY·Aᵀ: the multiply-adds of the forward form, the
    /// same function's gradient as the direct kernel gradient's, different by rounding only.
    /// </remarks>
    public void EmitKernelGradientScratch(SourceWriter w, string scratch)
    {
        w.Comment($"gu: dU [{Positions}, {Channels}, {Filters}], summed over the images; gv and gw: one band's V [{Positions}, {Tiles}, {Channels}] and W [{Positions}, {Tiles}, {Filters}].");
        w.Line($"ref float gu = ref {scratch};");
        w.Line($"ref float gv = ref Unsafe.Add(ref {scratch}, {Positions * KernelStride});");
        w.Line($"ref float gw = ref Unsafe.Add(ref {scratch}, {Positions * (KernelStride + InputsSize)});");
        w.Line($"TensorLayout.Clear(ref gu, {Positions * KernelStride});");
    }

    /// <summary>Writes the kernel gradient's loop over the bands of one image (after
    /// <see cref="EmitKernelGradientScratch"/>): its input <paramref name="input"/> (zero-bordered, as the forward pass
    /// read it) and output gradient <paramref name="gradient"/> transformed, then dU += Vᵀ·W at every position.
    /// Returns the product tiles.</summary>
    public IReadOnlyList<TileKernel> EmitKernelGradientImage(SourceWriter w, VectorIsa isa, string input, string gradient)
    {
        Blocking blocking = Blocking.Choose(isa, Filters, Channels);
        var family = new TileFamily(Name + "KernelGradient", isa, (name, rows, panel) => KernelGradientTile(isa, name, rows, panel));
        w.Open($"for (int band = 0; band < {Bands}; band++)");
        w.Comment($"Band `band`: the {Tiles} tiles of output rows {Tile}·band to {Tile}·band + {Tile - 1} and their {Algorithm.Window}×{Algorithm.Window} input windows from input row {Tile}·band.");
        w.Line($"ref float inRow = ref Unsafe.Add(ref {input}, band * {Tile * InWidth * Channels});");
        w.Line($"ref float gradientRow = ref Unsafe.Add(ref {gradient}, band * {Tile * OutWidth * Filters});");
        EmitInputTransform(w, isa, "gv");
        EmitGradientTransform(w, isa);
        w.Comment($"dU += Vᵀ·W at each of the {Positions} positions: [{Channels} channels, {Tiles} tiles] × [{Tiles} tiles, {Filters} filters], added to dU [{Positions}, {Channels}, {Filters}].");
        w.Open($"for (int p = 0; p < {Positions}; p++)");
        w.Line($"ref float gvp = ref Unsafe.Add(ref gv, p * {InputsSize});");
        w.Line($"ref float gwp = ref Unsafe.Add(ref gw, p * {ProductsSize});");
        w.Line($"ref float gup = ref Unsafe.Add(ref gu, p * {KernelStride});");
        blocking.EmitKnownRows(w, "c", (rows, index, first) => TileFamily.ForEachPanel(w, isa, blocking.Panels, (column, panel) => w.Line(family.Get(rows, panel).Call(
            TileFamily.Offset("gvp", index ?? VectorIsa.Int(first)),
            TileFamily.Offset("gwp", column),
            TileFamily.Offset("gup", TileFamily.Plus(index is null ? VectorIsa.Int(first * Filters) : $"{index} * {Filters}", column))))));
        w.Close();
        w.Close();
        return family.Tiles;
    }

    /// <summary>The method turning the summed products into the kernel gradient, dU [positions, channels, filters] →
    /// ∂L/∂g = Gᵀ·dU·G [3, 3, channels, filters], written over the thread's kernel gradient.</summary>
    public void EmitKernelGradientTransform(SourceWriter w, VectorIsa isa)
    {
        int window = Algorithm.Window;
        w.Method(
            $"Winograd kernel gradient of {Algorithm}: ∂L/∂g = Gᵀ·dU·G of every (input channel, filter), dU [{Positions} positions, {Channels}, {Filters}] -> the kernel gradient [3, 3, {Channels}, {Filters}]; Gᵀ = {Algorithm.Gt}.",
            $"private static void {KernelGradientTransformName(isa)}(ref float gu, ref float kernelGradient)");
        w.Open($"for (int c = 0; c < {Channels}; c++)");
        w.Open($"for (int f = 0; f < {Filters}; f += {isa.Width})");
        w.Line($"int at = (c * {Filters}) + f;");
        w.Comment($"Position {window}i + j of (c, f..f + {isa.Width - 1}) at ({window}i + j) · {KernelStride}; tap (ky, kx) of the gradient at (3ky + kx) · {KernelSize}.");
        TileTransform.Emit(w, isa, Algorithm.Gt, "dU", Algorithm.G, (i, j) => isa.LoadAt("gu", TileFamily.Plus("at", VectorIsa.Int(((window * i) + j) * KernelStride))), (ky, kx, value) =>
            w.Line(isa.StoreAt(value, "kernelGradient", TileFamily.Plus("at", VectorIsa.Int(((3 * ky) + kx) * KernelSize)))));
        w.Close();
        w.Close();
        w.Close();
    }

    /// <summary>The name of the method <see cref="EmitKernelGradientTransform"/> writes.</summary>
    public string KernelGradientTransformName(VectorIsa isa) => $"{Name}KernelGradientTransform{isa.Suffix}";

    /// <summary>W = A·dY·Aᵀ of every tile of the band's output gradient dY (m×m per filter); position (m + 2)i + j of
    /// tile t at (((m + 2)i + j) · tiles + t) · filters.</summary>
    private void EmitGradientTransform(SourceWriter w, VectorIsa isa)
    {
        int row = OutWidth * Filters;
        int window = Algorithm.Window;
        w.Comment($"Gradient transform: W = A·dY·Aᵀ of each tile's {Tile}×{Tile} output gradient dY, [{Positions} positions, {Tiles} tiles, {Filters} filters]; A = {Algorithm.A}.");
        w.Open($"for (int t = 0; t < {Tiles}; t++)");
        w.Open($"for (int f = 0; f < {Filters}; f += {isa.Width})");
        w.Line($"ref float g = ref Unsafe.Add(ref gradientRow, (t * {Tile * Filters}) + f);");
        w.Line($"ref float wt = ref Unsafe.Add(ref gw, (t * {Filters}) + f);");
        TileTransform.Emit(w, isa, Algorithm.A, "dY", Algorithm.At, (r, x) => isa.Load("g", (r * row) + (x * Filters)), (i, j, value) =>
            w.Line(isa.Store(value, "wt", ((window * i) + j) * ProductsSize, isa.Width)));
        w.Close();
        w.Close();
    }

    /// <summary>V = Bᵀ·d·B of every tile of the band and every vector of channels; position (m + 2)i + j of tile t at
    /// (((m + 2)i + j) · tiles + t) · channels.</summary>
    private void EmitInputTransform(SourceWriter w, VectorIsa isa, string v)
    {
        int row = InWidth * Channels;
        int window = Algorithm.Window;
        w.Comment($"Input transform: V = Bᵀ·d·B of each tile's {window}×{window} window d, [{Positions} positions, {Tiles} tiles, {Channels} input channels]; Bᵀ = {Algorithm.Bt}.");
        w.Open($"for (int t = 0; t < {Tiles}; t++)");
        w.Open($"for (int c = 0; c < {Channels}; c += {isa.Width})");
        w.Line($"ref float d = ref Unsafe.Add(ref inRow, (t * {Tile * Channels}) + c);");
        w.Line($"ref float vt = ref Unsafe.Add(ref {v}, (t * {Channels}) + c);");
        TileTransform.Emit(w, isa, Algorithm.Bt, "d", Algorithm.B, (r, j) => isa.Load("d", (r * row) + (j * Channels)), (i, j, value) =>
            w.Line(isa.Store(value, "vt", ((window * i) + j) * InputsSize, isa.Width)));
        w.Close();
        w.Close();
    }

    /// <summary>Y = Aᵀ·M·A of every tile, then the bias and the activation (or the derivative), into the band's m
    /// output rows.</summary>
    private void EmitOutputTransform(SourceWriter w, VectorIsa isa, string? bias)
    {
        int window = Algorithm.Window;
        string then = Derivative is ActivationKind d ? $", times {ActivationCode.Describe(d)}'(y)" : Activation == ActivationKind.Linear ? "" : ", then " + ActivationCode.Describe(Activation);
        w.Comment($"Output transform: the tile's {Tile}×{Tile} pixels Y = Aᵀ·M·A{(Bias ? ", plus the bias" : "")}{then}; Aᵀ = {Algorithm.At}.");
        w.Open($"for (int t = 0; t < {Tiles}; t++)");
        w.Open($"for (int f = 0; f < {Filters}; f += {isa.Width})");
        w.Line($"ref float mt = ref Unsafe.Add(ref m, (t * {Filters}) + f);");
        w.Line($"ref float y = ref Unsafe.Add(ref outRow, (t * {Tile * Filters}) + f);");
        if (Derivative is not null)
        {
            w.Line($"ref float yt = ref Unsafe.Add(ref yRow, (t * {Tile * Filters}) + f);");
        }

        if (Bias)
        {
            w.Line($"{isa.Vector} b = {isa.LoadAt(bias!, "f")};");
        }

        TileTransform.Emit(w, isa, Algorithm.At, "M", Algorithm.A, (i, j) => isa.Load("mt", ((window * i) + j) * ProductsSize), (r, x, pixel) =>
        {
            string value = Bias ? $"{pixel} + b" : pixel;
            int at = (r * OutWidth * Filters) + (x * Filters);
            string written = Derivative is ActivationKind derivative
                ? ActivationCode.VectorDerivative(isa, derivative, value, isa.Load("yt", at))
                : ActivationCode.Vector(isa, Activation, $"({value})");
            w.Line(isa.Store(written, "y", at, isa.Width));
        });
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

    private TileKernel ProductTile(VectorIsa isa, string name, int rows, Panel panel) => new(
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
