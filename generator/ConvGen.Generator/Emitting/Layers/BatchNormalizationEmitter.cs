using System;
using ConvGen.Generator.Model;

namespace ConvGen.Generator.Emitting.Layers;

/// <summary>
/// BatchNormalization per channel (the last axis), vectorised over channels. Training: batch mean and biased variance
/// over N·H·W, moving statistics moved by the momentum, y = gamma·(x - mean)/sqrt(var + eps) + beta. Inference: the
/// moving statistics instead. Backward in place: dbeta = Σ dy, dgamma = Σ dy·x̂, dx = gamma/σ/M · (M·dy - dbeta - x̂·dgamma).
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
        $"{_norm.Name}: BatchNormalization over {Channels} channels, momentum {_norm.Momentum.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}, epsilon {_norm.Epsilon.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}: {_norm.Input.ToBatchComment()} -> {_norm.Output.ToBatchComment()}.";

    private static int PanelVectors(VectorIsa isa) => isa.Registers == 32 ? 8 : 4;

    protected override void EmitKernels(SourceWriter w, VectorIsa isa)
    {
        string epsilon = VectorIsa.Float(_norm.Epsilon);
        Method(w, "Forward in training: normalise with the batch statistics (kept for the backward pass) and move the moving statistics.", $"public static void ForwardTraining{isa.Suffix}(ref float input, ref float gamma, ref float beta, ref float movingMean, ref float movingVariance, ref float batchMean, ref float batchInverseStd, ref float output, int count)");
        w.Line($"int m = count * {Pixels};");
        w.Line("float inverseM = 1f / m;");
        Panels(w, isa, (first, vectors) =>
        {
            Declare(w, isa, first, vectors, "sum", _ => isa.Zero);
            PixelLoop(w, isa, first, "input", () =>
            {
                for (int v = 0; v < vectors; v++)
                {
                    w.Line($"sum{v} += {isa.Load("row", v * isa.Width)};");
                }
            });
            Declare(w, isa, first, vectors, "mean", v => $"sum{v} * inverseM");
            Declare(w, isa, first, vectors, "squares", _ => isa.Zero);
            PixelLoop(w, isa, first, "input", () =>
            {
                for (int v = 0; v < vectors; v++)
                {
                    w.Line($"{isa.Vector} d{v} = {isa.Load("row", v * isa.Width)} - mean{v};");
                    w.Line($"squares{v} = {isa.Fma($"d{v}", $"d{v}", $"squares{v}")};");
                }
            });
            for (int v = 0; v < vectors; v++)
            {
                int column = (first + v) * isa.Width;
                int lanes = Lanes(isa, column);
                w.Line($"{isa.Vector} variance{v} = squares{v} * inverseM;");
                w.Line($"{isa.Vector} inverseStd{v} = {isa.Vector}.One / {isa.Api}.Sqrt(variance{v} + {isa.Broadcast(epsilon)});");
                w.Line(isa.Store($"mean{v}", "batchMean", column, lanes));
                w.Line(isa.Store($"inverseStd{v}", "batchInverseStd", column, lanes));
                string momentum = VectorIsa.Float(_norm.Momentum);
                string keep = VectorIsa.Float(1 - _norm.Momentum);
                w.Line(isa.Store($"({isa.Load("movingMean", column)} * {momentum}) + (mean{v} * {keep})", "movingMean", column, lanes));
                w.Line(isa.Store($"({isa.Load("movingVariance", column)} * {momentum}) + (variance{v} * {keep})", "movingVariance", column, lanes));
                w.Line($"{isa.Vector} scale{v} = {isa.Load("gamma", column)} * inverseStd{v};");
                w.Line($"{isa.Vector} shift{v} = {isa.Load("beta", column)};");
            }

            Normalize(w, isa, first, vectors);
        });
        w.Close();
        w.Line();

        Method(w, "Forward in inference: normalise with the moving statistics.", $"public static void ForwardInference{isa.Suffix}(ref float input, ref float gamma, ref float beta, ref float movingMean, ref float movingVariance, ref float output, int count)");
        w.Line($"int m = count * {Pixels};");
        Panels(w, isa, (first, vectors) =>
        {
            for (int v = 0; v < vectors; v++)
            {
                int column = (first + v) * isa.Width;
                w.Line($"{isa.Vector} mean{v} = {isa.Load("movingMean", column)};");
                w.Line($"{isa.Vector} scale{v} = {isa.Load("gamma", column)} / {isa.Api}.Sqrt({isa.Load("movingVariance", column)} + {isa.Broadcast(epsilon)});");
                w.Line($"{isa.Vector} shift{v} = {isa.Load("beta", column)};");
            }

            Normalize(w, isa, first, vectors);
        });
        w.Close();
        w.Line();

        bool inputGradient = NeedsInputGradient;
        Method(w, $"Backward: gamma and beta gradients{(inputGradient ? ", then the input gradient in place of the output gradient" : "")}.", $"public static void Backward{isa.Suffix}(ref float input, ref float gamma, ref float batchMean, ref float batchInverseStd, ref float gradient, ref float gammaGradient, ref float betaGradient, int count)");
        w.Line($"int m = count * {Pixels};");
        if (inputGradient)
        {
            w.Line("float inverseM = 1f / m;");
        }

        Panels(w, isa, (first, vectors) =>
        {
            for (int v = 0; v < vectors; v++)
            {
                int column = (first + v) * isa.Width;
                w.Line($"{isa.Vector} mean{v} = {isa.Load("batchMean", column)}, inverseStd{v} = {isa.Load("batchInverseStd", column)};");
                w.Line($"{isa.Vector} betaSum{v} = {isa.Zero}, gammaSum{v} = {isa.Zero};");
            }

            w.Line($"ref float row = ref {At("input", first * isa.Width)};");
            w.Line($"ref float gradientRow = ref {At("gradient", first * isa.Width)};");
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
            for (int v = 0; v < vectors; v++)
            {
                int column = (first + v) * isa.Width;
                w.Line(isa.Store($"gammaSum{v}", "gammaGradient", column, Lanes(isa, column)));
                w.Line(isa.Store($"betaSum{v}", "betaGradient", column, Lanes(isa, column)));
            }

            if (inputGradient)
            {
                for (int v = 0; v < vectors; v++)
                {
                    int column = (first + v) * isa.Width;
                    w.Line($"{isa.Vector} k{v} = {isa.Load("gamma", column)} * inverseStd{v} * inverseM;");
                }

                w.Line($"{isa.Vector} count{first} = {isa.Broadcast("(float)m")};");
                w.Line($"row = ref {At("input", first * isa.Width)};");
                w.Line($"gradientRow = ref {At("gradient", first * isa.Width)};");
                w.Open("for (int p = 0; p < m; p++)");
                for (int v = 0; v < vectors; v++)
                {
                    int column = (first + v) * isa.Width;
                    w.Line($"{isa.Vector} xHat{v} = ({isa.Load("row", v * isa.Width)} - mean{v}) * inverseStd{v};");
                    string dx = $"k{v} * ((count{first} * {isa.Load("gradientRow", v * isa.Width)}) - betaSum{v} - (xHat{v} * gammaSum{v}))";
                    w.Line(isa.Store(dx, "gradientRow", v * isa.Width, Lanes(isa, column)));
                }

                w.Line($"row = ref Unsafe.Add(ref row, {Channels});");
                w.Line($"gradientRow = ref Unsafe.Add(ref gradientRow, {Channels});");
                w.Close();
            }
        });
        w.Close();
    }

    private int Lanes(VectorIsa isa, int column) => Math.Min(isa.Width, Channels - column);

    private static string At(string reference, int offset) => offset == 0 ? reference : $"Unsafe.Add(ref {reference}, {offset})";

    private void Panels(SourceWriter w, VectorIsa isa, Action<int, int> body)
    {
        int vectors = (Channels + isa.Width - 1) / isa.Width;
        for (int first = 0; first < vectors; first += PanelVectors(isa))
        {
            w.Open();
            body(first, Math.Min(PanelVectors(isa), vectors - first));
            w.Close();
        }
    }

    private static void Declare(SourceWriter w, VectorIsa isa, int first, int vectors, string name, Func<int, string> value)
    {
        for (int v = 0; v < vectors; v++)
        {
            w.Line($"{isa.Vector} {name}{v} = {value(v)};");
        }
    }

    /// <summary>A loop over the batch's pixels with <c>row</c> at the panel's first channel of each.</summary>
    private void PixelLoop(SourceWriter w, VectorIsa isa, int firstVector, string source, Action body)
    {
        w.Open();
        w.Line($"ref float row = ref {At(source, firstVector * isa.Width)};");
        w.Open("for (int p = 0; p < m; p++)");
        body();
        w.Line($"row = ref Unsafe.Add(ref row, {Channels});");
        w.Close();
        w.Close();
    }

    private void Normalize(SourceWriter w, VectorIsa isa, int first, int vectors)
    {
        w.Line($"ref float inRow = ref {At("input", first * isa.Width)};");
        w.Line($"ref float outRow = ref {At("output", first * isa.Width)};");
        w.Open("for (int p = 0; p < m; p++)");
        for (int v = 0; v < vectors; v++)
        {
            int column = (first + v) * isa.Width;
            w.Line(isa.Store(isa.Fma($"{isa.Load("inRow", v * isa.Width)} - mean{v}", $"scale{v}", $"shift{v}"), "outRow", v * isa.Width, Lanes(isa, column)));
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
            ? $"{KernelClass}.ForwardTraining{isa.Suffix}({common}, ref {pass.Buffer(Id + "BatchMean")}, ref {pass.Buffer(Id + "BatchInverseStd")}, {output}, {Count});"
            : $"{KernelClass}.ForwardInference{isa.Suffix}({common}, {output}, {Count});");
    }

    public override void EmitBackward(PassWriter pass, VectorIsa isa, string gradientOut, string gradientIn)
    {
        int i = Layer.Index;
        pass.Statement($"{KernelClass}.Backward{isa.Suffix}(ref {pass.Buffer(Plan.InputOf(i, PassMode.Training))}, ref {PassWriter.Parameter(Plan.Weight(i, "gamma"))}, ref {pass.Buffer(Id + "BatchMean")}, ref {pass.Buffer(Id + "BatchInverseStd")}, ref {pass.Buffer(gradientOut)}, ref {PassWriter.ParameterGradient(Plan.Weight(i, "gamma"))}, ref {PassWriter.ParameterGradient(Plan.Weight(i, "beta"))}, {Count});");
    }
}
