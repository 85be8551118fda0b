using ConvGen.Generator.Emitting.Kernels;
using ConvGen.Generator.Model;

namespace ConvGen.Generator.Emitting.Layers;

/// <summary>An activation as a layer of its own: y = f(x); backward in place, g · f'(y). A linear activation, the
/// final softmax (fused with the loss) and an activation folded into the layer before have no kernels: the layer hands
/// its input on.</summary>
internal sealed class ActivationEmitter : LayerEmitter
{
    private readonly ActivationSpec _activation;

    public ActivationEmitter(NetworkPlan plan, ActivationSpec activation)
        : base(plan, activation)
    {
        _activation = activation;
    }

    public override bool HasKernels => !_activation.HandsInputOn && _activation.Activation != ActivationKind.Softmax;

    public override bool BackwardInPlace => true;

    private string Length => $"count * {_activation.Input.Size}";

    public override string Describe() => $"{_activation.Name}: Activation {ActivationCode.Describe(_activation.Activation)}: {_activation.Input.ToBatchComment()}.";

    protected override void EmitKernels(SourceWriter w, VectorIsa isa)
    {
        ActivationKind f = _activation.Activation;
        Method(w, $"Forward: out = {ActivationCode.Describe(f)}(in); part `part` of `parts` of the values.", $"public static void Forward{isa.Suffix}(ref float input, ref float output, int count, int part = 0, int parts = 1)");
        Elementwise.Emit(w, isa, Length, ["input"], "output", x => ActivationCode.Vector(isa, f, x[0]), split: true);
        w.Close();
        if (DifferentiatesItself)
        {
            w.Line();
            Method(w, $"Backward, in place: gradient ·= {ActivationCode.Describe(f)}'(output).", $"public static void Backward{isa.Suffix}(ref float output, ref float gradient, int count)");
            Elementwise.Emit(w, isa, Length, ["gradient", "output"], "gradient", x => ActivationCode.VectorDerivative(isa, f, x[0], x[1]));
            w.Close();
        }
    }

    // The derivative is applied here unless the next layer applies it as it writes the gradient.
    private bool DifferentiatesItself => NeedsInputGradient && !Plan.DerivativeAppliedByNext(Layer.Index);

    public override void EmitForward(PassWriter pass, VectorIsa isa, PassMode mode)
    {
        if (HasKernels)
        {
            pass.Statement($"{KernelClass}.Forward{isa.Suffix}(ref {pass.Buffer(Plan.InputOf(Layer.Index, mode))}, ref {pass.Buffer(Plan.OutputOf(Layer.Index, mode))}, {Count}{PassWriter.PartArguments(mode)});");
        }
        else if (_activation.AppliedBy is string producer)
        {
            pass.Comment($"{ActivationCode.Describe(_activation.Activation)}, applied by {producer} as it writes its output.");
        }
    }

    public override void EmitBackward(PassWriter pass, VectorIsa isa, string gradientOut, string gradientIn)
    {
        if (HasKernels && DifferentiatesItself)
        {
            pass.Statement($"{KernelClass}.Backward{isa.Suffix}(ref {pass.Buffer(Plan.OutputOf(Layer.Index, PassMode.Training))}, ref {pass.Buffer(gradientOut)}, {Count});");
        }
    }
}

/// <summary>Inverted dropout: in training y = x · mask, mask values 0 or 1 / (1 - rate) drawn by the runtime from the
/// step's seed; backward in place, g · mask. The identity in inference (the layer hands its input on).</summary>
internal sealed class DropoutEmitter : LayerEmitter
{
    private readonly DropoutSpec _dropout;

    public DropoutEmitter(NetworkPlan plan, DropoutSpec dropout)
        : base(plan, dropout)
    {
        _dropout = dropout;
    }

    public override bool HasKernels => _dropout.Rate > 0;

    public override bool BackwardInPlace => true;

    private string Length => $"count * {_dropout.Input.Size}";

    public override string Describe() => $"{_dropout.Name}: Dropout, rate {VectorIsa.Number(_dropout.Rate)}: {_dropout.Input.ToBatchComment()}.";

    protected override void EmitKernels(SourceWriter w, VectorIsa isa)
    {
        Method(w, "Forward in training: draws this chunk's part of the step's mask (samples first ... first + count - 1 of the batch), then out = in · mask.", $"public static void ForwardTraining{isa.Suffix}(ref float input, ref float mask, ref float output, int count, int first, ulong seed)");
        w.Line($"DropoutMask.Fill(MemoryMarshal.CreateSpan(ref mask, {Length}), {VectorIsa.Float(_dropout.Rate)}, seed, layer: {_dropout.Index}, firstElement: first * {_dropout.Input.Size});");
        Elementwise.Emit(w, isa, Length, ["input", "mask"], "output", x => $"{x[0]} * {x[1]}");
        w.Close();
        w.Line();
        if (Plan.FusedDerivative(_dropout.Index) is ActivationKind previous)
        {
            Method(w, $"Backward, in place: gradient ·= mask · {ActivationCode.Describe(previous)}'(input), the derivative of the layer before applied here.", $"public static void Backward{isa.Suffix}(ref float input, ref float mask, ref float gradient, int count)");
            Elementwise.Emit(w, isa, Length, ["gradient", "mask", "input"], "gradient", x => ActivationCode.VectorDerivative(isa, previous, $"{x[0]} * {x[1]}", x[2]));
        }
        else
        {
            Method(w, "Backward, in place: gradient ·= mask.", $"public static void Backward{isa.Suffix}(ref float mask, ref float gradient, int count)");
            Elementwise.Emit(w, isa, Length, ["gradient", "mask"], "gradient", x => $"{x[0]} * {x[1]}");
        }

        w.Close();
    }

    public override void EmitForward(PassWriter pass, VectorIsa isa, PassMode mode)
    {
        if (HasKernels && mode == PassMode.Training)
        {
            pass.Statement($"{KernelClass}.ForwardTraining{isa.Suffix}(ref {pass.Buffer(Plan.InputOf(Layer.Index, mode))}, ref {pass.Buffer(Id + "Mask")}, ref {pass.Buffer(Plan.OutputOf(Layer.Index, mode))}, {Count}, first, dropoutSeed);");
        }
    }

    public override void EmitBackward(PassWriter pass, VectorIsa isa, string gradientOut, string gradientIn)
    {
        if (HasKernels && NeedsInputGradient)
        {
            string input = Plan.FusedDerivative(_dropout.Index) is null ? "" : $"ref {pass.Buffer(Plan.InputOf(Layer.Index, PassMode.Training))}, ";
            pass.Statement($"{KernelClass}.Backward{isa.Suffix}({input}ref {pass.Buffer(Id + "Mask")}, ref {pass.Buffer(gradientOut)}, {Count});");
        }
    }
}

/// <summary>Rescaling (y = x · scale + offset) and Normalization (y = (x - mean) / std): an affine map of every value;
/// backward in place, g · scale.</summary>
internal sealed class AffineEmitter : LayerEmitter
{
    private readonly AffineSpec _affine;

    public AffineEmitter(NetworkPlan plan, AffineSpec affine)
        : base(plan, affine)
    {
        _affine = affine;
    }

    public override bool BackwardInPlace => true;

    private string Length => $"count * {_affine.Input.Size}";

    public override string Describe() => _affine.IsNormalization
        ? $"{_affine.Name}: Normalization, (x - {VectorIsa.Number(_affine.First)}) / {VectorIsa.Number(_affine.Second)}: {_affine.Input.ToBatchComment()}."
        : $"{_affine.Name}: Rescaling, x · {VectorIsa.Number(_affine.First)} + {VectorIsa.Number(_affine.Second)}: {_affine.Input.ToBatchComment()}.";

    protected override void EmitKernels(SourceWriter w, VectorIsa isa)
    {
        string scale = isa.Broadcast(VectorIsa.Float(_affine.Scale));
        Method(w, "Forward: " + (_affine.IsNormalization ? "out = (in - mean) · (1 / std)" : "out = in · scale + offset") + "; part `part` of `parts` of the values.", $"public static void Forward{isa.Suffix}(ref float input, ref float output, int count, int part = 0, int parts = 1)");
        Elementwise.Emit(w, isa, Length, ["input"], "output", x => Formula(isa, x[0]), split: true);

        w.Close();
        if (Plan.FeedsImagesRowSplit(Layer.Index))
        {
            w.Line();
            Method(w, "Forward of the values first ... end - 1 of every sample: the input features a thread owns in a training step (for the whole batch), or a part's block in a split pass.", $"public static void ForwardFeatures{isa.Suffix}(ref float input, ref float output, int count, (int First, int End) values)");
            w.Line("(int first, int end) = values;");
            w.Open("for (int n = 0; n < count; n++)");
            w.Line($"ref float row = ref Unsafe.Add(ref input, (n * {_affine.Input.Size}) + first);");
            w.Line($"ref float result = ref Unsafe.Add(ref output, (n * {_affine.Input.Size}) + first);");
            Elementwise.Emit(w, isa, "end - first", ["row"], "result", x => Formula(isa, x[0]));
            w.Close();
            w.Close();
        }

        w.Line();
        Method(w, "Backward, in place: gradient ·= scale.", $"public static void Backward{isa.Suffix}(ref float gradient, int count)");
        Elementwise.Emit(w, isa, Length, ["gradient"], "gradient", x => $"{x[0]} * {scale}");
        w.Close();
    }

    // The map of one vector x.
    private string Formula(VectorIsa isa, string x)
    {
        string scale = isa.Broadcast(VectorIsa.Float(_affine.Scale));
        return _affine.IsNormalization
            ? $"({x} - {isa.Broadcast(VectorIsa.Float(_affine.First))}) * {scale}"
            : $"({x} * {scale}) + {isa.Broadcast(VectorIsa.Float(_affine.Second))}";
    }

    public override void EmitForward(PassWriter pass, VectorIsa isa, PassMode mode)
    {
        string input = Plan.InputOf(Layer.Index, mode);
        if (Plan.FeedsImagesRowSplit(Layer.Index) && mode != PassMode.Inference)
        {
            // The first Dense multiplies only a thread's own input features: those it owns for the whole batch in a
            // training step, its part's block in a split pass. Map just those.
            string output = Plan.OutputOf(Layer.Index, mode);
            (string source, string result, string samples, string features) = mode == PassMode.Training
                ? (pass.BatchBuffer(input, _affine.Input.Size), pass.BatchBuffer(output, _affine.Input.Size), "total", Plan.OwnedFeatures(Plan.ImagesRowSplitLayer))
                : (pass.Buffer(input), pass.Buffer(output), "count", NetworkPlan.SplitValues(_affine.Input.Size));
            pass.Statement($"{KernelClass}.ForwardFeatures{isa.Suffix}(ref {source}, ref {result}, {samples}, {features});");
            return;
        }

        pass.Statement($"{KernelClass}.Forward{isa.Suffix}(ref {pass.Buffer(input)}, ref {pass.Buffer(Plan.OutputOf(Layer.Index, mode))}, {Count}{PassWriter.PartArguments(mode)});");
    }

    public override void EmitBackward(PassWriter pass, VectorIsa isa, string gradientOut, string gradientIn)
    {
        if (NeedsInputGradient)
        {
            pass.Statement($"{KernelClass}.Backward{isa.Suffix}(ref {pass.Buffer(gradientOut)}, {Count});");
        }
    }
}

/// <summary>Flatten: NHWC is already height-width-channel order, so the layer hands its input on, in both directions.</summary>
internal sealed class FlattenEmitter : LayerEmitter
{
    public FlattenEmitter(NetworkPlan plan, FlattenSpec flatten)
        : base(plan, flatten)
    {
    }

    public override bool HasKernels => false;

    public override bool BackwardInPlace => true;

    public override string Describe() => $"{Layer.Name}: Flatten {Layer.Input.ToBatchComment()} -> {Layer.Output.ToBatchComment()} (no data moves).";

    protected override void EmitKernels(SourceWriter w, VectorIsa isa)
    {
    }

    public override void EmitForward(PassWriter pass, VectorIsa isa, PassMode mode)
    {
    }

    public override void EmitBackward(PassWriter pass, VectorIsa isa, string gradientOut, string gradientIn)
    {
    }
}
