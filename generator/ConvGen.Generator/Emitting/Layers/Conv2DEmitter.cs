using System.Collections.Generic;
using System.Linq;
using ConvGen.Generator.Emitting.Kernels;
using ConvGen.Generator.Model;

namespace ConvGen.Generator.Emitting.Layers;

/// <summary>
/// Conv2D: forward as a direct convolution of the (zero-bordered) input; backward as the activation derivative, the
/// bias gradient (a sum over pixels), the kernel gradient (tiles of kernel rows × output channels reducing over the
/// output pixels of each image) and, when an earlier layer needs it, the input gradient (the flipped, transposed kernel
/// convolved over the output gradient dilated by the strides).
/// </summary>
internal sealed class Conv2DEmitter : LayerEmitter
{
    private readonly Conv2DSpec _conv;

    /// <summary>The forward pass by Winograd's minimal filtering when the shape allows it (<see cref="WinogradConvolution.For"/>), else null.</summary>
    private readonly WinogradConvolution? _winograd;

    /// <summary>The input gradient by Winograd's minimal filtering when the backward pass writes one and the shape allows it
    /// (<see cref="WinogradConvolution.ForInputGradient"/>), else null.</summary>
    private readonly WinogradConvolution? _inputGradientWinograd;

    public Conv2DEmitter(NetworkPlan plan, Conv2DSpec conv)
        : base(plan, conv)
    {
        _conv = conv;
        _winograd = WinogradConvolution.For(conv, ForwardActivation);
        _inputGradientWinograd = NeedsInputGradient ? WinogradConvolution.ForInputGradient(conv, plan.FusedDerivative(conv.Index)) : null;
    }

    private ShapeSpec Padded => NetworkPlan.PaddedInput(_conv);

    private ShapeSpec Dilated => NetworkPlan.DilatedGradient(_conv);

    public override string Describe()
    {
        Conv2DSpec c = _conv;
        string padding = c.Same ? $"'same' (pads top {c.PadTop}, left {c.PadLeft}, bottom {c.PadBottom}, right {c.PadRight})" : "'valid'";
        return $"{c.Name}: Conv2D, {c.Filters} filters of {c.KernelHeight}×{c.KernelWidth}, stride {c.StrideHeight}×{c.StrideWidth}, {padding}, {ActivationCode.Describe(c.Activation)}: in {c.Input.ToBatchComment()} -> out {c.Output.ToBatchComment()}.";
    }

    protected override void EmitKernels(SourceWriter w, VectorIsa isa)
    {
        EmitForwardKernel(w, isa);
        w.Line();
        EmitBackwardKernel(w, isa);
    }

    private Convolution ForwardConvolution(ActivationKind activation) => new(
        "Forward",
        Padded.Height,
        Padded.Width,
        Padded.Channels,
        _conv.KernelHeight,
        _conv.KernelWidth,
        _conv.StrideHeight,
        _conv.StrideWidth,
        _conv.Output.Height,
        _conv.Output.Width,
        _conv.Filters,
        _conv.Output.Width * _conv.Filters,
        (int)_conv.Output.Size,
        _conv.UseBias,
        activation)
    {
        SplitRows = true,
    };

    private void EmitForwardKernel(SourceWriter w, VectorIsa isa)
    {
        if (_winograd is not null)
        {
            EmitWinogradForwardKernels(w, isa, _winograd);
            return;
        }

        Conv2DSpec c = _conv;
        string bias = c.UseBias ? "ref float bias, " : "";
        Method(w, $"Forward: out = {ActivationCode.Describe(ForwardActivation)}({(c.UseBias ? "bias + " : "")}conv(in, kernel)); {ForwardInput()} -> out {c.Output.ToBatchComment()}; part `part` of `parts` of the output rows.", $"public static void Forward{isa.Suffix}(ref float input, ref float kernel, {bias}ref float output, int count, int part = 0, int parts = 1)");
        IReadOnlyList<TileKernel> tiles = ForwardConvolution(ForwardActivation).EmitLoops(w, isa, "input", "kernel", c.UseBias ? "bias" : null, "output");
        w.Close();
        EmitTiles(w, tiles);
    }

    private string ForwardInput() => _conv.IsPadded ? $"the zero-bordered input {Padded.ToBatchComment()} (the pass pads it first)" : $"in {_conv.Input.ToBatchComment()}";

    /// <summary>The forward kernels by Winograd's minimal filtering: Forward transforms the kernel into the thread's
    /// scratch and runs ForwardTransformed, which a split pass calls with the transformed kernel it keeps from call to
    /// call (KeepTransformedKernel).</summary>
    private void EmitWinogradForwardKernels(SourceWriter w, VectorIsa isa, WinogradConvolution winograd)
    {
        Conv2DSpec c = _conv;
        string bias = c.UseBias ? "ref float bias, " : "";
        string biasArgument = c.UseBias ? "ref bias, " : "";
        string what = $"out = {ActivationCode.Describe(ForwardActivation)}({(c.UseBias ? "bias + " : "")}conv(in, kernel)) by Winograd's {winograd.Algorithm}; {ForwardInput()} -> out {c.Output.ToBatchComment()}";
        Method(w, $"Forward: {what}; the scratch holds the transformed kernel, then a band's transformed inputs and products.", $"public static void Forward{isa.Suffix}(ref float input, ref float kernel, {bias}ref float output, ref float scratch, int count)");
        w.Line($"{winograd.Name}Kernel{isa.Suffix}(ref kernel, ref scratch);");
        w.Line($"ForwardTransformed{isa.Suffix}(ref input, ref scratch, {biasArgument}ref output, ref Unsafe.Add(ref scratch, {I(winograd.TransformedKernelSize)}), count);");
        w.Close();
        w.Line();
        Method(w, $"Forward from the transformed kernel u: {what}; the scratch holds a band's transformed inputs and products; part `part` of `parts` of the bands of {winograd.Algorithm.Tile} output rows.", $"public static void ForwardTransformed{isa.Suffix}(ref float input, ref float u, {bias}ref float output, ref float scratch, int count, int part = 0, int parts = 1)");
        IReadOnlyList<TileKernel> tiles = winograd.EmitLoops(w, isa, "input", c.UseBias ? "bias" : null, "output");
        w.Close();
        w.Line();
        winograd.EmitKernelTransform(w, isa);
        w.Line();
        winograd.EmitKeepTransformedKernel(w, isa);
        EmitTiles(w, tiles);
    }

    private void EmitBackwardKernel(SourceWriter w, VectorIsa isa)
    {
        Conv2DSpec c = _conv;
        var parameters = new List<string> { "ref float input", "ref float kernel", "ref float output", "ref float outputGradient", "ref float kernelGradient" };
        if (c.UseBias)
        {
            parameters.Add("ref float biasGradient");
        }

        if (NeedsInputGradient)
        {
            parameters.Add("ref float inputGradient");
            parameters.Add("ref float dilated");
            if (c.IsPadded)
            {
                parameters.Add("ref float paddedInputGradient");
            }

            parameters.Add("ref float flipped");
        }

        if (_winograd is not null)
        {
            parameters.Add("ref float winograd");
        }

        parameters.Add("int count");
        string inputName = c.IsPadded ? "the zero-bordered input" : "the input";
        Method(w, $"Backward: kernel{(c.UseBias ? ", bias" : "")}{(NeedsInputGradient ? " and input" : "")} gradients from the output gradient; reads {inputName} {Padded.ToBatchComment()} and the output {c.Output.ToBatchComment()}.", $"public static void Backward{isa.Suffix}({string.Join(", ", parameters)})");
        var tiles = new List<TileKernel>();
        int outputLength = (int)c.Output.Size;

        EmitOwnDerivative(w, isa, outputLength);

        if (c.UseBias)
        {
            w.Comment("Bias gradient: the output gradient summed over images and pixels.");
            ChannelSums.Emit(w, isa, c.Filters, "outputGradient", $"count * {c.Output.Height * c.Output.Width}", "biasGradient");
        }

        w.Comment($"Kernel gradient [{c.KernelHeight}, {c.KernelWidth}, {c.Input.Channels}, {c.Filters}]: Σ over images and output pixels of input · output gradient.");
        if (_winograd is not null)
        {
            w.Comment($"By Winograd's {_winograd.Algorithm}, as the forward pass ran: the {_winograd.Algorithm.Positions} positions' products summed over the images' tiles in the thread's scratch, then turned into the kernel gradient after the last image.");
            _winograd.EmitKernelGradientScratch(w, "winograd");
        }
        else
        {
            w.Line($"TensorLayout.Clear(ref kernelGradient, {c.KernelHeight * c.KernelWidth * c.Input.Channels * c.Filters});");
        }

        if (NeedsInputGradient)
        {
            if (_inputGradientWinograd is not null)
            {
                w.Comment($"The input gradient by Winograd's {_inputGradientWinograd.Algorithm}: the flipped kernel's transform, once for all the images, in the scratch's second part.");
                w.Line($"ref float inputGradientScratch = ref Unsafe.Add(ref winograd, {I(_winograd!.ScratchSize)});");
                _inputGradientWinograd.EmitScratch(w, isa, "inputGradientScratch", "flipped");
            }

            w.Comment("Image by image, the kernel gradient then the input gradient: the image's output gradient, read by both, is still in cache for the second.");
        }

        w.Open("for (int n = 0; n < count; n++)");
        w.Line($"ref float inputImage = ref Unsafe.Add(ref input, n * {Padded.Size});");
        w.Line($"ref float gradientImage = ref Unsafe.Add(ref outputGradient, n * {c.Output.Size});");
        tiles.AddRange(_winograd is not null ? _winograd.EmitKernelGradientImage(w, isa, "inputImage", "gradientImage") : EmitKernelGradientLoops(w, isa));

        if (NeedsInputGradient)
        {
            ShapeSpec d = Dilated;
            int rows = d.Height - c.KernelHeight + 1;
            int columns = d.Width - c.KernelWidth + 1;
            string target = c.IsPadded ? "paddedInputGradient" : $"Unsafe.Add(ref inputGradient, n * {c.Input.Size})";
            w.Comment("Input gradient of the image: its output gradient, dilated by the strides and padded by kernel - 1 into the thread's one-image buffer, convolved with the kernel flipped and transposed to [ky, kx, filters, channels] (flipped once per step, before the backward pass).");
            w.Line($"TensorLayout.Dilate(ref gradientImage, ref dilated, 1, {c.Output.Height}, {c.Output.Width}, {c.Filters}, {c.StrideHeight}, {c.StrideWidth}, {c.KernelHeight - 1}, {c.KernelWidth - 1}, {d.Height}, {d.Width});");
            if (rows < Padded.Height || columns < Padded.Width)
            {
                w.Comment($"The strides leave the last {Padded.Height - rows} rows and {Padded.Width - columns} columns out of every window: their gradient is zero.");
                w.Line($"TensorLayout.Clear(ref {target}, {Padded.Size});");
            }

            if (Plan.FusedDerivative(c.Index) is ActivationKind previous)
            {
                w.Comment($"The layer before ends in {ActivationCode.Describe(previous)}: its derivative, from this layer's input, is applied as the gradient is written.");
            }

            tiles.AddRange(_inputGradientWinograd is not null
                ? _inputGradientWinograd.EmitImage(w, isa, "dilated", target, y: "inputImage")
                : EmitDirectInputGradient(w, isa, rows, columns, target));

            if (c.IsPadded)
            {
                w.Line($"TensorLayout.Crop(ref paddedInputGradient, ref Unsafe.Add(ref inputGradient, n * {c.Input.Size}), 1, {Padded.Height}, {Padded.Width}, {c.Input.Channels}, {c.PadTop}, {c.PadLeft}, {c.Input.Height}, {c.Input.Width});");
            }
        }

        w.Close();
        if (_winograd is not null)
        {
            w.Line($"{_winograd.KernelGradientTransformName(isa)}(ref gu, ref kernelGradient);");
        }

        w.Close();
        _winograd?.EmitKernelGradientTransform(w, isa);
        _inputGradientWinograd?.EmitKernelTransform(w, isa);
        EmitTiles(w, tiles);
    }

    /// <summary>The input gradient of image n by the direct convolution of the dilated output gradient with the flipped
    /// kernel, skipping the kernel rows that reach only its zero border.</summary>
    private IReadOnlyList<TileKernel> EmitDirectInputGradient(SourceWriter w, VectorIsa isa, int rows, int columns, string target)
    {
        Conv2DSpec c = _conv;
        ShapeSpec d = Dilated;
        var inputGradient = new Convolution("InputGradient", d.Height, d.Width, c.Filters, c.KernelHeight, c.KernelWidth, 1, 1, rows, columns, c.Input.Channels, Padded.Width * c.Input.Channels, (int)Padded.Size, Bias: false, ActivationKind.Linear)
        {
            DataRows = (c.KernelHeight - 1, ((c.Output.Height - 1) * c.StrideHeight) + 1),
            Derivative = Plan.FusedDerivative(c.Index),
            Nouns = ("input-gradient pixels", "input channels", "(kx, filter)"),
            OneImage = true,
        };
        return inputGradient.EmitLoops(w, isa, "dilated", "flipped", null, target, y: "inputImage");
    }

    /// <summary>
    /// The kernel gradient's products over image n (<c>inputImage</c>, <c>gradientImage</c>), added to the kernel
    /// gradient; the caller loops over the images (an image's input and output gradient stay in cache). Every row of
    /// the kernel gradient is one (ky, kx, c) and its columns are the filters. The rows of one kernel row ky, its kx × c, read
    /// consecutive floats of the input (pixel kx's channels follow pixel kx - 1's), so with at least 8 input channels a
    /// tile covers consecutive (kx, c) of one kernel row and one tile shape serves every ky: a tile is not cut at each
    /// tap, which for few channels (8 channels, 4 × 4 taps) doubles its rows. With fewer channels the tiles run through
    /// the flattened (ky, kx, c) rows, each with its own constant input offsets.
    /// </summary>
    private IReadOnlyList<TileKernel> EmitKernelGradientLoops(SourceWriter w, VectorIsa path)
    {
        Conv2DSpec c = _conv;
        VectorIsa isa = path.ForColumns(c.Filters);
        ShapeSpec padded = Padded;
        int channels = c.Input.Channels;
        int kernelRows = c.KernelHeight * c.KernelWidth * channels;
        int rowsPerKernelRow = c.KernelWidth * channels;
        bool perKernelRow = channels >= 8;
        Blocking blocking = Blocking.Choose(isa, c.Filters, perKernelRow ? rowsPerKernelRow : kernelRows);
        ReductionLoop[] loops =
        [
            new ReductionLoop("oy", c.Output.Height, c.StrideHeight * padded.Width * channels, c.Output.Width * c.Filters),
            new ReductionLoop("ox", c.Output.Width, c.StrideWidth * channels, c.Filters),
        ];
        var tiles = new List<TileKernel>();
        TileKernel Tile(string name, int[] aRows, Panel panel, string what) => new(
            name,
            isa,
            aRows,
            Enumerable.Range(0, aRows.Length).Select(r => r * c.Filters).ToArray(),
            panel.Vectors,
            panel.LastLanes,
            loops,
            TileStart.Accumulate,
            ActivationKind.Linear,
            $"Adds to {what} × {panel.Columns(isa)} filters the products over one image's output pixels.");

        if (perKernelRow)
        {
            var family = new TileFamily("KernelGradient", isa, (name, rows, panel) => Tile(name, Enumerable.Range(0, rows).ToArray(), panel, $"{rows} kernel-gradient rows (consecutive (kx, c) of one kernel row)"));
            w.Open($"for (int ky = 0; ky < {c.KernelHeight}; ky++)");
            w.Line($"ref float rowInput = ref Unsafe.Add(ref inputImage, ky * {padded.Width * channels});");
            w.Line($"ref float rowGradient = ref Unsafe.Add(ref kernelGradient, ky * {rowsPerKernelRow * c.Filters});");
            blocking.EmitKnownRows(w, "r", (rows, index, first) =>
            {
                string firstRow = index ?? I(first);
                string row = index is null ? I(first * c.Filters) : $"{index} * {c.Filters}";
                TileFamily.ForEachPanel(w, isa, blocking.Panels, (column, panel) => w.Line(family.Get(rows, panel).Call(
                    TileFamily.Offset("rowInput", firstRow),
                    TileFamily.Offset("gradientImage", column),
                    TileFamily.Offset("rowGradient", TileFamily.Plus(row, column)))));
            });

            w.Close();
            tiles.AddRange(family.Tiles);
        }
        else
        {
            for (int block = 0, r0 = 0; block < blocking.TileCount; block++, r0 += blocking.Rows)
            {
                int rows = block == blocking.TileCount - 1 ? blocking.TailRows : blocking.Rows;
                var aRows = new int[rows];
                for (int r = 0; r < rows; r++)
                {
                    int index = r0 + r;
                    int tap = index / channels;
                    aRows[r] = ((((tap / c.KernelWidth) * padded.Width) + (tap % c.KernelWidth)) * channels) + (index % channels);
                }

                int first = r0;
                var family = new TileFamily($"KernelGradientRows{first}To{first + rows - 1}", isa, (name, count, panel) => Tile(name, aRows, panel, $"kernel-gradient rows {first}..{first + rows - 1} of the flattened (ky, kx, c)"));
                string row = I(r0 * c.Filters);
                TileFamily.ForEachPanel(w, isa, blocking.Panels, (column, panel) => w.Line(family.Get(rows, panel).Call(
                    "inputImage",
                    TileFamily.Offset("gradientImage", column),
                    TileFamily.Offset("kernelGradient", TileFamily.Plus(row, column)))));
                tiles.AddRange(family.Tiles);
            }
        }

        return tiles;
    }

    /// <summary>The statement preparing this layer's flipped kernel in the shared buffer, split over the threads.</summary>
    public override void EmitKernelTranspose(PassWriter pass)
    {
        Conv2DSpec c = _conv;
        pass.Statement($"TensorLayout.FlipTransposeKernel(ref {PassWriter.Parameter(Plan.Weight(c.Index, "kernel"))}, ref {pass.Buffer(Id + "FlippedKernel")}, {c.KernelHeight}, {c.KernelWidth}, {c.Input.Channels}, {c.Filters}, thread, threads);");
    }

    public override void EmitForward(PassWriter pass, VectorIsa isa, PassMode mode)
    {
        Conv2DSpec c = _conv;
        string input = pass.Buffer(Plan.InputOf(c.Index, mode));
        if (c.IsPadded)
        {
            string padded = pass.Buffer(Id + "PaddedInput");
            pass.Statement($"TensorLayout.Pad(ref {input}, ref {padded}, count, {c.Input.Height}, {c.Input.Width}, {c.Input.Channels}, {c.PadTop}, {c.PadLeft}, {c.PadBottom}, {c.PadRight}{PassWriter.PartArguments(mode)});");
            if (mode == PassMode.SplitInference)
            {
                pass.Barrier();
            }

            input = padded;
        }

        // A split pass reads the transformed kernel it keeps (EmitKeepKernel), the others transform it.
        bool kept = _winograd is not null && mode == PassMode.SplitInference;
        var arguments = new List<string> { "ref " + input, "ref " + (kept ? pass.Buffer(Id + "KeptKernel") : PassWriter.Parameter(Plan.Weight(c.Index, "kernel"))) };
        if (c.UseBias)
        {
            arguments.Add("ref " + PassWriter.Parameter(Plan.Weight(c.Index, "bias")));
        }

        arguments.Add("ref " + pass.Buffer(Plan.OutputOf(c.Index, mode)));
        if (_winograd is not null)
        {
            // A split pass's parts all run in thread 0's workspace: each takes its own block of the shared buffer.
            arguments.Add(kept
                ? $"ref Unsafe.Add(ref {pass.Buffer(Id + "WinogradParts")}, part * Workspace.PartialsPerThread)"
                : "ref " + pass.Buffer(Id + "Winograd"));
        }

        arguments.Add(Count + PassWriter.PartArguments(mode));
        pass.Statement($"{KernelClass}.Forward{(kept ? "Transformed" : "")}{isa.Suffix}({string.Join(", ", arguments)});");
    }

    /// <summary>The padding of a 'same' layer ends in a barrier of its own, before the kernel is read.</summary>
    public override bool ReadsKeptKernelFirst => _winograd is not null && !_conv.IsPadded;

    /// <summary>A Winograd layer keeps its transformed kernel from one split pass to the next: each part checks its
    /// share of the kernel at the start of the pass, before the barrier the layer's first read of it waits at.</summary>
    public override void EmitKeepKernel(PassWriter pass, VectorIsa isa)
    {
        if (_winograd is null)
        {
            return;
        }

        pass.Statement($"{KernelClass}.KeepTransformedKernel{isa.Suffix}(ref {PassWriter.Parameter(Plan.Weight(_conv.Index, "kernel"))}, ref {pass.Buffer(Id + "KeptKernel")}, part, parts);");
    }

    public override void EmitBackward(PassWriter pass, VectorIsa isa, string gradientOut, string gradientIn)
    {
        Conv2DSpec c = _conv;
        string input = c.IsPadded ? Id + "PaddedInput" : Plan.InputOf(c.Index, PassMode.Training);
        var arguments = new List<string>
        {
            "ref " + pass.Buffer(input),
            "ref " + PassWriter.Parameter(Plan.Weight(c.Index, "kernel")),
            "ref " + pass.Buffer(Plan.OutputOf(c.Index, PassMode.Training)),
            "ref " + pass.Buffer(gradientOut),
            "ref " + PassWriter.ParameterGradient(Plan.Weight(c.Index, "kernel")),
        };
        if (c.UseBias)
        {
            arguments.Add("ref " + PassWriter.ParameterGradient(Plan.Weight(c.Index, "bias")));
        }

        if (NeedsInputGradient)
        {
            arguments.Add("ref " + pass.Buffer(gradientIn));
            arguments.Add("ref " + pass.Buffer(Id + "DilatedGradient"));
            if (c.IsPadded)
            {
                arguments.Add("ref " + pass.Buffer("ConvPaddedInputGradient"));
            }

            arguments.Add("ref " + pass.Buffer(Id + "FlippedKernel"));
        }

        if (_winograd is not null)
        {
            arguments.Add("ref " + pass.Buffer(Id + "BackwardWinograd"));
        }

        arguments.Add(Count);
        pass.Statement($"{KernelClass}.Backward{isa.Suffix}({string.Join(", ", arguments)});");
    }
}
