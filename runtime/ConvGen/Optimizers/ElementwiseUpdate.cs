using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ConvGen;

/// <summary>
/// Runs an optimizer's per-element update rule over the flat buffers in one vectorised pass. The rule is written once,
/// on <see cref="Vector{T}"/>; a tail shorter than a vector (absent for model buffers, whose length is a multiple of
/// 16) runs through the same rule on a zero-padded copy.
/// </summary>
internal static class ElementwiseUpdate
{
    public static void Run<TRule>(TRule rule, Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> state1, Span<float> state2, Span<float> state3)
        where TRule : struct, IUpdateRule
    {
        int vectors = parameters.Length / Vector<float>.Count;

        // References walked by index; a state the rule does not use points at a local that is never advanced.
        Vector<float> unused1 = default, unused2 = default, unused3 = default;
        ref Vector<float> w = ref Vectors(parameters);
        ref Vector<float> g = ref Vectors(MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(gradients), gradients.Length));
        ref Vector<float> s1 = ref state1.IsEmpty ? ref unused1 : ref Vectors(state1);
        ref Vector<float> s2 = ref state2.IsEmpty ? ref unused2 : ref Vectors(state2);
        ref Vector<float> s3 = ref state3.IsEmpty ? ref unused3 : ref Vectors(state3);
        nint step1 = state1.IsEmpty ? 0 : 1;
        nint step2 = state2.IsEmpty ? 0 : 1;
        nint step3 = state3.IsEmpty ? 0 : 1;
        for (int v = 0; v < vectors; v++)
        {
            rule.Apply(ref w, g, ref s1, ref s2, ref s3);
            w = ref Unsafe.Add(ref w, 1);
            g = ref Unsafe.Add(ref g, 1);
            s1 = ref Unsafe.Add(ref s1, step1);
            s2 = ref Unsafe.Add(ref s2, step2);
            s3 = ref Unsafe.Add(ref s3, step3);
        }

        int done = vectors * Vector<float>.Count;
        if (done == parameters.Length)
        {
            return;
        }

        // The tail: the same rule on padded copies, then the live lanes copied back.
        int tail = parameters.Length - done;
        Span<float> lanes = stackalloc float[5 * Vector<float>.Count];
        lanes.Clear();
        Span<float> tw = lanes.Slice(0, Vector<float>.Count);
        Span<float> tg = lanes.Slice(Vector<float>.Count, Vector<float>.Count);
        Span<float> t1 = lanes.Slice(2 * Vector<float>.Count, Vector<float>.Count);
        Span<float> t2 = lanes.Slice(3 * Vector<float>.Count, Vector<float>.Count);
        Span<float> t3 = lanes.Slice(4 * Vector<float>.Count, Vector<float>.Count);
        parameters[done..].CopyTo(tw);
        gradients[done..].CopyTo(tg);
        CopyTail(state1, done, t1);
        CopyTail(state2, done, t2);
        CopyTail(state3, done, t3);
        var vw = new Vector<float>(tw);
        var v1 = new Vector<float>(t1);
        var v2 = new Vector<float>(t2);
        var v3 = new Vector<float>(t3);
        rule.Apply(ref vw, new Vector<float>(tg), ref v1, ref v2, ref v3);
        vw.CopyTo(tw);
        v1.CopyTo(t1);
        v2.CopyTo(t2);
        v3.CopyTo(t3);
        tw[..tail].CopyTo(parameters[done..]);
        CopyBack(t1, state1, done, tail);
        CopyBack(t2, state2, done, tail);
        CopyBack(t3, state3, done, tail);
    }

    private static ref Vector<float> Vectors(Span<float> values) =>
        ref Unsafe.As<float, Vector<float>>(ref MemoryMarshal.GetReference(values));

    private static void CopyTail(Span<float> state, int done, Span<float> lanes)
    {
        if (!state.IsEmpty)
        {
            state[done..].CopyTo(lanes);
        }
    }

    private static void CopyBack(Span<float> lanes, Span<float> state, int done, int tail)
    {
        if (!state.IsEmpty)
        {
            lanes[..tail].CopyTo(state[done..]);
        }
    }
}

/// <summary>An optimizer's update of one vector of parameters from its gradients and up to three state vectors.</summary>
internal interface IUpdateRule
{
    void Apply(ref Vector<float> parameter, Vector<float> gradient, ref Vector<float> state1, ref Vector<float> state2, ref Vector<float> state3);
}
