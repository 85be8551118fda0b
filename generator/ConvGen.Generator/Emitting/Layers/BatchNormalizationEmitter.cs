using System;
using ConvGen.Generator.Emitting.Kernels;
using ConvGen.Generator.Model;

namespace ConvGen.Generator.Emitting.Layers;

/// <summary>
/// BatchNormalization per channel (the last axis), vectorised over channels, one panel of channels at a time. Training:
/// batch mean and biased variance over N·H·W, moving statistics moved by the momentum (only where the batch statistics
/// are finite), y = gamma·(x - mean)/sqrt(var + eps) + beta. Inference: the moving statistics instead. Backward in place: dbeta = Σ dy, dgamma = Σ dy·x̂,
/// dx = gamma/σ/M · (M·dy - dbeta - x̂·dgamma).
/// </summary>
internal sealed class BatchNormalizationEmitter : LayerEmitter
{
    private readonly BatchNormalizationSpec _norm;

    public BatchNormalizationEmitter(NetworkPlan plan, BatchNormalizationSpec norm)
        : base(plan, norm)
    {
        _norm = norm;
    }

    public override bool BackwardInPlace => true;

    private int Channels => _norm.Input.Channels;

    private int Pixels => (int)(_norm.Input.Size / Channels);

    public override string Describe() =>
        $"{_norm.Name}: BatchNormalization over {Channels} channels, momentum {VectorIsa.Number(_norm.Momentum)}, epsilon {VectorIsa.Number(_norm.Epsilon)}: {_norm.Input.ToBatchComment()} -> {_norm.Output.ToBatchComment()}.";

    // Each channel vector keeps about three values live (mean, scale, shift): 8 vectors fit 32 registers, 4 fit 16.
    private static int PanelVectors(VectorIsa isa) => isa.Registers == 32 ? 8 : 4;

    protected override void EmitKernels(SourceWriter w, VectorIsa path)
    {
        VectorIsa isa = path.ForColumns(Channels);
        string epsilon = isa.Broadcast(VectorIsa.Float(_norm.Epsilon));
        string stride = VectorIsa.Int(Plan.PartialsPerThread);
        Method(w, "Forward in training: the statistics of the whole batch from every thread's partial sums (met at the barrier), kept for the backward pass; thread 0 moves the moving statistics; each thread normalises its chunk.", $"public static void ForwardTraining{isa.Suffix}(ref float input, ref float gamma, ref float beta, ref float movingMean, ref float movingVariance, ref float batchMean, ref float batchInverseStd, ref float output, int count, int total, ref float sums, ref float squares, int thread, int threads, SpinBarrier barrier)");
        w.Line($"int m = count * {Pixels};");
        w.Line($"float inverseM = 1f / (total * {Pixels});");
        w.Line($"ref float mySums = ref Unsafe.Add(ref sums, thread * {stride});");
        w.Line($"ref float mySquares = ref Unsafe.Add(ref squares, thread * {stride});");
        w.Comment("1. This chunk's sum per channel.");
        ChannelPanels.Emit(w, isa, Channels, PanelVectors(isa), (vectors, lastLanes, column) =>
        {
            Declare(w, isa, vectors, "sum", _ => isa.Zero);
            PixelLoop(w, column, "input", () =>
            {
                for (int v = 0; v < vectors; v++)
                {
                    w.Line($"sum{v} += {isa.Load("row", v * isa.Width)};");
                }
            });
            StoreAll(w, isa, vectors, lastLanes, column, "sum", "mySums");
        });
        w.Line("barrier.SignalAndWait();");
        w.Comment("2. The batch mean; this chunk's squared deviations from it.");
        ChannelPanels.Emit(w, isa, Channels, PanelVectors(isa), (vectors, lastLanes, column) =>
        {
            Combine(w, isa, vectors, column, "sums", "mean", stride);
            for (int v = 0; v < vectors; v++)
            {
                w.Line($"mean{v} *= inverseM;");
            }

            StoreAll(w, isa, vectors, lastLanes, column, "mean", "batchMean");
            Declare(w, isa, vectors, "square", _ => isa.Zero);
            PixelLoop(w, column, "input", () =>
            {
                for (int v = 0; v < vectors; v++)
                {
                    w.Line($"{isa.Vector} d{v} = {isa.Load("row", v * isa.Width)} - mean{v};");
                    w.Line($"square{v} = {isa.Fma($"d{v}", $"d{v}", $"square{v}")};");
                }
            });
            StoreAll(w, isa, vectors, lastLanes, column, "square", "mySquares");
        });
        w.Line("barrier.SignalAndWait();");
        w.Comment("3. The batch variance; the moving statistics (thread 0), of the channels whose batch statistics are finite (x - x = 0); this chunk normalised.");
        string momentum = VectorIsa.Float(_norm.Momentum);
        string keep = VectorIsa.Float(1 - _norm.Momentum);
        ChannelPanels.Emit(w, isa, Channels, PanelVectors(isa), (vectors, lastLanes, column) =>
        {
            Combine(w, isa, vectors, column, "squares", "variance", stride);
            for (int v = 0; v < vectors; v++)
            {
                int offset = v * isa.Width;
                int lanes = v == vectors - 1 ? lastLanes : isa.Width;
                w.Line($"variance{v} *= inverseM;");
                w.Line($"{isa.Vector} mean{v} = {isa.Load("batchMean", column, offset)};");
                w.Line($"{isa.Vector} inverseStd{v} = {isa.Vector}.One / {isa.Api}.Sqrt(variance{v} + {epsilon});");
                w.Line(isa.Store($"inverseStd{v}", "batchInverseStd", column, offset, lanes));
                w.Line($"{isa.Vector} scale{v} = {isa.Load("gamma", column, offset)} * inverseStd{v};");
                w.Line($"{isa.Vector} shift{v} = {isa.Load("beta", column, offset)};");
            }

            w.Open("if (thread == 0)");
            for (int v = 0; v < vectors; v++)
            {
                int offset = v * isa.Width;
                int lanes = v == vectors - 1 ? lastLanes : isa.Width;
                w.Line($"{isa.Vector} finite{v} = {isa.Api}.Equals((mean{v} - mean{v}) + (variance{v} - variance{v}), {isa.Vector}.Zero);");
                w.Line($"{isa.Vector} movingMean{v} = {isa.Load("movingMean", column, offset)};");
                w.Line($"{isa.Vector} movingVariance{v} = {isa.Load("movingVariance", column, offset)};");
                w.Line(isa.Store($"{isa.Api}.ConditionalSelect(finite{v}, (movingMean{v} * {momentum}) + (mean{v} * {keep}), movingMean{v})", "movingMean", column, offset, lanes));
                w.Line(isa.Store($"{isa.Api}.ConditionalSelect(finite{v}, (movingVariance{v} * {momentum}) + (variance{v} * {keep}), movingVariance{v})", "movingVariance", column, offset, lanes));
            }

            w.Close();
            Normalize(w, isa, vectors, lastLanes, column);
        });
        w.Close();
        w.Line();

        string share = SplitsByRows ? "the rows of every image, as a split pass's convolutions and poolings share them out" : "the pixels";
        Method(w, $"Forward in inference: normalise with the moving statistics; part `part` of `parts` of {share}.", $"public static void ForwardInference{isa.Suffix}(ref float input, ref float gamma, ref float beta, ref float movingMean, ref float movingVariance, ref float output, int count, int part = 0, int parts = 1)");
        if (SplitsByRows)
        {
            int height = _norm.Input.Height;
            int row = _norm.Input.Width;
            w.Line($"(int rowFirst, int rowEnd) = Partition.Range({height}, part, parts);");
            w.Line($"int m = (rowEnd - rowFirst) * {row};");
            w.Open("for (int n = 0; n < count; n++)");
            w.Line($"ref float imageInput = ref Unsafe.Add(ref input, ((n * {height}) + rowFirst) * {row * Channels});");
            w.Line($"ref float imageOutput = ref Unsafe.Add(ref output, ((n * {height}) + rowFirst) * {row * Channels});");
            EmitInferencePanels(w, isa, epsilon, "imageInput", "imageOutput");
            w.Close();
        }
        else
        {
            w.Line($"(int first, int end) = Partition.Range(count * {Pixels}, part, parts);");
            w.Line("int m = end - first;");
            w.Line($"input = ref Unsafe.Add(ref input, first * {Channels});");
            w.Line($"output = ref Unsafe.Add(ref output, first * {Channels});");
            EmitInferencePanels(w, isa, epsilon, "input", "output");
        }

        w.Close();
        w.Line();

        bool inputGradient = NeedsInputGradient;
        Method(w, $"Backward: the gamma and beta gradients of the whole batch from every thread's partial sums (thread 0 writes them, the others zero){(inputGradient ? "; then this chunk's input gradient, in place of its output gradient" : "")}.", $"public static void Backward{isa.Suffix}(ref float input, ref float gamma, ref float batchMean, ref float batchInverseStd, ref float gradient, ref float gammaGradient, ref float betaGradient, int count, int total, ref float betaSums, ref float gammaSums, int thread, int threads, SpinBarrier barrier)");
        w.Line($"int m = count * {Pixels};");
        w.Line($"ref float myBetaSums = ref Unsafe.Add(ref betaSums, thread * {stride});");
        w.Line($"ref float myGammaSums = ref Unsafe.Add(ref gammaSums, thread * {stride});");
        w.Comment("1. This chunk's Σ dy and Σ dy · x̂ per channel.");
        ChannelPanels.Emit(w, isa, Channels, PanelVectors(isa), (vectors, lastLanes, column) =>
        {
            for (int v = 0; v < vectors; v++)
            {
                int offset = v * isa.Width;
                w.Line($"{isa.Vector} mean{v} = {isa.Load("batchMean", column, offset)}, inverseStd{v} = {isa.Load("batchInverseStd", column, offset)};");
                w.Line($"{isa.Vector} betaSum{v} = {isa.Zero}, gammaSum{v} = {isa.Zero};");
            }

            w.Line($"ref float row = ref {ChannelPanels.At("input", column, 0)};");
            w.Line($"ref float gradientRow = ref {ChannelPanels.At("gradient", column, 0)};");
            w.Open("for (int p = 0; p < m; p++)");
            for (int v = 0; v < vectors; v++)
            {
                w.Line($"{isa.Vector} dy{v} = {isa.Load("gradientRow", v * isa.Width)};");
                w.Line($"betaSum{v} += dy{v};");
                w.Line($"gammaSum{v} = {isa.Fma($"dy{v}", $"({isa.Load("row", v * isa.Width)} - mean{v}) * inverseStd{v}", $"gammaSum{v}")};");
            }

            w.Line($"row = ref Unsafe.Add(ref row, {Channels});");
            w.Line($"gradientRow = ref Unsafe.Add(ref gradientRow, {Channels});");
            w.Close();
            StoreAll(w, isa, vectors, lastLanes, column, "betaSum", "myBetaSums");
            StoreAll(w, isa, vectors, lastLanes, column, "gammaSum", "myGammaSums");
        });
        w.Line("barrier.SignalAndWait();");
        w.Comment($"2. The batch's sums: the gamma and beta gradients{(inputGradient ? ", and this chunk's input gradient" : "")}.");
        if (inputGradient)
        {
            w.Line($"float inverseM = 1f / (total * {Pixels});");
        }

        ChannelPanels.Emit(w, isa, Channels, PanelVectors(isa), (vectors, lastLanes, column) =>
        {
            Combine(w, isa, vectors, column, "betaSums", "betaSum", stride);
            Combine(w, isa, vectors, column, "gammaSums", "gammaSum", stride);
            for (int v = 0; v < vectors; v++)
            {
                int lanes = v == vectors - 1 ? lastLanes : isa.Width;
                string keepOnThreadZero = $"(thread == 0 ? gammaSum{v} : {isa.Zero})";
                w.Line(isa.Store(keepOnThreadZero, "gammaGradient", column, v * isa.Width, lanes));
                w.Line(isa.Store($"(thread == 0 ? betaSum{v} : {isa.Zero})", "betaGradient", column, v * isa.Width, lanes));
            }

            if (inputGradient)
            {
                for (int v = 0; v < vectors; v++)
                {
                    int offset = v * isa.Width;
                    w.Line($"{isa.Vector} mean{v} = {isa.Load("batchMean", column, offset)}, inverseStd{v} = {isa.Load("batchInverseStd", column, offset)};");
                    w.Line($"{isa.Vector} k{v} = {isa.Load("gamma", column, offset)} * inverseStd{v} * inverseM;");
                }

                w.Line($"{isa.Vector} samples = {isa.Broadcast($"(float)(total * {Pixels})")};");
                w.Line($"ref float row = ref {ChannelPanels.At("input", column, 0)};");
                w.Line($"ref float gradientRow = ref {ChannelPanels.At("gradient", column, 0)};");
                w.Open("for (int p = 0; p < m; p++)");
                for (int v = 0; v < vectors; v++)
                {
                    w.Line($"{isa.Vector} xHat{v} = ({isa.Load("row", v * isa.Width)} - mean{v}) * inverseStd{v};");
                    string dx = $"k{v} * ((samples * {isa.Load("gradientRow", v * isa.Width)}) - betaSum{v} - (xHat{v} * gammaSum{v}))";
                    w.Line(isa.Store(dx, "gradientRow", v * isa.Width, v == vectors - 1 ? lastLanes : isa.Width));
                }

                w.Line($"row = ref Unsafe.Add(ref row, {Channels});");
                w.Line($"gradientRow = ref Unsafe.Add(ref gradientRow, {Channels});");
                w.Close();
            }
        });
        w.Close();
    }

    /// <summary>Declares <paramref name="name"/>0… as the sums over the threads, in thread order, of a partial-sum region.</summary>
    private static void Combine(SourceWriter w, VectorIsa isa, int vectors, string column, string partials, string name, string stride)
    {
        Declare(w, isa, vectors, name, _ => isa.Zero);
        w.Open("for (int t = 0; t < threads; t++)");
        w.Line($"ref float part = ref Unsafe.Add(ref {partials}, t * {stride});");
        for (int v = 0; v < vectors; v++)
        {
            w.Line($"{name}{v} += {isa.Load("part", column, v * isa.Width)};");
        }

        w.Close();
    }

    private static void StoreAll(SourceWriter w, VectorIsa isa, int vectors, int lastLanes, string column, string name, string target)
    {
        for (int v = 0; v < vectors; v++)
        {
            w.Line(isa.Store($"{name}{v}", target, column, v * isa.Width, v == vectors - 1 ? lastLanes : isa.Width));
        }
    }

    private static void Declare(SourceWriter w, VectorIsa isa, int vectors, string name, Func<int, string> value)
    {
        for (int v = 0; v < vectors; v++)
        {
            w.Line($"{isa.Vector} {name}{v} = {value(v)};");
        }
    }

    /// <summary>A loop over the batch's pixels with <c>row</c> at the panel's first channel of each.</summary>
    private void PixelLoop(SourceWriter w, string column, string source, Action body)
    {
        w.Open();
        w.Line($"ref float row = ref {ChannelPanels.At(source, column, 0)};");
        w.Open("for (int p = 0; p < m; p++)");
        body();
        w.Line($"row = ref Unsafe.Add(ref row, {Channels});");
        w.Close();
        w.Close();
    }

    /// <summary>Whether a split pass shares this layer out by the rows of each image rather than by pixels over the
    /// whole batch: on images, so that it reads only the rows the same part of a pooling or convolution before it wrote
    /// (<see cref="NetworkPlan.SplitReadsOwnPart"/>).</summary>
    public static bool SplitsRowsOf(ShapeSpec input) => !input.IsFlat && input.Height > 1;

    private bool SplitsByRows => SplitsRowsOf(_norm.Input);

    /// <summary>Per panel of channels, the moving statistics' scale and shift, then <see cref="Normalize"/> of the `m`
    /// pixels from <paramref name="input"/> into <paramref name="output"/>.</summary>
    private void EmitInferencePanels(SourceWriter w, VectorIsa isa, string epsilon, string input, string output) =>
        ChannelPanels.Emit(w, isa, Channels, PanelVectors(isa), (vectors, lastLanes, column) =>
        {
            for (int v = 0; v < vectors; v++)
            {
                int offset = v * isa.Width;
                w.Line($"{isa.Vector} mean{v} = {isa.Load("movingMean", column, offset)};");
                w.Line($"{isa.Vector} scale{v} = {isa.Load("gamma", column, offset)} / {isa.Api}.Sqrt({isa.Load("movingVariance", column, offset)} + {epsilon});");
                w.Line($"{isa.Vector} shift{v} = {isa.Load("beta", column, offset)};");
            }

            Normalize(w, isa, vectors, lastLanes, column, input, output);
        });

    /// <summary>y = (x - mean) · scale + shift over `m` pixels from <paramref name="input"/> into
    /// <paramref name="output"/>, for the panel's channels.</summary>
    private void Normalize(SourceWriter w, VectorIsa isa, int vectors, int lastLanes, string column, string input = "input", string output = "output")
    {
        w.Line($"ref float inRow = ref {ChannelPanels.At(input, column, 0)};");
        w.Line($"ref float outRow = ref {ChannelPanels.At(output, column, 0)};");
        w.Open("for (int p = 0; p < m; p++)");
        for (int v = 0; v < vectors; v++)
        {
            int lanes = v == vectors - 1 ? lastLanes : isa.Width;
            w.Line(isa.Store(isa.Fma($"{isa.Load("inRow", v * isa.Width)} - mean{v}", $"scale{v}", $"shift{v}"), "outRow", v * isa.Width, lanes));
        }

        w.Line($"inRow = ref Unsafe.Add(ref inRow, {Channels});");
        w.Line($"outRow = ref Unsafe.Add(ref outRow, {Channels});");
        w.Close();
    }

    public override void EmitForward(PassWriter pass, VectorIsa isa, PassMode mode)
    {
        int i = Layer.Index;
        string common = $"ref {pass.Buffer(Plan.InputOf(i, mode))}, ref {PassWriter.Parameter(Plan.Weight(i, "gamma"))}, ref {PassWriter.Parameter(Plan.Weight(i, "beta"))}, ref {PassWriter.State(Plan.Weight(i, "moving_mean"))}, ref {PassWriter.State(Plan.Weight(i, "moving_variance"))}";
        string output = $"ref {pass.Buffer(Plan.OutputOf(i, mode))}";
        pass.Statement(mode == PassMode.Training
            ? $"{KernelClass}.ForwardTraining{isa.Suffix}({common}, ref {pass.Buffer(Id + "BatchMean")}, ref {pass.Buffer(Id + "BatchInverseStd")}, {output}, {Count}, total, ref {pass.Buffer(Id + "Sums")}, ref {pass.Buffer(Id + "Squares")}, thread, threads, barrier);"
            : $"{KernelClass}.ForwardInference{isa.Suffix}({common}, {output}, {Count}{PassWriter.PartArguments(mode)});");
    }

    public override void EmitBackward(PassWriter pass, VectorIsa isa, string gradientOut, string gradientIn)
    {
        int i = Layer.Index;
        pass.Statement($"{KernelClass}.Backward{isa.Suffix}(ref {pass.Buffer(Plan.InputOf(i, PassMode.Training))}, ref {PassWriter.Parameter(Plan.Weight(i, "gamma"))}, ref {pass.Buffer(Id + "BatchMean")}, ref {pass.Buffer(Id + "BatchInverseStd")}, ref {pass.Buffer(gradientOut)}, ref {PassWriter.ParameterGradient(Plan.Weight(i, "gamma"))}, ref {PassWriter.ParameterGradient(Plan.Weight(i, "beta"))}, {Count}, total, ref {pass.Buffer(Id + "BetaSums")}, ref {pass.Buffer(Id + "GammaSums")}, thread, threads, barrier);");
    }
}
