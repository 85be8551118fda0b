using System.Numerics;
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
        Span<Vector<float>> w = MemoryMarshal.Cast<float, Vector<float>>(parameters)[..vectors];
        ReadOnlySpan<Vector<float>> g = MemoryMarshal.Cast<float, Vector<float>>(gradients)[..vectors];
        Span<Vector<float>> s1 = Cast(state1, vectors);
        Span<Vector<float>> s2 = Cast(state2, vectors);
        Span<Vector<float>> s3 = Cast(state3, vectors);
        Vector<float> unused = default;
        for (int v = 0; v < vectors; v++)
        {
            rule.Apply(
                ref w[v],
                g[v],
                ref s1.IsEmpty ? ref unused : ref s1[v],
                ref s2.IsEmpty ? ref unused : ref s2[v],
                ref s3.IsEmpty ? ref unused : ref s3[v]);
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

    private static Span<Vector<float>> Cast(Span<float> state, int vectors) =>
        state.IsEmpty ? default : MemoryMarshal.Cast<float, Vector<float>>(state)[..vectors];

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
