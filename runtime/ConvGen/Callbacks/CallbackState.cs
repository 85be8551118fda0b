namespace ConvGen;

/// <summary>
/// What a callback needs to carry on exactly where it was when training resumes from a backup
/// (<see cref="BackupAndRestore"/>): named numbers and named float arrays. A callback whose state changes training
/// (the best value and wait of <see cref="ReduceLROnPlateau"/>, say) writes it in
/// <see cref="Callback.SaveState"/> and reads it back in <see cref="Callback.RestoreState"/>.
/// </summary>
public sealed class CallbackState
{
    private readonly Dictionary<string, double> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, float[]> _arrays = new(StringComparer.Ordinal);

    /// <summary>The numbers, by name.</summary>
    public IReadOnlyDictionary<string, double> Values => _values;

    /// <summary>The arrays, by name.</summary>
    public IReadOnlyDictionary<string, float[]> Arrays => _arrays;

    /// <summary>Records a number (any double, infinities and NaN included).</summary>
    public void Set(string name, double value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _values[name] = value;
    }

    /// <summary>Records an array (kept as given: do not change it afterwards).</summary>
    public void Set(string name, float[] values)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(values);
        _arrays[name] = values;
    }

    /// <summary>A number recorded under <paramref name="name"/>; throws <see cref="InvalidDataException"/> when there is none.</summary>
    public double Get(string name) =>
        _values.TryGetValue(name, out double value) ? value : throw new InvalidDataException($"The saved callback state has no value '{name}'.");

    /// <summary>An array recorded under <paramref name="name"/>, or null.</summary>
    public float[]? GetArray(string name) => _arrays.GetValueOrDefault(name);
}
