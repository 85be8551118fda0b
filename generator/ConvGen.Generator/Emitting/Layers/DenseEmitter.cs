using System;
using System.Collections.Generic;
using System.Linq;
using ConvGen.Generator.Emitting.Kernels;
using ConvGen.Generator.Model;

namespace ConvGen.Generator.Emitting.Layers;

/// <summary>
/// Dense: forward as the product [N, in] × [in, units] in tiles of samples × units (one sample by the kernel rows of
/// its nonzero inputs only, <see cref="EmitNonzeroRows"/>, unless its input is hardly ever zero,
/// <see cref="NetworkPlan.InputRarelyZero"/>); backward as the activation
/// derivative, the bias gradient, the kernel gradient (tiles of input features × units reducing over the batch) and,
/// when an earlier layer needs it, the input gradient (the output gradient times the transposed kernel).
/// </summary>
internal sealed class DenseEmitter : LayerEmitter
{
    private readonly DenseSpec _dense;

    public DenseEmitter(NetworkPlan plan, DenseSpec dense)
        : base(plan, dense)
    {
        _dense = dense;
    }

    private int Inputs => (int)_dense.Input.Size;

    private int Units => _dense.Units;

    public override string Describe() =>
        $"{_dense.Name}: Dense, {Units} units, {ActivationCode.Describe(_dense.Activation)}{(_dense.Activation == ActivationKind.Softmax ? " (fused with the loss: this layer outputs the logits)" : "")}: in {_dense.Input.ToBatchComment()} -> out {_dense.Output.ToBatchComment()}.";

    protected override void EmitKernels(SourceWriter w, VectorIsa isa)
    {
        var tiles = new List<TileKernel>();
        var parameters = "ref float input, ref float kernel, " + (_dense.UseBias ? "ref float bias, " : "") + "ref float output, int count";
        Method(w, $"Forward: out = {ActivationCode.Describe(ForwardActivation)}(in × kernel{(_dense.UseBias ? " + bias" : "")}); in [N,{Inputs}] × [{Inputs},{Units}] -> [N,{Units}].", $"public static void Forward{isa.Suffix}({parameters})");
        if (SkipsZeroInputs)
        {
            EmitOneSampleForward(w, isa);
        }

        tiles.AddRange(EmitBatchProduct(w, isa, "Forward", "input", "kernel", _dense.UseBias ? "bias" : null, "output", Inputs, Units, ForwardActivation, ForwardNouns));
        w.Close();
        EmitTiles(w, tiles);
        w.Line();
        EmitSplitKernels(w, isa);
        w.Line();
        if (QuadIsa(isa) is VectorIsa quads)
        {
            EmitForwardRowsWithQuads(w, isa, quads);
            w.Line();
        }

        TileFamily kernelGradient = KernelGradientFamily(isa);
        if (IsRowSplit)
        {
            EmitRowSplitBackward(w, isa, kernelGradient);
        }
        else
        {
            EmitBackwardKernel(w, isa, kernelGradient);
        }

        EmitTiles(w, kernelGradient.Tiles);
    }

    /// <summary>The most panels of units (of <see cref="VectorIsa.Registers"/> - 4 vectors each) one sample's product
    /// (<see cref="EmitNonzeroRows"/>) writes out one after another; a wider layer runs its whole panels in a loop, so
    /// the emitted code stays the same size however many units it has.</summary>
    public const int MaxUnrolledPanels = 8;

    /// <summary>The input features a split forward reduces over at a time: a block of the kernel's rows of about 128 KB,
    /// in whole blocks of 16 features.</summary>
    private int DepthBlock => Math.Max(NetworkPlan.SplitBlock, 32768 / Units / NetworkPlan.SplitBlock * NetworkPlan.SplitBlock);

    /// <summary>Whether one sample reads only the kernel rows of its nonzero inputs (<see cref="EmitNonzeroRows"/>): all but
    /// a layer whose input is hardly ever zero (<see cref="NetworkPlan.InputRarelyZero"/>), which streams its whole kernel.</summary>
    private bool SkipsZeroInputs => !Plan.InputRarelyZero(Layer.Index);

    /// <summary>Whether a training step splits this layer between its threads by the rows of its kernel.</summary>
    private bool IsRowSplit => Plan.IsRowSplit(Layer.Index);

    /// <summary>The vectors of the column-quad tiles this layer trains in on <paramref name="path"/>, or null when it
    /// trains in the usual tiles (<see cref="NetworkPlan.UsesColumnQuads"/>).</summary>
    private VectorIsa? QuadIsa(VectorIsa path) => Plan.UsesColumnQuads(Layer.Index) ? ColumnQuadTile.IsaFor(path, Units) : null;

    /// <summary>
    /// The forward step of a layer trained by rows in column-quad tiles, first half: as <c>ForwardPartial</c>, after the
    /// thread has packed the last 4 columns of the kernel rows it owns into blocks (<see cref="ColumnQuadTile"/>).
    /// </summary>
    private void EmitForwardRowsWithQuads(SourceWriter w, VectorIsa path, VectorIsa isa)
    {
        int quad = Units - 4;
        int rows = ColumnQuadTile.ForwardRowsFor(isa, Units);
        Method(w, $"Forward by rows, first half: partial [N,{Units}] = in[:, k0..k1) × kernel[k0..k1, :] for the input features k0..k1 the thread owns, over the whole batch; units {quad}..{Units - 1} in blocks of 4 features × 4 units.", $"public static void ForwardRowsPartial{path.Suffix}(ref float input, ref float kernel, ref float kernelQuads, ref float partials, int count, (int First, int End) features)");
        w.Line("(int k0, int k1) = features;");
        w.Comment($"Units {quad}..{Units - 1} of the thread's kernel rows, packed 4 rows to a block of 16 floats for the tiles below.");
        w.Line($"ColumnQuads.PackByRows(ref kernel, ref kernelQuads, {Units}, features);");
        var family = new ColumnQuadFamily("ForwardRows", path, isa, ColumnQuadProduct.Forward, Units, Inputs, Inputs > DepthBlock ? TileStart.Accumulate : TileStart.Zero, r => $"{SourceWriter.Count(r, "samples")} × {Units} units: reduces over `depth` input features, a multiple of 4.");
        var blocking = new Blocking(rows, 0, 0, []);
        void CallTiles() => blocking.EmitRuntimeRows(w, "n", "count", r => w.Line(family.Get(r).Call(
            $"Unsafe.Add(ref inputBlock, n * {Inputs})", "kernelBlock", "quadsBlock", $"Unsafe.Add(ref partials, n * {Units})", "depth")));

        if (Inputs > DepthBlock)
        {
            w.Comment($"In blocks of {DepthBlock} input features: each block of the kernel ({DepthBlock * Units * 4 / 1024} KB) stays in L2 while every block of samples passes over it. The partial sums are added to in memory.");
            w.Line($"TensorLayout.Clear(ref partials, count * {Units});");
            w.Open($"for (int block = k0; block < k1; block += {DepthBlock})");
            w.Line($"int depth = Math.Min({DepthBlock}, k1 - block);");
            w.Line("ref float inputBlock = ref Unsafe.Add(ref input, block);");
            w.Line($"ref float kernelBlock = ref Unsafe.Add(ref kernel, block * {Units});");
            w.Line("ref float quadsBlock = ref Unsafe.Add(ref kernelQuads, block * 4);");
            w.Line("int n = 0;");
            CallTiles();
            w.Close();
        }
        else
        {
            w.Line("int depth = k1 - k0;");
            w.Line("ref float inputBlock = ref Unsafe.Add(ref input, k0);");
            w.Line($"ref float kernelBlock = ref Unsafe.Add(ref kernel, k0 * {Units});");
            w.Line("ref float quadsBlock = ref Unsafe.Add(ref kernelQuads, k0 * 4);");
            w.Line("int n = 0;");
            CallTiles();
        }

        w.Close();
        EmitTiles(w, family.Tiles);
    }

    /// <summary>
    /// The forward step of a layer split by input features, in two halves with a barrier between: each part multiplies
    /// its own range of input features by the same rows of the kernel (so it always reads the same rows, which stay in
    /// its cache) into its block of partial sums; then the parts' partial sums are added up, with the bias and the
    /// activation, each part for its own units (a split pass) or its own samples (a training step, by rows).
    /// </summary>
    private void EmitSplitKernels(SourceWriter w, VectorIsa path)
    {
        Method(w, $"Split forward, first half: partial [N,{Units}] = in[:, k0..k1) × kernel[k0..k1, :] for the input features k0..k1, into a block of partial sums.", $"public static void ForwardPartial{path.Suffix}(ref float input, ref float kernel, ref float partials, int count, (int First, int End) features)");
        if (SkipsZeroInputs)
        {
            w.Open("if (count == 1)");
            w.Comment("One sample: only the kernel rows of its nonzero inputs are read.");
            w.Line($"TensorLayout.Clear(ref partials, {Units});");
            w.Line($"ForwardNonzeroRows{path.Suffix}(ref input, ref kernel, ref partials, features);");
            w.Line("return;");
            w.Close();
            w.Line();
        }

        w.Line("(int k0, int k1) = features;");
        IReadOnlyList<TileKernel> tiles;
        int depthBlock = DepthBlock;
        if (Inputs > depthBlock)
        {
            int sampleRows = Blocking.Choose(path.ForColumns(Units), Units, rows: null).Rows;
            w.Comment($"With more than one block of samples, in blocks of {depthBlock} input features: each block of the kernel ({depthBlock * Units * 4 / 1024} KB) stays in L2 while every block of samples passes over it. The partial sums are added to in memory, each in the same order of multiply-adds as in one pass.");
            w.Line($"int blockDepth = count > {sampleRows} ? {depthBlock} : Math.Max(1, k1 - k0);");
            w.Line($"TensorLayout.Clear(ref partials, count * {Units});");
            w.Open("for (int block = k0; block < k1; block += blockDepth)");
            w.Line("int depth = Math.Min(blockDepth, k1 - block);");
            w.Line("ref float inputBlock = ref Unsafe.Add(ref input, block);");
            w.Line($"ref float kernelBlock = ref Unsafe.Add(ref kernel, block * {Units});");
            tiles = EmitBatchProduct(w, path, "ForwardPartial", "inputBlock", "kernelBlock", null, "partials", Inputs, Units, ActivationKind.Linear, ForwardNouns, depthParameter: "depth", start: TileStart.Accumulate);
            w.Close();
        }
        else
        {
            w.Line("int depth = k1 - k0;");
            w.Line("input = ref Unsafe.Add(ref input, k0);");
            w.Line($"kernel = ref Unsafe.Add(ref kernel, k0 * {Units});");
            tiles = EmitBatchProduct(w, path, "ForwardPartial", "input", "kernel", null, "partials", Inputs, Units, ActivationKind.Linear, ForwardNouns, depthParameter: "depth");
        }

        w.Close();
        EmitTiles(w, tiles);
        w.Line();
        if (SkipsZeroInputs)
        {
            EmitNonzeroRows(w, path);
            w.Line();
        }

        VectorIsa isa = path.ForColumns(Units);
        string activation = ActivationCode.Describe(ForwardActivation);
        Method(w, $"Split forward, second half: out = {activation}(Σ over the parts' blocks of partial sums, `stride` apart{(_dense.UseBias ? ", + bias" : "")}) for `count` samples and the units first ... end - 1.", $"public static void ForwardReduce{path.Suffix}(ref float partials, {(_dense.UseBias ? "ref float bias, " : "")}ref float output, int count, int stride, int parts, (int First, int End) units)");
        w.Line("(int first, int end) = units;");
        w.Open("for (int n = 0; n < count; n++)");
        w.Line($"ref float row = ref Unsafe.Add(ref partials, n * {Units});");
        w.Line($"ref float result = ref Unsafe.Add(ref output, n * {Units});");
        w.Line("int j = first;");
        w.Open($"for (; j <= end - {isa.Width}; j += {isa.Width})");
        w.Line($"{isa.Vector} sum = {(_dense.UseBias ? isa.LoadAt("bias", "j") : isa.Zero)};");
        w.Open("for (int p = 0; p < parts; p++)");
        w.Line($"sum += {isa.LoadAt("row", "(p * stride) + j")};");
        w.Close();
        w.Line(isa.StoreAt(ActivationCode.Vector(isa, ForwardActivation, "sum"), "result", "j"));
        w.Close();
        w.Open("if (j < end)");
        w.Line($"{isa.Vector} sum = {(_dense.UseBias ? isa.LoadFirst("bias", "j", "end - j") : isa.Zero)};");
        w.Open("for (int p = 0; p < parts; p++)");
        w.Line($"sum += {isa.LoadFirst("row", "(p * stride) + j", "end - j")};");
        w.Close();
        w.Line(isa.StoreFirstAt(ActivationCode.Vector(isa, ForwardActivation, "sum"), "result", "j", "end - j"));
        w.Close();
        w.Close();
        w.Close();
    }

    /// <summary>
    /// The product of one sample, reading only the kernel rows of its nonzero inputs: an input of zero adds nothing to
    /// any unit, and at one sample the product is bound by reading the kernel (one multiply-add per float read), so the
    /// rows of the zeros a ReLU or an image's blank background leaves are skipped. The rows read are added in increasing
    /// order, one multiply-add each into one sum per unit, as the tiles of the full product add them: the sums are the
    /// same bit for bit, unless a skipped row holds an infinity or a NaN (which 0 × would have spread).
    /// </summary>
    private void EmitNonzeroRows(SourceWriter w, VectorIsa path)
    {
        VectorIsa isa = path.ForColumns(Units);
        int vectors = (Units + isa.Width - 1) / isa.Width;
        int panels = (vectors + isa.Registers - 5) / (isa.Registers - 4);
        Method(w, $"One sample: sums [{Units}] += Σ in[k] × kernel[k, :] over the input features k0 ≤ k < k1 whose input is not zero, in increasing k; the rows of the zeros are never read.", $"public static void ForwardNonzeroRows{path.Suffix}(ref float input, ref float kernel, ref float sums, (int First, int End) features)");
        w.Line("(int k0, int k1) = features;");
        w.Line("Span<int> rows = stackalloc int[NonzeroInputs.ListLength];");
        w.Line("ref int firstRow = ref rows[0];");
        w.Comment($"In chunks of NonzeroInputs.Chunk input features: the positions of the nonzero inputs, then their kernel rows added to the sums{(panels > 1 ? $", {SourceWriter.Count(panels, "panels")} of units in turn" : "")}.");
        w.Open("for (int chunk = k0; chunk < k1; chunk += NonzeroInputs.Chunk)");
        w.Line("int found = NonzeroInputs.Find(ref input, chunk, Math.Min(chunk + NonzeroInputs.Chunk, k1), rows);");
        int panelVectors = isa.Registers - 4;
        if (panels <= MaxUnrolledPanels)
        {
            int first = 0;
            for (int panel = 0; panel < panels; panel++)
            {
                int count = (vectors - first + panels - panel - 1) / (panels - panel);
                int firstUnit = first * isa.Width;
                int endUnit = Math.Min(Units, (first + count) * isa.Width);
                w.Comment($"Units {firstUnit}..{endUnit - 1}: {SourceWriter.Count(count, "sums")} in registers.");
                w.Open();
                EmitNonzeroRowsPanel(w, isa, "sums", $"k * {Units}", firstUnit, endUnit);
                w.Close();
                first += count;
            }
        }
        else
        {
            int panelUnits = panelVectors * isa.Width;
            int wholeEnd = Units / panelUnits * panelUnits;
            w.Comment($"Units 0..{wholeEnd - 1}: {wholeEnd / panelUnits} panels of {panelUnits} units, {SourceWriter.Count(panelVectors, "sums")} in registers, in a loop (unrolled, the method would grow with the units).");
            w.Open($"for (int unit = 0; unit < {wholeEnd}; unit += {panelUnits})");
            w.Line("ref float panelSums = ref Unsafe.Add(ref sums, unit);");
            EmitNonzeroRowsPanel(w, isa, "panelSums", $"(k * {Units}) + unit", 0, panelUnits);
            w.Close();
            if (wholeEnd < Units)
            {
                w.Comment($"Units {wholeEnd}..{Units - 1}: the rest, {SourceWriter.Count((Units - wholeEnd + isa.Width - 1) / isa.Width, "sums")} in registers.");
                w.Open();
                EmitNonzeroRowsPanel(w, isa, "sums", $"k * {Units}", wholeEnd, Units);
                w.Close();
            }
        }

        w.Close();
        w.Close();
    }

    /// <summary>The units <paramref name="firstUnit"/>..<paramref name="endUnit"/> - 1 of <see cref="EmitNonzeroRows"/>
    /// (offsets into <paramref name="sums"/>, whose kernel row starts <paramref name="rowOffset"/> floats into the
    /// kernel): one sum in a register per vector of units, every nonzero row added in turn, then stored.</summary>
    private static void EmitNonzeroRowsPanel(SourceWriter w, VectorIsa isa, string sums, string rowOffset, int firstUnit, int endUnit)
    {
        int count = (endUnit - firstUnit + isa.Width - 1) / isa.Width;
        int Lanes(int v) => Math.Min(isa.Width, endUnit - firstUnit - (v * isa.Width));
        string Load(string reference, int v) => Lanes(v) == isa.Width
            ? isa.Load(reference, firstUnit + (v * isa.Width))
            : isa.LoadFirst(reference, VectorIsa.Int(firstUnit + (v * isa.Width)), VectorIsa.Int(Lanes(v)));
        for (int v = 0; v < count; v++)
        {
            w.Line($"{isa.Vector} sum{v} = {Load(sums, v)};");
        }

        w.Open("for (int i = 0; i < found; i++)");
        w.Line("int k = Unsafe.Add(ref firstRow, i);");
        w.Line($"{isa.Vector} x = {isa.Broadcast("Unsafe.Add(ref input, k)")};");
        w.Line($"ref float kernelRow = ref Unsafe.Add(ref kernel, {rowOffset});");
        for (int v = 0; v < count; v++)
        {
            w.Line($"sum{v} = {isa.Fma("x", Load("kernelRow", v), $"sum{v}")};");
        }

        w.Close();
        for (int v = 0; v < count; v++)
        {
            w.Line(isa.Store($"sum{v}", sums, firstUnit + (v * isa.Width), Lanes(v)));
        }
    }

    /// <summary>
    /// The forward step of one sample (a batch of one, or a thread's chunk of one): its output starts at the bias, as in
    /// the tiles, the kernel rows of its nonzero inputs are added (<see cref="EmitNonzeroRows"/>), and the activation
    /// is applied in place: the same values as the tiles give it, bit for bit.
    /// </summary>
    private void EmitOneSampleForward(SourceWriter w, VectorIsa path)
    {
        VectorIsa isa = path.ForColumns(Units);
        w.Open("if (count == 1)");
        w.Comment($"One sample: the output starts at {(_dense.UseBias ? "the bias" : "zero")}, the kernel rows of the nonzero inputs are added{(ForwardActivation == ActivationKind.Linear ? "" : ", then the activation in place")}.");
        w.Line(_dense.UseBias ? $"TensorLayout.Copy(ref bias, ref output, {Units});" : $"TensorLayout.Clear(ref output, {Units});");
        w.Line($"ForwardNonzeroRows{path.Suffix}(ref input, ref kernel, ref output, (0, {Inputs}));");
        if (ForwardActivation != ActivationKind.Linear)
        {
            int whole = Units / isa.Width * isa.Width;
            if (whole > 0)
            {
                w.Open($"for (int j = 0; j < {whole}; j += {isa.Width})");
                w.Line(isa.StoreAt(ActivationCode.Vector(isa, ForwardActivation, isa.LoadAt("output", "j")), "output", "j"));
                w.Close();
            }

            if (whole < Units)
            {
                string lanes = VectorIsa.Int(Units - whole);
                w.Line(isa.StoreFirstAt(ActivationCode.Vector(isa, ForwardActivation, isa.LoadFirst("output", VectorIsa.Int(whole), lanes)), "output", VectorIsa.Int(whole), lanes));
            }
        }

        w.Line("return;");
        w.Close();
        w.Line();
    }

    private void EmitBackwardKernel(SourceWriter w, VectorIsa isa, TileFamily kernelGradient)
    {
        var tiles = new List<TileKernel>();
        var parameters = new List<string> { "ref float input", "ref float kernel", "ref float output", "ref float outputGradient", "ref float kernelGradient" };
        if (_dense.UseBias)
        {
            parameters.Add("ref float biasGradient");
        }

        if (NeedsInputGradient)
        {
            parameters.Add("ref float inputGradient");
            parameters.Add("ref float transposed");
        }

        parameters.Add("int count");
        Method(w, $"Backward: kernel{(_dense.UseBias ? ", bias" : "")}{(NeedsInputGradient ? " and input" : "")} gradients from the output gradient [N,{Units}].", $"public static void Backward{isa.Suffix}({string.Join(", ", parameters)})");
        EmitDerivativeAndBiasGradient(w, isa, "Bias gradient: the output gradient summed over the batch.");

        w.Comment($"Kernel gradient [{Inputs}, {Units}] = inputᵀ × outputGradient, in tiles of input features × units reducing over the batch.");
        EmitKernelGradient(w, kernelGradient);
        if (NeedsInputGradient)
        {
            ActivationKind? previous = Plan.FusedDerivative(Layer.Index);
            w.Comment($"Input gradient [N,{Inputs}] = outputGradient × kernelᵀ (transposed once per step, before the backward pass){(previous is ActivationKind p ? $", times the {ActivationCode.Describe(p)}' of the layer before, from this layer's input" : "")}.");
            tiles.AddRange(EmitBatchProduct(w, isa, "InputGradient", "outputGradient", "transposed", null, "inputGradient", Units, Inputs, ActivationKind.Linear, InputGradientNouns, previous, y: "input"));
        }

        w.Close();
        EmitTiles(w, tiles);
    }

    /// <summary>
    /// [count, depth] × [depth, columns] → [count, columns]: whole tiles of samples, then at most one tile of each
    /// smaller power of two for the rest of the batch (a single sample in one wide panel: <see cref="Blocking.RowPanels"/>).
    /// </summary>
    /// <param name="depthParameter">When set, the tiles reduce over this runtime argument's count of rows of
    /// <paramref name="b"/> (a part of them, in a split pass) instead of all <paramref name="depth"/>; rows of
    /// <paramref name="a"/> are <paramref name="depth"/> apart either way.</param>
    /// <param name="start">How the tiles' accumulators start, when not from the bias (or zero without one): from the
    /// values already in <paramref name="c"/>, for a product reduced in blocks.</param>
    private static IReadOnlyList<TileKernel> EmitBatchProduct(SourceWriter w, VectorIsa path, string name, string a, string b, string? bias, string c, int depth, int columns, ActivationKind activation, (string Columns, string Depth) nouns, ActivationKind? derivative = null, string? y = null, string? depthParameter = null, TileStart? start = null)
    {
        VectorIsa isa = path.ForColumns(columns);
        Blocking blocking = Blocking.Choose(isa, columns, rows: null);
        TileFamily family = ProductTiles(name, isa, depth, columns, columns, start ?? (bias is null ? TileStart.Zero : TileStart.Bias), activation, derivative, depthParameter, nouns);

        IReadOnlyList<Panel> rowPanels = Blocking.RowPanels(isa, columns);
        void CallTiles(int rows) => TileFamily.ForEachPanel(w, isa, rows == 1 ? rowPanels : blocking.Panels, (column, panel) => w.Line(family.Get(rows, panel).Call(
            $"Unsafe.Add(ref {a}, n * {depth})",
            TileFamily.Offset(b, column),
            $"Unsafe.Add(ref {c}, {TileFamily.Plus($"(n * {columns})", column)})",
            bias is null ? null : TileFamily.Offset(bias, column),
            y is null ? null : $"Unsafe.Add(ref {y}, {TileFamily.Plus($"(n * {columns})", column)})")));

        w.Open();
        w.Line("int n = 0;");
        blocking.EmitRuntimeRows(w, "n", "count", CallTiles);
        w.Close();
        return family.Tiles;
    }

    // What a product's columns and depth are, for its tiles' comments: forward, units over input features; input
    // gradient, input features over units.
    private static readonly (string Columns, string Depth) ForwardNouns = ("units", "input features");
    private static readonly (string Columns, string Depth) InputGradientNouns = ("input features", "units");

    /// <summary>The tiles of a product [N, depth] × [depth, columns] → [N, columns] (rows `depth`, `bStride` and
    /// `columns` apart): samples × column panels, reducing over <paramref name="depth"/> or, when set, the runtime
    /// argument <paramref name="depthParameter"/>; the derivative, when set, multiplies each result by f'(y).</summary>
    private static TileFamily ProductTiles(string name, VectorIsa isa, int depth, int columns, int bStride, TileStart start, ActivationKind activation, ActivationKind? derivative, string? depthParameter, (string Columns, string Depth) nouns) =>
        new(name, isa, (method, rows, panel) => new TileKernel(
            method,
            isa,
            Enumerable.Range(0, rows).Select(r => r * depth).ToArray(),
            Enumerable.Range(0, rows).Select(r => r * columns).ToArray(),
            panel.Vectors,
            panel.LastLanes,
            [depthParameter is null ? new ReductionLoop("k", depth, 1, bStride) : new ReductionLoop("k", null, 1, bStride, CountParameter: depthParameter)],
            start,
            activation,
            $"{SourceWriter.Count(rows, "samples")} × {panel.Columns(isa)} {nouns.Columns}: reduces over {(depthParameter is null ? VectorIsa.Int(depth) : $"`{depthParameter}`")} {nouns.Depth}{(derivative is ActivationKind d ? $", then multiplies by {ActivationCode.Describe(d)}'(y)" : "")}.")
        {
            Derivative = derivative,
        });

    /// <summary>The tiles of kernelGradient[i, u] = Σ_n input[n, i] · outputGradient[n, u]: input features × units,
    /// reducing over the samples.</summary>
    private TileFamily KernelGradientFamily(VectorIsa path)
    {
        VectorIsa isa = path.ForColumns(Units);
        return new TileFamily("KernelGradient", isa, (method, rows, panel) => new TileKernel(
            method,
            isa,
            Enumerable.Range(0, rows).ToArray(),
            Enumerable.Range(0, rows).Select(r => r * Units).ToArray(),
            panel.Vectors,
            panel.LastLanes,
            [new ReductionLoop("n", null, Inputs, Units)],
            TileStart.Zero,
            ActivationKind.Linear,
            $"{SourceWriter.Count(rows, "input features")} × {panel.Columns(isa)} units: reduces over the batch."));
    }

    /// <summary>The start of the backward step on `count` samples: the activation's derivative applied to the output
    /// gradient in place (unless the next layer applied it), then the bias gradient.</summary>
    private void EmitDerivativeAndBiasGradient(SourceWriter w, VectorIsa isa, string biasComment)
    {
        EmitOwnDerivative(w, isa, Units);

        if (_dense.UseBias)
        {
            w.Comment(biasComment);
            ChannelSums.Emit(w, isa, Units, "outputGradient", "count", "biasGradient");
        }
    }

    /// <summary>kernelGradient[i, u] = Σ_n input[n, i] · outputGradient[n, u] for every input feature.</summary>
    private void EmitKernelGradient(SourceWriter w, TileFamily family)
    {
        VectorIsa isa = family.Isa;
        Blocking blocking = Blocking.Choose(isa, Units, Inputs);

        void CallTiles(int rows, string feature) => TileFamily.ForEachPanel(w, isa, blocking.Panels, (column, panel) => w.Line(family.Get(rows, panel).Call(
            TileFamily.Offset("input", feature),
            TileFamily.Offset("outputGradient", column),
            TileFamily.Offset("kernelGradient", TileFamily.Plus(feature == "0" ? "0" : $"({feature} * {Units})", column)))));

        blocking.EmitKnownRows(w, "i", (rows, index, first) => CallTiles(rows, index ?? VectorIsa.Int(first)));
    }

    /// <summary>
    /// The backward step of a layer a training step splits by rows (<see cref="NetworkPlan.IsRowSplit"/>), in two
    /// halves with a barrier between: on the thread's chunk, the activation's derivative, the bias gradient and the
    /// output gradient copied into the whole batch's; then, for the whole batch, the gradient of the kernel rows the
    /// thread owns and, when an earlier layer needs it, the input gradient of the features it owns.
    /// </summary>
    private void EmitRowSplitBackward(SourceWriter w, VectorIsa path, TileFamily family)
    {
        var parameters = new List<string> { "ref float output", "ref float outputGradient" };
        if (_dense.UseBias)
        {
            parameters.Add("ref float biasGradient");
        }

        parameters.Add("ref float batchGradient");
        VectorIsa? quads = QuadIsa(path);
        if (quads is not null)
        {
            parameters.Add("ref float batchGradientQuads");
        }

        parameters.Add("int count");
        Method(w, $"Backward by rows, first half, on a thread's chunk: {(_dense.UseBias ? "the bias gradient, and " : "")}the output gradient [N,{Units}] copied into the whole batch's at the chunk's rows.", $"public static void GatherOutputGradient{path.Suffix}({string.Join(", ", parameters)})");
        EmitDerivativeAndBiasGradient(w, path, "Bias gradient: the chunk's output gradient summed over its samples (the threads' sums are added after the step).");

        w.Line($"MemoryMarshal.CreateReadOnlySpan(ref outputGradient, count * {Units}).CopyTo(MemoryMarshal.CreateSpan(ref batchGradient, count * {Units}));");
        if (quads is not null)
        {
            w.Comment($"Units {Units - 4}..{Units - 1} again, each value 4 times, for the kernel gradient's blocks of 4 features × 4 units.");
            w.Line($"ColumnQuads.RepeatByRows(ref outputGradient, ref batchGradientQuads, count, {Units});");
        }

        w.Close();
        w.Line();

        if (quads is VectorIsa quadIsa)
        {
            EmitKernelGradientRowsWithQuads(w, path, quadIsa);
        }
        else
        {
            EmitKernelGradientRows(w, path, family);
        }

        if (NeedsInputGradient)
        {
            w.Line();
            EmitInputGradientRows(w, path);
        }
    }

    /// <summary>The gradient of the kernel rows a thread owns, over the whole batch, in the usual tiles.</summary>
    private void EmitKernelGradientRows(SourceWriter w, VectorIsa path, TileFamily family)
    {
        VectorIsa isa = family.Isa;
        Blocking blocking = Blocking.Choose(isa, Units, rows: null);
        Method(w, $"Backward by rows, second half: kernelGradient[k0..k1, :] = input[:, k0..k1)ᵀ × batchGradient, for the input features k0..k1 over the whole batch of `count` samples.", $"public static void KernelGradientRows{path.Suffix}(ref float input, ref float batchGradient, ref float kernelGradient, int count, (int First, int End) features)");
        w.Line("(int i, int end) = features;");
        blocking.EmitRuntimeRows(w, "i", "end", rows => TileFamily.ForEachPanel(w, isa, blocking.Panels, (column, panel) => w.Line(family.Get(rows, panel).Call(
            "Unsafe.Add(ref input, i)",
            TileFamily.Offset("batchGradient", column),
            $"Unsafe.Add(ref kernelGradient, {TileFamily.Plus($"(i * {Units})", column)})"))));
        w.Close();
    }

    /// <summary>The gradient of the kernel rows a thread owns, over the whole batch, in column-quad tiles: the rows come
    /// in blocks of 4 (<see cref="NetworkPlan.UsesColumnQuads"/>), so every tile is a multiple of 4 rows.</summary>
    private void EmitKernelGradientRowsWithQuads(SourceWriter w, VectorIsa path, VectorIsa isa)
    {
        int quad = Units - 4;
        var family = new ColumnQuadFamily("KernelGradientRows", path, isa, ColumnQuadProduct.KernelGradient, Units, Inputs, TileStart.Zero, r => $"{SourceWriter.Count(r, "input features")} × {Units} units: reduces over the batch.");
        var blocking = new Blocking(ColumnQuadTile.KernelGradientRowsFor(isa, Units), 0, 0, []);
        Method(w, $"Backward by rows, second half: kernelGradient[k0..k1, :] = input[:, k0..k1)ᵀ × batchGradient, for the input features k0..k1 over the whole batch of `count` samples; units {quad}..{Units - 1} in blocks of 4 features × 4 units, from batchGradientQuads.", $"public static void KernelGradientRows{path.Suffix}(ref float input, ref float batchGradient, ref float batchGradientQuads, ref float kernelGradient, int count, (int First, int End) features)");
        w.Line("(int i, int end) = features;");
        blocking.EmitRuntimeRows(w, "i", "end", rows => w.Line(family.Get(rows).Call(
            "Unsafe.Add(ref input, i)",
            "batchGradient",
            "batchGradientQuads",
            $"Unsafe.Add(ref kernelGradient, i * {Units})",
            "count")), multiple: 4);
        w.Close();
        EmitTiles(w, family.Tiles);
    }

    /// <summary>
    /// inputGradient[n, k] = Σ_u batchGradient[n, u] · kernel[k, u] for the input features k0..k1 a thread owns, over
    /// the whole batch, from its rows of the kernel transposed ([units, inputs], the other columns unread). The
    /// features start on a block of <see cref="NetworkPlan.SplitBlock"/> and end on one or at the last feature, so the
    /// column panels are known here: wide ones while they fit, one of the whole blocks left, then the last features'.
    /// </summary>
    private void EmitInputGradientRows(SourceWriter w, VectorIsa path)
    {
        VectorIsa isa = path.ForColumns(Inputs);
        ActivationKind? previous = Plan.FusedDerivative(Layer.Index);
        int stride = Plan.TransposedStride(Layer.Index);
        TileFamily family = ProductTiles("InputGradientRows", isa, Units, Inputs, stride, TileStart.Zero, ActivationKind.Linear, previous, depthParameter: null, InputGradientNouns);

        // The wide panel: the width Blocking.Choose would pick, in whole blocks of 16 features; as many rows as fit.
        int block = NetworkPlan.SplitBlock / isa.Width;
        int wide = Math.Max(block, Blocking.Choose(isa, Inputs, rows: null).Panels[0].Vectors / block * block);
        var blocking = new Blocking(Math.Max(1, Blocking.MaxRows(isa, wide)), 0, 0, [new Panel(0, wide, isa.Width)]);
        int lastLanes = Inputs % NetworkPlan.SplitBlock;
        int lastVectors = (lastLanes + isa.Width - 1) / isa.Width;

        Method(w, $"Backward by rows, input gradient: inputGradient[:, k0..k1) = batchGradient × kernel[k0..k1, :]ᵀ over the whole batch of `count` samples [N,{Units}] -> [N,{Inputs}]{(previous is ActivationKind p ? $", times the {ActivationCode.Describe(p)}' of the layer before, from this layer's input" : "")}.", $"public static void InputGradientRows{path.Suffix}(ref float batchGradient, ref float transposed, ref float inputGradient, {(previous is null ? "" : "ref float input, ")}int count, (int First, int End) features)");
        w.Line("(int k0, int k1) = features;");
        string rest = wide > block ? $", then one panel for the whole blocks of {NetworkPlan.SplitBlock} left" : "";
        w.Comment($"Panels of {wide * isa.Width} features while they fit{rest}{(lastLanes > 0 ? $", then the last {lastLanes} if they are this thread's" : "")}; each panel for every block of samples, so its columns of the transposed kernel stay in cache (all the thread's columns, row after row, would not).");
        w.Line("int column = k0;");

        // One panel's columns for every block of samples.
        void EmitPanel(int vectors, int lanes)
        {
            w.Line("int n = 0;");
            blocking.EmitRuntimeRows(w, "n", "count", rows => w.Line(family.Get(rows, new Panel(0, vectors, lanes)).Call(
                $"Unsafe.Add(ref batchGradient, n * {Units})",
                "Unsafe.Add(ref transposed, column)",
                $"Unsafe.Add(ref inputGradient, (n * {Inputs}) + column)",
                y: previous is null ? null : $"Unsafe.Add(ref input, (n * {Inputs}) + column)")));
        }

        w.Open($"for (; column <= k1 - {wide * isa.Width}; column += {wide * isa.Width})");
        EmitPanel(wide, isa.Width);
        w.Close();
        for (int vectors = wide - block; vectors >= block; vectors -= block)
        {
            w.Open($"{(vectors == wide - block ? "if" : "else if")} (column <= k1 - {vectors * isa.Width})");
            EmitPanel(vectors, isa.Width);
            if (lastLanes > 0)
            {
                w.Line($"column += {vectors * isa.Width};");
            }

            w.Close();
        }

        if (lastLanes > 0)
        {
            w.Open("if (column < k1)");
            EmitPanel(lastVectors, lastLanes - ((lastVectors - 1) * isa.Width));
            w.Close();
        }

        w.Close();
        EmitTiles(w, family.Tiles);
    }

    /// <summary>The input of this layer for the whole batch of a training step.</summary>
    private string BatchInput(PassWriter pass) => pass.BatchBuffer(Plan.InputOf(Layer.Index, PassMode.Training), Inputs);

    /// <summary>The statement transposing this layer's kernel for its input gradient: the rows a thread owns (trained by
    /// rows), the whole kernel into the thread's own workspace (a small one), or a share into the shared buffer.</summary>
    public override void EmitKernelTranspose(PassWriter pass)
    {
        string kernel = PassWriter.Parameter(Plan.Weight(Layer.Index, "kernel"));
        string transposed = pass.Buffer(Id + "TransposedKernel");
        pass.Statement(IsRowSplit
            ? $"TensorLayout.TransposeRows(ref {kernel}, ref {transposed}, {Units}, {Plan.OwnedFeatures(Layer.Index)}, {Plan.TransposedStride(Layer.Index)});"
            : Plan.TransposesPrivately(Layer.Index)
                ? $"TensorLayout.Transpose(ref {kernel}, ref {transposed}, {Inputs}, {Units});"
                : $"TensorLayout.Transpose(ref {kernel}, ref {transposed}, {Inputs}, {Units}, thread, threads);");
    }

    /// <summary>Trained by rows, the layer writes its input gradient into a batch region (each thread its own
    /// features for the whole batch); the layer before reads its chunk of it.</summary>
    public override string InputGradientBuffer(string spare) => IsRowSplit ? Id + "BatchInputGradient" : spare;

    public override void EmitForward(PassWriter pass, VectorIsa isa, PassMode mode)
    {
        string kernel = PassWriter.Parameter(Plan.Weight(Layer.Index, "kernel"));
        string bias = _dense.UseBias ? $"ref {PassWriter.Parameter(Plan.Weight(Layer.Index, "bias"))}, " : "";
        if (mode == PassMode.SplitInference && Plan.ComputesInFirstPart(Layer.Index))
        {
            pass.Comment("Part 0 alone, from all the units it has just summed: this small a product takes less time than one more barrier.");
            pass.Open("if (part == 0)");
            EmitWholeForward(pass, isa, mode);
            pass.Close();
            return;
        }

        if (mode == PassMode.SplitInference)
        {
            string partials = pass.Buffer(Id + "Partials");
            pass.Statement($"{KernelClass}.ForwardPartial{isa.Suffix}(ref {pass.Buffer(Plan.InputOf(Layer.Index, mode))}, ref {kernel}, ref Unsafe.Add(ref {partials}, part * Workspace.PartialsPerThread), count, {NetworkPlan.SplitValues(Inputs)});");
            pass.Barrier();
            string units = NetworkPlan.SplitValues(Units);
            if (Plan.SumsAllInFirstPart(Layer.Index))
            {
                pass.Comment("Part 0 sums all the units: it computes the logits from them alone next.");
                units = $"(0, part == 0 ? {Units} : 0)";
            }

            pass.Statement($"{KernelClass}.ForwardReduce{isa.Suffix}(ref {partials}, {bias}ref {pass.Buffer(Plan.OutputOf(Layer.Index, mode))}, count, Workspace.PartialsPerThread, parts, {units});");
            return;
        }

        if (mode == PassMode.Training && IsRowSplit)
        {
            string partials = pass.Buffer(Id + "RowPartials");
            if (Layer.Index != Plan.ImagesRowSplitLayer)
            {
                pass.Comment("Every thread has written its chunk of this layer's input: the whole batch's is here after the barrier.");
                pass.Barrier();
            }

            pass.Comment("By rows: the partial sums of the input features this thread owns, for the whole batch; then its chunk's outputs.");
            string threadPartials = $"ref Unsafe.Add(ref {partials}, thread * Workspace.BatchPartialsPerSample * total)";
            pass.Statement(QuadIsa(isa) is null
                ? $"{KernelClass}.ForwardPartial{isa.Suffix}(ref {BatchInput(pass)}, ref {kernel}, {threadPartials}, total, {Plan.OwnedFeatures(Layer.Index)});"
                : $"{KernelClass}.ForwardRowsPartial{isa.Suffix}(ref {BatchInput(pass)}, ref {kernel}, ref {pass.Buffer(Id + "KernelQuads")}, {threadPartials}, total, {Plan.OwnedFeatures(Layer.Index)});");
            pass.Barrier();
            pass.Statement($"{KernelClass}.ForwardReduce{isa.Suffix}(ref Unsafe.Add(ref {partials}, first * {Units}), {bias}ref {pass.Buffer(Plan.OutputOf(Layer.Index, mode))}, count, Workspace.BatchPartialsPerSample * total, threads, (0, {Units}));");
            return;
        }

        EmitWholeForward(pass, isa, mode);
    }

    // The whole product of a thread's samples, in one call.
    private void EmitWholeForward(PassWriter pass, VectorIsa isa, PassMode mode)
    {
        var arguments = new List<string>
        {
            "ref " + pass.Buffer(Plan.InputOf(Layer.Index, mode)),
            "ref " + PassWriter.Parameter(Plan.Weight(Layer.Index, "kernel")),
        };
        if (_dense.UseBias)
        {
            arguments.Add("ref " + PassWriter.Parameter(Plan.Weight(Layer.Index, "bias")));
        }

        arguments.Add("ref " + pass.Buffer(Plan.OutputOf(Layer.Index, mode)));
        arguments.Add(Count);
        pass.Statement($"{KernelClass}.Forward{isa.Suffix}({string.Join(", ", arguments)});");
    }

    public override void EmitBackward(PassWriter pass, VectorIsa isa, string gradientOut, string gradientIn)
    {
        if (IsRowSplit)
        {
            string batchGradient = pass.Buffer(Id + "BatchGradient");
            string biasGradient = _dense.UseBias ? $"ref {PassWriter.ParameterGradient(Plan.Weight(Layer.Index, "bias"))}, " : "";
            bool quads = QuadIsa(isa) is not null;
            string gradientQuads = quads ? $"ref {pass.Buffer(Id + "BatchGradientQuads")}, " : "";
            pass.Statement($"{KernelClass}.GatherOutputGradient{isa.Suffix}(ref {pass.Buffer(Plan.OutputOf(Layer.Index, PassMode.Training))}, ref {pass.Buffer(gradientOut)}, {biasGradient}ref {batchGradient}, {gradientQuads}count);");
            pass.Barrier();
            pass.Comment("The kernel rows this thread owns: their gradient over the whole batch, straight into the model's buffer.");
            string wholeGradient = pass.BatchBuffer(Id + "BatchGradient", Units);
            string wholeQuads = quads ? $"ref {pass.BatchBuffer(Id + "BatchGradientQuads", 16)}, " : "";
            pass.Statement($"{KernelClass}.KernelGradientRows{isa.Suffix}(ref {BatchInput(pass)}, ref {wholeGradient}, {wholeQuads}ref Unsafe.Add(ref modelGradients, Weights.{Plan.Weight(Layer.Index, "kernel").Constant}), total, {Plan.OwnedFeatures(Layer.Index)});");
            if (NeedsInputGradient)
            {
                string input = Plan.FusedDerivative(Layer.Index) is null ? "" : $"ref {BatchInput(pass)}, ";
                pass.Comment("The input gradient of the features this thread owns, for the whole batch; the barrier publishes it to the chunks before.");
                pass.Statement($"{KernelClass}.InputGradientRows{isa.Suffix}(ref {wholeGradient}, ref {pass.Buffer(Id + "TransposedKernel")}, ref {pass.BatchBuffer(gradientIn, Inputs)}, {input}total, {Plan.OwnedFeatures(Layer.Index)});");
                pass.Barrier();
            }

            return;
        }

        var arguments = new List<string>
        {
            "ref " + pass.Buffer(Plan.InputOf(Layer.Index, PassMode.Training)),
            "ref " + PassWriter.Parameter(Plan.Weight(Layer.Index, "kernel")),
            "ref " + pass.Buffer(Plan.OutputOf(Layer.Index, PassMode.Training)),
            "ref " + pass.Buffer(gradientOut),
            "ref " + PassWriter.ParameterGradient(Plan.Weight(Layer.Index, "kernel")),
        };
        if (_dense.UseBias)
        {
            arguments.Add("ref " + PassWriter.ParameterGradient(Plan.Weight(Layer.Index, "bias")));
        }

        if (NeedsInputGradient)
        {
            arguments.Add("ref " + pass.Buffer(gradientIn));
            arguments.Add("ref " + pass.Buffer(Id + "TransposedKernel"));
        }

        arguments.Add(Count);
        pass.Statement($"{KernelClass}.Backward{isa.Suffix}({string.Join(", ", arguments)});");
    }
}
