using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace ConvGen.Generator.Emitting.Kernels;

/// <summary>A small constant matrix of a tile transform (Winograd's Bᵀ, G, Aᵀ and their transposes), named as the
/// comments of the generated code call it.</summary>
internal sealed class TransformMatrix
{
    private readonly double[,] _values;

    public TransformMatrix(string name, double[,] values)
    {
        Name = name;
        _values = values;
    }

    public string Name { get; }

    public int Rows => _values.GetLength(0);

    public int Columns => _values.GetLength(1);

    public double this[int row, int column] => _values[row, column];

    /// <summary>The transpose, its name with a ᵀ added or taken off.</summary>
    public TransformMatrix Transposed()
    {
        var values = new double[Columns, Rows];
        for (int i = 0; i < Rows; i++)
        {
            for (int j = 0; j < Columns; j++)
            {
                values[j, i] = _values[i, j];
            }
        }

        return new TransformMatrix(Name.EndsWith("ᵀ", StringComparison.Ordinal) ? Name.Substring(0, Name.Length - 1) : Name + "ᵀ", values);
    }

    /// <summary>The matrix as the comments write it: <c>[1 0 −1 0; 0 1 1 0; ...]</c>, fractions as n/d.</summary>
    public override string ToString() =>
        "[" + string.Join("; ", Enumerable.Range(0, Rows).Select(i => string.Join(" ", Enumerable.Range(0, Columns).Select(j => Fraction(_values[i, j]))))) + "]";

    /// <summary>Row <paramref name="row"/> as a combination of <paramref name="symbol"/>'s rows, e.g. <c>4·d[0] − 5·d[2] + d[4]</c>.</summary>
    public string DescribeRow(int row, string symbol)
    {
        string text = "";
        for (int k = 0; k < Columns; k++)
        {
            double c = _values[row, k];
            if (c == 0)
            {
                continue;
            }

            string magnitude = Math.Abs(c) == 1 ? "" : Fraction(Math.Abs(c)) + "·";
            text += (text.Length == 0 ? (c < 0 ? "−" : "") : (c < 0 ? " − " : " + ")) + magnitude + symbol + "[" + k.ToString(CultureInfo.InvariantCulture) + "]";
        }

        return text;
    }

    // A coefficient as n/d over the denominators the transforms use, else its decimal text.
    private static string Fraction(double value)
    {
        foreach (int denominator in new[] { 1, 2, 3, 4, 6, 8, 12, 24 })
        {
            double numerator = value * denominator;
            if (Math.Abs(numerator - Math.Round(numerator)) < 1e-9)
            {
                string sign = numerator < 0 ? "−" : "";
                string text = Math.Abs(Math.Round(numerator)).ToString(CultureInfo.InvariantCulture);
                return denominator == 1 ? sign + text : $"{sign}{text}/{denominator}";
            }
        }

        return VectorIsa.Number(value);
    }
}

/// <summary>
/// Writes Z = L·X·R for vectors of lanes: a tile of values X (each a vector: channels or filters side by side)
/// multiplied by constant matrices on both sides, row by row. For each row i of L, the row of L·X goes into locals
/// <c>e0</c>, <c>e1</c>, ... (each a combination of X's rows), and Z[i][j] = Σ_k e_k · R[k, j] is handed to the caller
/// to store. The combinations group equal coefficients (<c>(d1 + d2) · −4</c>) and add the others by fused
/// multiply-adds, so zeros cost nothing and ±1 only an addition.
/// </summary>
internal static class TileTransform
{
    /// <param name="symbol">X's name in the comments (its rows are <c>symbol[0]</c>, <c>symbol[1]</c>, ...).</param>
    /// <param name="operand">The expression of X[k][j].</param>
    /// <param name="write">Writes Z[i][j], given its expression.</param>
    public static void Emit(SourceWriter w, VectorIsa isa, TransformMatrix left, string symbol, TransformMatrix right, Func<int, int, string> operand, Action<int, int, string> write)
    {
        for (int i = 0; i < left.Rows; i++)
        {
            w.Comment($"Row {i} of {left.Name}·{symbol} ({left.DescribeRow(i, symbol)}), then its {right.Columns} columns by {right.Name}.");
            w.Open();
            for (int k = 0; k < right.Rows; k++)
            {
                w.Line($"{isa.Vector} e{k} = {Combine(isa, Enumerable.Range(0, left.Columns).Select(r => (left[i, r], operand(r, k))))};");
            }

            for (int j = 0; j < right.Columns; j++)
            {
                write(i, j, Combine(isa, Enumerable.Range(0, right.Rows).Select(k => (right[k, j], $"e{k}"))));
            }

            w.Close();
        }
    }

    /// <summary>Σ coefficient · operand as vector code: the terms of equal magnitude summed first (the ±1 ones as the
    /// base), each other group then scaled by a multiply (the first) or a fused multiply-add.</summary>
    private static string Combine(VectorIsa isa, IEnumerable<(double Coefficient, string Operand)> terms)
    {
        var groups = terms.Where(t => t.Coefficient != 0)
            .GroupBy(t => Math.Abs(t.Coefficient))
            .OrderBy(g => g.Key == 1 ? 0 : 1)
            .ThenBy(g => g.Key)
            .ToList();
        if (groups.Count == 0)
        {
            return isa.Zero;
        }

        string? sum = null;
        foreach (IGrouping<double, (double Coefficient, string Operand)> group in groups)
        {
            (string text, bool negated, bool single) = SignedSum(group.ToList());
            double factor = negated ? -group.Key : group.Key;
            if (sum is null)
            {
                sum = factor switch
                {
                    1 => text,
                    -1 => single ? "-" + text : $"-({text})",
                    _ => $"{(single ? text : $"({text})")} * {VectorIsa.Float(factor)}",
                };
            }
            else
            {
                sum = isa.Fma(text, isa.Broadcast(VectorIsa.Float(factor)), sum);
            }
        }

        return sum!;
    }

    // The terms of one magnitude as `a + b - c`, a positive one first; when all are negative, their plain sum, negated.
    private static (string Text, bool Negated, bool Single) SignedSum(List<(double Coefficient, string Operand)> terms)
    {
        bool negated = terms.All(t => t.Coefficient < 0);
        var ordered = terms.Where(t => negated || t.Coefficient > 0).Concat(terms.Where(t => !negated && t.Coefficient < 0)).ToList();
        string text = ordered[0].Operand;
        foreach ((double coefficient, string operand) in ordered.Skip(1))
        {
            text += (negated || coefficient > 0 ? " + " : " - ") + operand;
        }

        return (text, negated, ordered.Count == 1);
    }
}
