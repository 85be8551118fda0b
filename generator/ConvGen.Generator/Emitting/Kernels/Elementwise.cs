using System;
using System.Linq;

namespace ConvGen.Generator.Emitting.Kernels;

/// <summary>
/// Element-wise loops over whole vectors, with the tail done by exact masked loads and stores (one formula, no scalar
/// copy of it), so a tail never reads past the caller's images.
/// </summary>
internal static class Elementwise
{
    /// <summary>Emits <c>target[i] = f(operands[i]...)</c> for i in [0, length).</summary>
    /// <param name="w">The writer.</param>
    /// <param name="isa">The vector path.</param>
    /// <param name="length">An int expression: the number of values.</param>
    /// <param name="operands">References read at each index; their loaded vectors are named x0, x1, ...</param>
    /// <param name="target">The reference written.</param>
    /// <param name="formula">The vector expression of x0, x1, ...</param>
    public static void Emit(SourceWriter w, VectorIsa isa, string length, string[] operands, string target, Func<string[], string> formula) =>
        Emit(w, isa, length, operands, target, formula, split: false);

    /// <summary>Emits <c>target[i] = f(operands[i]...)</c> for i in [0, length), or with <paramref name="split"/> for
    /// part <c>part</c> of <c>parts</c> of that range only, in whole vectors (<c>Partition.Blocks</c>).</summary>
    public static void Emit(SourceWriter w, VectorIsa isa, string length, string[] operands, string target, Func<string[], string> formula, bool split)
    {
        string[] names = operands.Select((_, i) => "x" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        string value = formula(names);
        w.Open();
        if (split)
        {
            w.Line($"(int i, int length) = Partition.Blocks({length}, {isa.Width}, part, parts);");
        }
        else
        {
            w.Line($"int length = {length};");
            w.Line("int i = 0;");
        }

        w.Open($"for (; i <= length - {isa.Width}; i += {isa.Width})");
        for (int k = 0; k < operands.Length; k++)
        {
            w.Line($"{isa.Vector} {names[k]} = {isa.LoadAt(operands[k], "i")};");
        }

        w.Line(isa.StoreAt($"({value})", target, "i"));
        w.Close();
        w.Open("if (i < length)");
        for (int k = 0; k < operands.Length; k++)
        {
            w.Line($"{isa.Vector} {names[k]} = {isa.LoadFirst(operands[k], "i", "length - i")};");
        }

        w.Line(isa.StoreFirstAt($"({value})", target, "i", "length - i"));
        w.Close();
        w.Close();
    }
}
