using System.Collections.Generic;
using ConvGen.Generator.Emitting.Kernels;
using ConvGen.Generator.Model;

namespace ConvGen.Generator.Emitting.Layers;

/// <summary>
/// Emits one layer: a nested static class named after the layer with its forward and backward kernels side by side
/// for each instruction set, and the statements that call them from the pass methods.
/// </summary>
internal abstract class LayerEmitter
{
    protected LayerEmitter(NetworkPlan plan, LayerSpec layer)
    {
        Plan = plan;
        Layer = layer;
        Id = plan.LayerIds[layer.Index];
    }

    public NetworkPlan Plan { get; }

    public LayerSpec Layer { get; }

    /// <summary>The C# name of the layer: conv2d_1 → Conv2d1 (its weight and workspace constants start with it).</summary>
    public string Id { get; }

    /// <summary>The class holding the layer's kernels: Conv2d1Kernels (the suffix keeps it clear of every type name the
    /// engine uses, whatever the layer is called).</summary>
    public string KernelClass => Id + "Kernels";

    /// <summary>Whether the layer has kernels (Flatten and a fused softmax have none).</summary>
    public virtual bool HasKernels => true;

    /// <summary>The line atop the layer's class: what it computes and its shapes.</summary>
    public abstract string Describe();

    /// <summary>The gradient w.r.t. the input is computed in the buffer holding the output's gradient.</summary>
    public virtual bool BackwardInPlace => false;

    protected string Count => "count";

    /// <summary>Writes the layer's kernel class (called for layers that <see cref="HasKernels"/>).</summary>
    public void EmitKernels(SourceWriter w)
    {
        w.Summary(Describe());
        w.Open($"private static class {KernelClass}");
        bool first = true;
        foreach (VectorIsa isa in VectorIsa.All)
        {
            if (!first)
            {
                w.Line();
            }

            first = false;
            w.Line($"// ---- {isa.DisplayName} ----");
            w.Line();
            EmitKernels(w, isa);
        }

        w.Close();
    }

    /// <summary>Writes this layer's kernels for one instruction set, forward first, backward after it.</summary>
    protected abstract void EmitKernels(SourceWriter w, VectorIsa isa);

    /// <summary>Writes the statement that prepares, once per step, the transposed kernel this layer's input gradient
    /// reads (only layers in <see cref="NetworkPlan.TransposedKernels"/> have one).</summary>
    public virtual void EmitKernelTranspose(PassWriter pass)
    {
    }

    /// <summary>Whether the layer's forward step reads the kept kernel before any barrier of its own (the pass then
    /// puts one before the step).</summary>
    public virtual bool ReadsKeptKernelFirst => false;

    /// <summary>Writes, for a layer whose transformed kernel a split pass keeps from call to call, the statement with
    /// which the pass's part brings its share of it up to date; the pass starts with these, and a barrier stands
    /// between them and the layer's first read of the kernel. Other layers write nothing.</summary>
    public virtual void EmitKeepKernel(PassWriter pass, VectorIsa isa)
    {
    }

    /// <summary>Writes the statements of this layer's forward step in a pass. In a <see cref="PassMode.SplitInference"/>
    /// pass each thread does its part of the layer (the pass puts a barrier before it when it reads values another part
    /// wrote: <see cref="NetworkPlan.SplitReadsOwnPart"/>), and a layer that needs a barrier of its own between two
    /// steps writes it.</summary>
    public abstract void EmitForward(PassWriter pass, VectorIsa isa, PassMode mode);

    /// <summary>
    /// Writes the statements of this layer's backward step: the gradient w.r.t. its output is in
    /// <paramref name="gradientOut"/> (for a layer with the fused softmax, the gradient w.r.t. its logits); weight
    /// gradients go to the gradient buffer; the input's gradient, when <see cref="NetworkPlan.NeedsInputGradient"/>,
    /// goes into <paramref name="gradientOut"/> itself when <see cref="BackwardInPlace"/>, else into
    /// <paramref name="gradientIn"/>.
    /// </summary>
    public abstract void EmitBackward(PassWriter pass, VectorIsa isa, string gradientOut, string gradientIn);

    /// <summary>The buffer this layer's backward step writes its input gradient into when it is not
    /// <see cref="BackwardInPlace"/>: the spare gradient buffer it is given, unless it keeps one of its own.</summary>
    public virtual string InputGradientBuffer(string spare) => spare;

    protected bool NeedsInputGradient => Plan.NeedsInputGradient(Layer.Index);

    /// <summary>The activation the forward kernels apply: the layer's own, except the final softmax, which the fused
    /// loss applies (the forward pass leaves the logits).</summary>
    protected ActivationKind ForwardActivation => Layer.OutputActivation is ActivationKind f and not ActivationKind.Softmax ? f : ActivationKind.Linear;

    /// <summary>The backward step's start for a layer ending in a non-linear activation: outputGradient ·= f'(output)
    /// in place over <c>count</c> · <paramref name="valuesPerSample"/> values, unless the next layer applies it as it
    /// writes the gradient.</summary>
    protected void EmitOwnDerivative(SourceWriter w, VectorIsa isa, long valuesPerSample)
    {
        ActivationKind f = ForwardActivation;
        if (f != ActivationKind.Linear && !Plan.DerivativeAppliedByNext(Layer.Index))
        {
            w.Comment($"The gradient of the pre-activation: outputGradient · {ActivationCode.Describe(f)}'(output), in place.");
            Elementwise.Emit(w, isa, $"count * {valuesPerSample}", ["outputGradient", "output"], "outputGradient", x => ActivationCode.VectorDerivative(isa, f, x[0], x[1]));
        }
    }

    /// <summary>A kernel method's header line with its attributes.</summary>
    protected static void Method(SourceWriter w, string summary, string signature) => w.Method(summary, signature);

    protected static void EmitTiles(SourceWriter w, IEnumerable<ITileMethod> tiles)
    {
        foreach (ITileMethod tile in tiles)
        {
            w.Line();
            tile.Emit(w);
        }
    }

    protected static string I(long value) => VectorIsa.Int(value);
}
