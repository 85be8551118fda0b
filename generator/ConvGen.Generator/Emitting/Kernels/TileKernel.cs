using System.Collections.Generic;
using System.Linq;
using ConvGen.Generator.Model;

namespace ConvGen.Generator.Emitting.Kernels;

/// <summary>How a tile's accumulators start: at zero, at the bias, or at the values already in the output.</summary>
internal enum TileStart
{
    Zero,
    Bias,
    Accumulate,
}

/// <summary>One loop of a tile's reduction: how far each step moves the broadcast operand A and the vector operand B.
/// A null <see cref="Count"/> runs to a runtime argument of the tile: <see cref="CountParameter"/> (by default
/// <c>count</c>, the batch).</summary>
internal sealed record ReductionLoop(string Variable, int? Count, int AStride, int BStride, string CountParameter = "count");

/// <summary>
/// A register tile: <see cref="Rows"/> × <see cref="Vectors"/> accumulators kept in registers while a reduction runs;
/// each step loads <see cref="Vectors"/> vectors of B, broadcasts one float of A per row and issues one FMA per
/// accumulator. Every offset is a constant, so each load carries its displacement and nothing is computed per step
/// but two pointer bumps. Convolutions (direct and their gradients) and dense products are all tiles of this shape;
/// their emitters only choose the offsets.
/// </summary>
internal sealed class TileKernel : ITileMethod
{
    public TileKernel(string name, VectorIsa isa, int[] aRowOffsets, int[] cRowOffsets, int vectors, int lastLanes, IReadOnlyList<ReductionLoop> loops, TileStart start, ActivationKind activation, string comment)
    {
        Name = name;
        Isa = isa;
        ARowOffsets = aRowOffsets;
        CRowOffsets = cRowOffsets;
        Vectors = vectors;
        LastLanes = lastLanes;
        Loops = loops;
        Start = start;
        Activation = activation;
        Comment = comment;
    }

    public string Name { get; }

    public VectorIsa Isa { get; }

    public int Rows => ARowOffsets.Length;

    /// <summary>Offset in A of each row's broadcast operand.</summary>
    public int[] ARowOffsets { get; }

    /// <summary>Offset in C of each row's output.</summary>
    public int[] CRowOffsets { get; }

    public int Vectors { get; }

    /// <summary>Lanes of the last vector that belong to the output (the rest are never stored).</summary>
    public int LastLanes { get; }

    public IReadOnlyList<ReductionLoop> Loops { get; }

    public TileStart Start { get; }

    public ActivationKind Activation { get; }

    public string Comment { get; }

    /// <summary>When set, the epilogue multiplies each result by this activation's derivative, computed from the values
    /// at the same offsets of the tile's <c>y</c> argument: an input gradient that applies, as it is written, the
    /// derivative of the activation that produced that input.</summary>
    public ActivationKind? Derivative { get; init; }

    /// <summary>The runtime loop counts the tile takes, in order.</summary>
    private IEnumerable<string> CountParameters => Loops.Where(l => l.Count is null).Select(l => l.CountParameter).Distinct();

    /// <summary>The parameter list: a (broadcast), b (vectors), c (output), then the bias and the runtime loop counts.</summary>
    public string Parameters =>
        "ref float a, ref float b, ref float c" + (Start == TileStart.Bias ? ", ref float bias" : "") + (Derivative is null ? "" : ", ref float y") + string.Concat(CountParameters.Select(p => ", int " + p));

    /// <summary>A call with the given argument expressions; runtime loop counts are passed as the variables of the same
    /// name at the call site unless <paramref name="counts"/> gives other expressions, in order.</summary>
    public string Call(string a, string b, string c, string? bias = null, string? y = null, params string[] counts)
    {
        string[] names = CountParameters.ToArray();
        string arguments = string.Concat(names.Select((name, i) => ", " + (i < counts.Length ? counts[i] : name)));
        return $"{Name}(ref {a}, ref {b}, ref {c}" + (Start == TileStart.Bias ? $", ref {bias}" : "") + (Derivative is null ? "" : $", ref {y}") + arguments + ");";
    }

    public void Emit(SourceWriter w)
    {
        // The name says rows × vectors and the lanes of a partial last vector; the comment says which vectors.
        string lanes = LastLanes < Isa.Width ? $", {LastLanes} lanes of the last one used" : "";
        w.Method($"{Comment} Accumulators: {Rows} × {Vectors} {Isa.Vector}{lanes}.", $"private static void {Name}({Parameters})");
        EmitStart(w);
        EmitLoop(w, 0, "a", "b");
        EmitFinish(w);
        w.Close();
    }

    private static string Accumulator(int row, int vector) => $"c{row}_{vector}";

    private int VectorOffset(int vector) => vector * Isa.Width;

    private void EmitStart(SourceWriter w)
    {
        if (Start == TileStart.Bias)
        {
            for (int v = 0; v < Vectors; v++)
            {
                w.Line($"{Isa.Vector} bias{v} = {Isa.Load("bias", VectorOffset(v))};");
            }
        }

        for (int r = 0; r < Rows; r++)
        {
            var declarations = new List<string>();
            for (int v = 0; v < Vectors; v++)
            {
                string initial = Start switch
                {
                    TileStart.Bias => $"bias{v}",
                    TileStart.Accumulate => Isa.Load("c", CRowOffsets[r] + VectorOffset(v)),
                    _ => Isa.Zero,
                };
                declarations.Add($"{Accumulator(r, v)} = {initial}");
            }

            w.Line($"{Isa.Vector} {string.Join(", ", declarations)};");
        }
    }

    private void EmitLoop(SourceWriter w, int level, string a, string b)
    {
        if (level == Loops.Count)
        {
            EmitStep(w, a, b, 0, 0);
            return;
        }

        ReductionLoop loop = Loops[level];
        bool innermost = level == Loops.Count - 1;
        if (loop.Count == 1)
        {
            EmitLoop(w, level + 1, a, b);
            return;
        }

        // A short constant innermost loop is written out: its steps differ only in their displacements. Not when two of
        // its steps broadcast the same float of A (a one-channel convolution: pixel p at tap kx + 1 reads what pixel
        // p + 1 reads at tap kx): the JIT then keeps every shared broadcast in a register from step to step, and a
        // tall tile spills them in every step.
        if (innermost && loop.Count is int unrolled && unrolled <= 4 && !StepsShareBroadcasts(unrolled, loop.AStride))
        {
            for (int step = 0; step < unrolled; step++)
            {
                EmitStep(w, a, b, step * loop.AStride, step * loop.BStride);
            }

            return;
        }

        string bound = loop.Count is int constant ? VectorIsa.Int(constant) : loop.CountParameter;
        string v = loop.Variable;
        if (innermost)
        {
            string ai = "a" + v;
            string bi = "b" + v;
            w.Line($"ref float {ai} = ref {a};");
            w.Line($"ref float {bi} = ref {b};");
            w.Open($"for (int {v} = 0; {v} < {bound}; {v}++)");
            EmitStep(w, ai, bi, 0, 0);
            w.Line($"{ai} = ref Unsafe.Add(ref {ai}, {loop.AStride});");
            w.Line($"{bi} = ref Unsafe.Add(ref {bi}, {loop.BStride});");
            w.Close();
        }
        else
        {
            w.Open($"for (int {v} = 0; {v} < {bound}; {v}++)");
            string al = "a" + v;
            string bl = "b" + v;
            w.Line($"ref float {al} = ref Unsafe.Add(ref {a}, {v} * {loop.AStride});");
            w.Line($"ref float {bl} = ref Unsafe.Add(ref {b}, {v} * {loop.BStride});");
            EmitLoop(w, level + 1, al, bl);
            w.Close();
        }
    }

    /// <summary>Whether two of <paramref name="steps"/> steps, <paramref name="aStride"/> apart in A, broadcast the same
    /// float.</summary>
    private bool StepsShareBroadcasts(int steps, int aStride)
    {
        var offsets = new HashSet<int>();
        for (int step = 0; step < steps; step++)
        {
            foreach (int row in ARowOffsets.Distinct())
            {
                if (!offsets.Add((step * aStride) + row))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>One reduction step: load B's vectors, then per row broadcast A and multiply-add. A single row uses each
    /// B vector once: its loads are written into the multiply-adds, so they need no registers of their own (a wide
    /// one-row tile keeps all but a few registers for its accumulators).</summary>
    private void EmitStep(SourceWriter w, string a, string b, int aOffset, int bOffset)
    {
        w.Open();
        if (Rows == 1)
        {
            string only = aOffset + ARowOffsets[0] == 0 ? a : $"Unsafe.Add(ref {a}, {aOffset + ARowOffsets[0]})";
            w.Line($"{Isa.Vector} a0 = {Isa.Broadcast(only)};");
            for (int v = 0; v < Vectors; v++)
            {
                w.Line($"{Accumulator(0, v)} = {Isa.Fma("a0", Isa.Load(b, bOffset + VectorOffset(v)), Accumulator(0, v))};");
            }

            w.Close();
            return;
        }

        for (int v = 0; v < Vectors; v++)
        {
            w.Line($"{Isa.Vector} b{v} = {Isa.Load(b, bOffset + VectorOffset(v))};");
        }

        for (int r = 0; r < Rows; r++)
        {
            int offset = aOffset + ARowOffsets[r];
            string scalar = offset == 0 ? a : $"Unsafe.Add(ref {a}, {offset})";
            w.Line($"{Isa.Vector} a{r} = {Isa.Broadcast(scalar)};");
            for (int v = 0; v < Vectors; v++)
            {
                w.Line($"{Accumulator(r, v)} = {Isa.Fma($"a{r}", $"b{v}", Accumulator(r, v))};");
            }
        }

        w.Close();
    }

    /// <summary>
    /// The tile's end: each sum through the activation (and the derivative, when set) into C. When the activation calls
    /// out (<see cref="ActivationCode.Calls"/>), every sum is stored first and the activation applied to C in place, so
    /// no accumulator is live across a call: the JIT would otherwise keep all of them on the stack through the
    /// reduction, a load and a store per multiply-add.
    /// </summary>
    private void EmitFinish(SourceWriter w)
    {
        bool throughMemory = ActivationCode.Calls(Activation);
        if (throughMemory)
        {
            for (int r = 0; r < Rows; r++)
            {
                for (int v = 0; v < Vectors; v++)
                {
                    w.Line(Isa.Store(Accumulator(r, v), "c", CRowOffsets[r] + VectorOffset(v), v == Vectors - 1 ? LastLanes : Isa.Width));
                }
            }

            w.Comment($"The {ActivationCode.Describe(Activation)} in place, now that no accumulator is live across its calls.");
        }

        for (int r = 0; r < Rows; r++)
        {
            for (int v = 0; v < Vectors; v++)
            {
                int offset = CRowOffsets[r] + VectorOffset(v);
                int lanes = v == Vectors - 1 ? LastLanes : Isa.Width;
                string sum = !throughMemory ? Accumulator(r, v)
                    : lanes == Isa.Width ? Isa.Load("c", offset)
                    : Isa.LoadFirst("c", VectorIsa.Int(offset), VectorIsa.Int(lanes));
                string value = ActivationCode.Vector(Isa, Activation, sum);
                if (Derivative is ActivationKind derivative)
                {
                    value = ActivationCode.VectorDerivative(Isa, derivative, value, Isa.Load("y", offset));
                }

                w.Line(Isa.Store(value, "c", offset, lanes));
            }
        }
    }
}
