using System.Globalization;

namespace ConvGen.Generator.Emitting;

/// <summary>
/// One instruction-set path of the emitted code: the vector type, its width and register count, and how each
/// operation is spelt. The same kernel emitter writes all three paths; only the blocking differs.
/// </summary>
internal sealed class VectorIsa
{
    public static readonly VectorIsa Avx512 = new("Avx512", "AVX-512", "Vector512", 16, 32, "FusedMultiplyAdd", "CompiledEngine.IsAvx512");
    public static readonly VectorIsa Avx2 = new("Avx2", "AVX2", "Vector256", 8, 16, "FusedMultiplyAdd", "CompiledEngine.IsAvx2");

    // The portable path: Vector128 runs on SSE and NEON; MultiplyAddEstimate fuses where the CPU can, and never falls
    // back to a slow software FMA.
    public static readonly VectorIsa Vector128 = new("Vector128", "Vector128", "Vector128", 4, 16, "MultiplyAddEstimate", null);

    /// <summary>
    /// The AVX-512 path with 8-float vectors: Zen 4 runs 512-bit operations as two 256-bit halves, so 256-bit vectors
    /// lose nothing per lane and still have 32 registers; rows of 8, 24 or 56 floats fill them where 16-float vectors
    /// would carry empty lanes.
    /// </summary>
    public static readonly VectorIsa Avx512Narrow = new("Avx512", "AVX-512", "Vector256", 8, 32, "FusedMultiplyAdd", "CompiledEngine.IsAvx512");

    public static readonly VectorIsa[] All = [Avx512, Avx2, Vector128];

    /// <summary>The vectors a kernel over rows of <paramref name="columns"/> floats should use on this path: on AVX-512,
    /// 8-float vectors when they leave fewer empty lanes than 16-float ones (8, 24, 56 or 100 columns, say).</summary>
    public VectorIsa ForColumns(int columns)
    {
        if (this != Avx512)
        {
            return this;
        }

        int wide = ((columns + 15) / 16 * 16) - columns;
        int narrow = ((columns + 7) / 8 * 8) - columns;
        return narrow < wide ? Avx512Narrow : this;
    }

    private VectorIsa(string suffix, string displayName, string api, int width, int registers, string fma, string? condition)
    {
        Suffix = suffix;
        DisplayName = displayName;
        Api = api;
        Width = width;
        Registers = registers;
        FmaMethod = fma;
        Condition = condition;
    }

    /// <summary>Suffix of every kernel on this path: ForwardAvx512.</summary>
    public string Suffix { get; }

    public string DisplayName { get; }

    /// <summary>The static vector class: Vector512.</summary>
    public string Api { get; }

    /// <summary>The vector type: Vector512&lt;float&gt;.</summary>
    public string Vector => Api + "<float>";

    /// <summary>Floats per vector.</summary>
    public int Width { get; }

    /// <summary>Architectural vector registers: 32 with AVX-512, 16 otherwise.</summary>
    public int Registers { get; }

    public string FmaMethod { get; }

    /// <summary>The runtime property that selects this path, or null for the fallback.</summary>
    public string? Condition { get; }

    public string Load(string reference) => $"{Api}.LoadUnsafe(ref {reference})";

    public string Load(string reference, int offset) => offset == 0 ? Load(reference) : $"{Api}.LoadUnsafe(ref Unsafe.Add(ref {reference}, {Int(offset)}))";

    public string LoadAt(string reference, string offsetExpression) => $"{Api}.LoadUnsafe(ref {At(reference, offsetExpression)})";

    /// <summary>Loads the first <paramref name="lanes"/> floats exactly (no read past them), zeros elsewhere.</summary>
    public string LoadFirst(string reference, string offsetExpression, string lanes) =>
        $"Lanes.LoadFirst{Width * 32}(ref {At(reference, offsetExpression)}, {lanes})";

    public string Broadcast(string scalar) => $"{Api}.Create({scalar})";

    public string Fma(string a, string b, string c) => $"{Api}.{FmaMethod}({a}, {b}, {c})";

    public string Zero => $"{Vector}.Zero";

    /// <summary>A store of <paramref name="value"/> to reference + offset; partial when <paramref name="lanes"/> &lt; width.</summary>
    public string Store(string value, string reference, int offset, int lanes)
    {
        string target = At(reference, Int(offset));
        return lanes >= Width
            ? $"{Receiver(value)}.StoreUnsafe(ref {target});"
            : $"Lanes.StoreFirst(ref {target}, {value}, {Int(lanes)});";
    }

    /// <summary>A store to reference + column + offset (column a C# expression); partial when lanes &lt; width.</summary>
    public string Store(string value, string reference, string column, int offset, int lanes)
    {
        string target = Kernels.ChannelPanels.At(reference, column, offset);
        return lanes >= Width
            ? $"{Receiver(value)}.StoreUnsafe(ref {target});"
            : $"Lanes.StoreFirst(ref {target}, {value}, {Int(lanes)});";
    }

    /// <summary>A load from reference + column + offset (column a C# expression).</summary>
    public string Load(string reference, string column, int offset) =>
        $"{Api}.LoadUnsafe(ref {Kernels.ChannelPanels.At(reference, column, offset)})";

    public string StoreAt(string value, string reference, string offsetExpression) =>
        $"{Receiver(value)}.StoreUnsafe(ref {At(reference, offsetExpression)});";

    /// <summary><paramref name="value"/> as the receiver of a member call: parenthesised unless it is already a primary
    /// expression (an identifier, a call, a parenthesised expression), so <c>a + b</c> stores the sum, not <c>a + (b.Store…)</c>.</summary>
    private static string Receiver(string value)
    {
        bool primary = value.Length > 0 && (char.IsLetter(value[0]) || value[0] == '_' || value[0] == '(');
        int depth = 0;
        foreach (char c in value)
        {
            depth += c is '(' or '[' ? 1 : c is ')' or ']' ? -1 : 0;
            primary &= depth > 0 || char.IsLetterOrDigit(c) || c is '_' or '.' or '<' or '>' or ')' or ']';
        }

        return primary ? value : "(" + value + ")";
    }

    public string StoreFirstAt(string value, string reference, string offsetExpression, string lanes) =>
        $"Lanes.StoreFirst(ref {At(reference, offsetExpression)}, {value}, {lanes});";

    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    // The reference offsetExpression floats past reference: the reference itself at an offset of 0, so emitted code
    // reads `ref sums`, not `ref Unsafe.Add(ref sums, 0)`.
    private static string At(string reference, string offsetExpression) =>
        offsetExpression == "0" ? reference : $"Unsafe.Add(ref {reference}, {offsetExpression})";

    /// <summary>A number as a comment shows it: the shortest text that reads back as the same double.</summary>
    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string Float(double value)
    {
        float single = (float)value;
        if (float.IsNaN(single) || float.IsInfinity(single))
        {
            // The parser rejects such values; never emit 'Infinity.0f'.
            throw new System.ArgumentOutOfRangeException(nameof(value), value, "A constant of the generated code is not a finite float.");
        }

        string text = single.ToString("R", CultureInfo.InvariantCulture);
        if (text.IndexOf('.') < 0 && text.IndexOf('E') < 0)
        {
            text += ".0";
        }

        return text.Replace("E", "e") + "f";
    }
}
