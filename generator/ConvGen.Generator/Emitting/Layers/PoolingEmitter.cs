using System;
using ConvGen.Generator.Emitting.Kernels;
using ConvGen.Generator.Model;

namespace ConvGen.Generator.Emitting.Layers;

/// <summary>
/// MaxPooling2D and AveragePooling2D, vectorised over channels. Windows are clipped to the input, so 'same' padding
/// never lets a padded cell win a maximum or count in an average. Max backward routes each output's gradient to the
/// first cell of its window (in scan order) holding the maximum, found again by comparison with the stored output.
/// </summary>
internal sealed class PoolingEmitter : LayerEmitter
{
    private const int PanelVectors = 8;
    private readonly Pooling2DSpec _pool;

    public PoolingEmitter(NetworkPlan plan, Pooling2DSpec pool)
        : base(plan, pool)
    {
        _pool = pool;
    }

    private int Channels => _pool.Input.Channels;

    public override string Describe()
    {
        Pooling2DSpec p = _pool;
        string padding = p.Same ? $"'same' (window clipped to the input; pads top {p.PadTop}, left {p.PadLeft})" : "'valid'";
        return $"{p.Name}: {p.KerasType}, pool {p.PoolHeight}×{p.PoolWidth}, stride {p.StrideHeight}×{p.StrideWidth}, {padding}: in {p.Input.ToBatchComment()} -> out {p.Output.ToBatchComment()}.";
    }

    protected override void EmitKernels(SourceWriter w, VectorIsa isa)
    {
        Pooling2DSpec p = _pool;
        string what = p.IsMax ? "the maximum" : "the mean";
        Method(w, $"Forward: each output is {what} of its window, per channel; part `part` of `parts` of the output rows.", $"public static void Forward{isa.Suffix}(ref float input, ref float output, int count, int part = 0, int parts = 1)");
        EmitPixelLoops(w, isa, forward: true);
        w.Close();
        w.Line();
        string parameters = p.IsMax
            ? "ref float input, ref float output, ref float outputGradient, ref float inputGradient, int count"
            : "ref float outputGradient, ref float inputGradient, int count";
        string how = p.IsMax ? "to the first cell of its window holding the maximum" : "spread evenly over the window's cells";
        if (Plan.FusedDerivative(Layer.Index) is ActivationKind previous)
        {
            how += $", times the {ActivationCode.Describe(previous)}' of the layer before (from the cell's value)";
        }
        if (!WindowsDisjoint)
        {
            Method(w, $"Backward: each output's gradient goes {how}; overlapping windows add up.", $"public static void Backward{isa.Suffix}({parameters})");
            w.Line($"TensorLayout.Clear(ref inputGradient, count * {p.Input.Size});");
        }
        else if (CoveredHeight < p.Input.Height || CoveredWidth < p.Input.Width)
        {
            Method(w, $"Backward: each output's gradient goes {how}; the windows are disjoint, so each covered cell is written once, and the rows and columns no window covers are zero.", $"public static void Backward{isa.Suffix}({parameters})");
            w.Line($"TensorLayout.ClearOutside(ref inputGradient, count, {p.Input.Height}, {p.Input.Width}, {Channels}, coveredHeight: {CoveredHeight}, coveredWidth: {CoveredWidth});");
        }
        else
        {
            Method(w, $"Backward: each output's gradient goes {how}; the windows tile the input, so each cell is written once.", $"public static void Backward{isa.Suffix}({parameters})");
        }

        EmitPixelLoops(w, isa, forward: false);
        w.Close();
    }

    /// <summary>Whether the windows never overlap ('valid', stride = pool size): then every input cell belongs to one
    /// window at most and its gradient is written once, with no accumulation; only the cells past the last window
    /// (<see cref="CoveredHeight"/>, <see cref="CoveredWidth"/>) need clearing.</summary>
    private bool WindowsDisjoint =>
        !_pool.Same && _pool.StrideHeight == _pool.PoolHeight && _pool.StrideWidth == _pool.PoolWidth;

    /// <summary>The input rows the disjoint windows cover.</summary>
    private int CoveredHeight => _pool.Output.Height * _pool.PoolHeight;

    /// <summary>The input columns the disjoint windows cover.</summary>
    private int CoveredWidth => _pool.Output.Width * _pool.PoolWidth;

    /// <summary>'Valid' windows always lie inside the input: their cells are constant offsets from the window's corner.</summary>
    private bool FullWindows => !_pool.Same;

    /// <summary>The loops over images and output pixels, the window (its corner, or its clipped bounds), then one block per
    /// panel of channels.</summary>
    private void EmitPixelLoops(SourceWriter w, VectorIsa path, bool forward)
    {
        VectorIsa isa = path.ForColumns(Channels);
        Pooling2DSpec p = _pool;
        ShapeSpec input = p.Input;
        ShapeSpec output = p.Output;
        if (forward)
        {
            w.Line($"(int rowFirst, int rowEnd) = Partition.Range({output.Height}, part, parts);");
        }

        w.Open("for (int n = 0; n < count; n++)");
        w.Open(forward ? "for (int oy = rowFirst; oy < rowEnd; oy++)" : $"for (int oy = 0; oy < {output.Height}; oy++)");
        if (!FullWindows)
        {
            WindowBounds(w, "y", "oy", p.StrideHeight, p.PadTop, p.PoolHeight, input.Height);
        }

        w.Open($"for (int ox = 0; ox < {output.Width}; ox++)");
        if (FullWindows)
        {
            string corner = $"(((((n * {input.Height}) + (oy * {p.StrideHeight})) * {input.Width}) + (ox * {p.StrideWidth})) * {Channels})";
            if (forward || p.IsMax)
            {
                w.Line($"ref float window = ref Unsafe.Add(ref input, {corner});");
            }

            if (!forward)
            {
                w.Line($"ref float windowGradient = ref Unsafe.Add(ref inputGradient, {corner});");
            }
        }
        else
        {
            WindowBounds(w, "x", "ox", p.StrideWidth, p.PadLeft, p.PoolWidth, input.Width);
        }

        w.Line($"int pixel = (((n * {output.Height}) + oy) * {output.Width}) + ox;");
        if (!p.IsMax)
        {
            w.Line(FullWindows
                ? $"const float scale = {VectorIsa.Float(1.0 / (p.PoolHeight * p.PoolWidth))};"
                : "float scale = 1f / ((y1 - y0) * (x1 - x0));");
        }

        ChannelPanels.Emit(w, isa, Channels, PanelVectors, (vectors, lastLanes, column) =>
        {
            if (forward)
            {
                EmitForwardPanel(w, isa, vectors, lastLanes, column);
            }
            else
            {
                EmitBackwardPanel(w, isa, vectors, lastLanes, column);
            }
        });

        w.Close();
        w.Close();
        w.Close();
    }

    private static void WindowBounds(SourceWriter w, string axis, string index, int stride, int pad, int window, int size)
    {
        string start = pad == 0 ? $"{index} * {stride}" : $"({index} * {stride}) - {pad}";
        w.Line(pad == 0 ? $"int {axis}0 = {start};" : $"int {axis}0 = Math.Max({start}, 0);");
        w.Line($"int {axis}1 = Math.Min({start} + {window}, {size});");
    }

    /// <summary>
    /// Writes <paramref name="body"/> once per cell of the window, in scan order (rows, then columns), with references
    /// <c>cell</c> (the input) and <c>cellGradient</c> (the input gradient) at the panel's first channel: written out at
    /// constant offsets from the window's corner for full windows, in loops over the clipped bounds otherwise.
    /// </summary>
    private void ForEachCell(SourceWriter w, string column, bool gradient, bool input, Action body)
    {
        if (FullWindows)
        {
            for (int dy = 0; dy < _pool.PoolHeight; dy++)
            {
                for (int dx = 0; dx < _pool.PoolWidth; dx++)
                {
                    int offset = ((dy * _pool.Input.Width) + dx) * Channels;
                    w.Open();
                    if (input)
                    {
                        w.Line($"ref float cell = ref {ChannelPanels.At("window", column, offset)};");
                    }

                    if (gradient)
                    {
                        w.Line($"ref float cellGradient = ref {ChannelPanels.At("windowGradient", column, offset)};");
                    }

                    body();
                    w.Close();
                }
            }

            return;
        }

        w.Open("for (int y = y0; y < y1; y++)");
        w.Open("for (int x = x0; x < x1; x++)");
        if (input)
        {
            Cell(w, "cell", "input", column);
        }

        if (gradient)
        {
            Cell(w, "cellGradient", "inputGradient", column);
        }

        body();
        w.Close();
        w.Close();
    }

    /// <summary>Declares <paramref name="name"/> as a reference to the panel's first channel of cell (n, y, x).</summary>
    private void Cell(SourceWriter w, string name, string reference, string column) =>
        w.Line($"ref float {name} = ref Unsafe.Add(ref {reference}, (((((n * {_pool.Input.Height}) + y) * {_pool.Input.Width}) + x) * {Channels}){Plus(column)});");

    /// <summary>Declares <paramref name="name"/> as a reference to the panel's first channel of the output pixel.</summary>
    private void Pixel(SourceWriter w, string name, string reference, string column) =>
        w.Line($"ref float {name} = ref Unsafe.Add(ref {reference}, (pixel * {Channels}){Plus(column)});");

    private static string Plus(string column) => column == "0" ? "" : " + " + column;

    private void EmitForwardPanel(SourceWriter w, VectorIsa isa, int vectors, int lastLanes, string column)
    {
        bool max = _pool.IsMax;
        for (int v = 0; v < vectors; v++)
        {
            w.Line($"{isa.Vector} m{v} = {(max ? isa.Broadcast("float.NegativeInfinity") : isa.Zero)};");
        }

        ForEachCell(w, column, gradient: false, input: true, () =>
        {
            for (int v = 0; v < vectors; v++)
            {
                string load = isa.Load("cell", v * isa.Width);
                w.Line(max ? $"m{v} = {isa.Api}.Max(m{v}, {load});" : $"m{v} += {load};");
            }
        });
        Pixel(w, "target", "output", column);
        for (int v = 0; v < vectors; v++)
        {
            w.Line(isa.Store(max ? $"m{v}" : $"m{v} * scale", "target", v * isa.Width, v == vectors - 1 ? lastLanes : isa.Width));
        }
    }

    private void EmitBackwardPanel(SourceWriter w, VectorIsa isa, int vectors, int lastLanes, string column)
    {
        bool max = _pool.IsMax;
        ActivationKind? previous = Plan.FusedDerivative(Layer.Index);
        Pixel(w, "pixelGradient", "outputGradient", column);
        if (max)
        {
            Pixel(w, "pixelOutput", "output", column);
        }

        for (int v = 0; v < vectors; v++)
        {
            w.Line($"{isa.Vector} g{v} = {isa.Load("pixelGradient", v * isa.Width)}{(max ? "" : " * scale")};");
            if (max)
            {
                w.Line($"{isa.Vector} m{v} = {isa.Load("pixelOutput", v * isa.Width)};");
                w.Line($"{isa.Vector} taken{v} = {isa.Zero};");
            }
        }

        ForEachCell(w, column, gradient: true, input: max, () =>
        {
            for (int v = 0; v < vectors; v++)
            {
                int lanes = v == vectors - 1 ? lastLanes : isa.Width;
                string add;
                if (max)
                {
                    w.Line($"{isa.Vector} first{v} = {isa.Api}.AndNot({isa.Api}.Equals({isa.Load("cell", v * isa.Width)}, m{v}), taken{v});");
                    w.Line($"taken{v} |= first{v};");
                    string routed = $"g{v} & first{v}";
                    if (previous is ActivationKind derivative)
                    {
                        // The layer before ends in this activation: its derivative, from the cell's value, applied here.
                        routed = ActivationCode.VectorDerivative(isa, derivative, routed, isa.Load("cell", v * isa.Width));
                    }

                    add = WindowsDisjoint ? routed : $"{isa.Load("cellGradient", v * isa.Width)} + ({routed})";
                }
                else
                {
                    add = WindowsDisjoint ? $"g{v}" : $"{isa.Load("cellGradient", v * isa.Width)} + g{v}";
                }

                w.Line(isa.Store(add, "cellGradient", v * isa.Width, lanes));
            }
        });
    }

    public override void EmitForward(PassWriter pass, VectorIsa isa, PassMode mode) =>
        pass.Statement($"{KernelClass}.Forward{isa.Suffix}(ref {pass.Buffer(Plan.InputOf(Layer.Index, mode))}, ref {pass.Buffer(Plan.OutputOf(Layer.Index, mode))}, {Count}{PassWriter.PartArguments(mode)});");

    public override void EmitBackward(PassWriter pass, VectorIsa isa, string gradientOut, string gradientIn)
    {
        string arguments = _pool.IsMax
            ? $"ref {pass.Buffer(Plan.InputOf(Layer.Index, PassMode.Training))}, ref {pass.Buffer(Plan.OutputOf(Layer.Index, PassMode.Training))}, ref {pass.Buffer(gradientOut)}, ref {pass.Buffer(gradientIn)}, {Count}"
            : $"ref {pass.Buffer(gradientOut)}, ref {pass.Buffer(gradientIn)}, {Count}";
        pass.Statement($"{KernelClass}.Backward{isa.Suffix}({arguments});");
    }
}
