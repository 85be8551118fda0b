using System.Collections.Generic;

namespace ConvGen.Generator.Emitting;

/// <summary>
/// Collects the statements of one pass method (forward or backward, one instruction set) and the workspace regions
/// they touch, so the method declares a reference for exactly the regions it uses.
/// </summary>
internal sealed class PassWriter
{
    private readonly List<string> _statements = [];
    private readonly List<string> _regions = [];
    private string _indent = "";

    public IReadOnlyList<string> Statements => _statements;

    public IReadOnlyList<string> Regions => _regions;

    /// <summary>The local reference to a buffer (a workspace region, or the images).</summary>
    public string Buffer(string region)
    {
        if (region != NetworkPlan.ImagesName && !_regions.Contains(region))
        {
            _regions.Add(region);
        }

        return NetworkPlan.Reference(region);
    }

    /// <summary>The reference to the whole batch of a training step in a buffer of <paramref name="valuesPerSample"/>
    /// per sample: the images or a batch region, whose local references are the thread's chunk, start
    /// <c>first</c> samples earlier.</summary>
    public string BatchBuffer(string region, long valuesPerSample) => $"Unsafe.Subtract(ref {Buffer(region)}, first * {valuesPerSample})";

    public static string Parameter(WeightSlot weight) => $"Unsafe.Add(ref parameters, Weights.{weight.Constant})";

    public static string ParameterGradient(WeightSlot weight) => $"Unsafe.Add(ref gradients, Weights.{weight.Constant})";

    public static string State(WeightSlot weight) => $"Unsafe.Add(ref state, Weights.{weight.Constant})";

    public void Comment(string text) => _statements.Add(_indent + "// " + text);

    /// <summary>Puts a comment before the statements added since <paramref name="index"/>, if there are any.</summary>
    public void CommentBefore(int index, string text)
    {
        if (_statements.Count > index)
        {
            _statements.Insert(index, "// " + text);
        }
    }

    public void Statement(string statement) => _statements.Add(_indent + statement);

    /// <summary>Starts a block: <paramref name="header"/> (an <c>if</c>), then the statements added until
    /// <see cref="Close"/>, indented.</summary>
    public void Open(string header)
    {
        Statement(header);
        Statement("{");
        _indent += "    ";
    }

    /// <summary>Ends the block <see cref="Open"/> started.</summary>
    public void Close()
    {
        _indent = _indent.Substring(4);
        Statement("}");
    }

    /// <summary>Makes the threads of a split pass wait for each other: what each wrote before is visible to all after.</summary>
    public void Barrier() => Statement("barrier.SignalAndWait();");

    /// <summary>Puts a <see cref="Barrier"/> before the statement at <paramref name="index"/>.</summary>
    public void BarrierBefore(int index) => _statements.Insert(index, "barrier.SignalAndWait();");

    /// <summary>Whether code (not only comments) was added since <paramref name="index"/>.</summary>
    public bool WroteCodeSince(int index)
    {
        for (int i = index; i < _statements.Count; i++)
        {
            if (!_statements[i].TrimStart().StartsWith("// ", System.StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The arguments a forward kernel call ends with: the thread's part in a split pass, none otherwise (the
    /// kernels' part and parts default to the whole).</summary>
    public static string PartArguments(PassMode mode) => mode == PassMode.SplitInference ? ", part, parts" : "";
}
