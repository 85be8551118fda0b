using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace ConvGen;

/// <summary>
/// Parses a LIBSVM / svmlight text file into dense rows. Lines are read one at a time and tokenised as spans, so the
/// only allocation per line is the line itself. Pairs are kept sparse (index as written, scaled value) until the end,
/// because whether indices are zero- or one-based may depend on a line near the end of the file; then they are
/// written into one dense array. Every problem is an <see cref="InvalidDataException"/> naming the file, the 1-based
/// line number and the offending token.
/// </summary>
internal sealed class SvmLightReader
{
    private readonly string _path;
    private readonly int _features;
    private readonly bool? _zeroBased;
    private readonly float _scale;

    private readonly List<int> _labels = [];
    private readonly List<int> _rowEnds = [];
    private readonly List<int> _indices = [];
    private readonly List<float> _values = [];

    // For each index as written, 1 + the row that last used it: finds a duplicate on a line in constant time.
    private readonly int[] _rowUsingIndex;

    // With automatic base detection: where index 0 first appears (0: nowhere), and the first index equal to the
    // feature count, which is valid one-based but out of range zero-based.
    private int _firstZeroLine;
    private (int Line, string Token)? _firstIndexAtFeatures;

    private SvmLightReader(string path, int features, bool? zeroBased, float scale)
    {
        _path = path;
        _features = features;
        _zeroBased = zeroBased;
        _scale = scale;
        _rowUsingIndex = new int[features + 1];
    }

    /// <summary>
    /// Reads <paramref name="path"/> as samples of <paramref name="features"/> values: each sample's values, one sample
    /// after another, and the labels.
    /// </summary>
    public static (float[] Values, int[] Labels) Read(string path, int features, bool? zeroBased, float scale)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(features, Array.MaxLength);
        if (!float.IsFinite(scale))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale must be a finite number.");
        }

        var reader = new SvmLightReader(Path.GetFullPath(path), features, zeroBased, scale);
        reader.ReadLines();
        return reader.ToDense();
    }

    private void ReadLines()
    {
        if (Directory.Exists(_path))
        {
            throw new InvalidDataException($"'{_path}': it is a directory, not an svmlight file");
        }

        var options = new FileStreamOptions { BufferSize = 1 << 16, Options = FileOptions.SequentialScan };
        using var text = new StreamReader(_path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, options);
        int lineNumber = 0;
        while (text.ReadLine() is { } line)
        {
            lineNumber++;
            ParseLine(line, lineNumber);
        }

        if (_labels.Count == 0)
        {
            throw new InvalidDataException($"'{_path}': no samples; the file is empty or has only blank lines and comments");
        }
    }

    private void ParseLine(ReadOnlySpan<char> line, int lineNumber)
    {
        int comment = line.IndexOf('#');
        if (comment >= 0)
        {
            line = line[..comment];
        }

        int position = 0;
        if (!NextToken(line, ref position, out ReadOnlySpan<char> label))
        {
            return;
        }

        int row = _labels.Count;
        _labels.Add(ParseLabel(label, lineNumber));
        while (NextToken(line, ref position, out ReadOnlySpan<char> token))
        {
            ParsePair(token, row, lineNumber);
        }

        _rowEnds.Add(_indices.Count);
    }

    private int ParseLabel(ReadOnlySpan<char> token, int lineNumber)
    {
        if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double label) || !double.IsFinite(label))
        {
            throw Error(lineNumber, $"the label '{token}' is not a number");
        }

        if (label < 0)
        {
            throw Error(lineNumber, $"the label '{token}' is negative; labels are class indices 0, 1, 2, ...");
        }

        if (label != Math.Floor(label))
        {
            throw Error(lineNumber, $"the label '{token}' is not an integer; labels are class indices 0, 1, 2, ...");
        }

        if (label > int.MaxValue)
        {
            throw Error(lineNumber, $"the label '{token}' is too large for a class index");
        }

        return (int)label;
    }

    private void ParsePair(ReadOnlySpan<char> token, int row, int lineNumber)
    {
        int colon = token.IndexOf(':');
        if (colon < 0)
        {
            throw Error(lineNumber, $"'{token}' is not an index:value pair (it has no ':')");
        }

        ReadOnlySpan<char> indexText = token[..colon];
        ReadOnlySpan<char> valueText = token[(colon + 1)..];
        if (indexText.SequenceEqual("qid"))
        {
            // A query id, used for ranking; it is not a feature.
            if (!int.TryParse(valueText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
            {
                throw Error(lineNumber, $"the query id '{valueText}' in '{token}' is not an integer");
            }

            return;
        }

        if (!TryParseDigits(indexText, out int index)
            && !int.TryParse(indexText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out index))
        {
            throw System.Numerics.BigInteger.TryParse(indexText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out System.Numerics.BigInteger large)
                ? Error(lineNumber, $"index {large} in '{token}' is out of range for {_features} features (0 to {_features - 1} zero-based, 1 to {_features} one-based)")
                : Error(lineNumber, $"the index '{indexText}' in '{token}' is not an integer");
        }

        float value;
        if (TryParseDigits(valueText, out int digits))
        {
            value = digits;
        }
        else if (!float.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out value) || !float.IsFinite(value))
        {
            throw Error(lineNumber, $"the value '{valueText}' in '{token}' is not a finite number");
        }

        CheckRange(index, token, lineNumber);
        if (_rowUsingIndex[index] == row + 1)
        {
            throw Error(lineNumber, $"index {index} appears twice on the line (again in '{token}')");
        }

        _rowUsingIndex[index] = row + 1;
        if (value != 0)
        {
            float scaled = value * _scale;
            if (!float.IsFinite(scaled))
            {
                throw Error(lineNumber, $"the value '{valueText}' in '{token}' times the scale {_scale.ToString(CultureInfo.InvariantCulture)} is {scaled.ToString(CultureInfo.InvariantCulture)}, beyond the range of float");
            }

            _indices.Add(index);
            _values.Add(scaled);
        }
    }

    private void CheckRange(int index, ReadOnlySpan<char> token, int lineNumber)
    {
        switch (_zeroBased)
        {
            case true when index < 0 || index >= _features:
                throw Error(lineNumber, $"index {index} in '{token}' is out of range: zero-based indices of {_features} features run from 0 to {_features - 1}");
            case false when index < 1 || index > _features:
                throw Error(lineNumber, $"index {index} in '{token}' is out of range: one-based indices of {_features} features run from 1 to {_features}");
            case null when index < 0 || index > _features:
                throw Error(lineNumber, $"index {index} in '{token}' is out of range for {_features} features (0 to {_features - 1} zero-based, 1 to {_features} one-based)");
            case null when index == 0 && _firstZeroLine == 0:
                _firstZeroLine = lineNumber;
                break;
            case null when index == _features && _firstIndexAtFeatures is null:
                _firstIndexAtFeatures = (lineNumber, token.ToString());
                break;
        }
    }

    private (float[] Values, int[] Labels) ToDense()
    {
        // As scikit-learn's zero_based="auto": the indices are zero-based exactly when some index is 0.
        bool zeroBased = _zeroBased ?? _firstZeroLine > 0;
        if (_zeroBased is null && zeroBased && _firstIndexAtFeatures is (int line, string token))
        {
            throw Error(line, $"index {_features} in '{token}' is out of range: index 0 on line {_firstZeroLine} makes the file's indices zero-based, and zero-based indices of {_features} features run from 0 to {_features - 1}");
        }

        int rows = _labels.Count;
        long size = (long)rows * _features;
        if (size > Array.MaxLength)
        {
            throw new InvalidDataException($"'{_path}': {rows} samples of {_features} features are too many to hold in one array");
        }

        var dense = new float[size];
        ReadOnlySpan<int> indices = CollectionsMarshal.AsSpan(_indices);
        ReadOnlySpan<float> values = CollectionsMarshal.AsSpan(_values);
        int offset = zeroBased ? 0 : 1;
        int start = 0;
        for (int row = 0; row < rows; row++)
        {
            int end = _rowEnds[row];
            Span<float> target = dense.AsSpan(row * _features, _features);
            for (int k = start; k < end; k++)
            {
                target[indices[k] - offset] = values[k];
            }

            start = end;
        }

        return (dense, _labels.ToArray());
    }

    /// <summary>
    /// The fast path for the common token, a short run of decimal digits (MNIST's indices and 0–255 values): at most 7
    /// digits, so the result is below 2^24 and exact as a float too. Anything else is left to the general parsers.
    /// </summary>
    private static bool TryParseDigits(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 7)
        {
            return false;
        }

        foreach (char c in text)
        {
            uint digit = (uint)(c - '0');
            if (digit > 9)
            {
                return false;
            }

            value = value * 10 + (int)digit;
        }

        return true;
    }

    /// <summary>The next whitespace-separated token of <paramref name="line"/> from <paramref name="position"/>.</summary>
    private static bool NextToken(ReadOnlySpan<char> line, ref int position, out ReadOnlySpan<char> token)
    {
        while (position < line.Length && char.IsWhiteSpace(line[position]))
        {
            position++;
        }

        int start = position;
        while (position < line.Length && !char.IsWhiteSpace(line[position]))
        {
            position++;
        }

        token = line[start..position];
        return token.Length > 0;
    }

    private InvalidDataException Error(int lineNumber, string problem) => new($"'{_path}' line {lineNumber}: {problem}");
}
