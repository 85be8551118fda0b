using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ConvGen;

/// <summary>
/// Saves the model's weights during training, as Keras' <c>ModelCheckpoint</c>: at the end of every epoch (or every
/// <see cref="SaveFrequency"/> steps), or only when the monitored metric improves (<see cref="SaveBestOnly"/>). The
/// path may name the epoch and the metrics the way Keras' does, in Python's format syntax:
/// <c>runs/weights.{epoch:02d}-{val_loss:.4f}.cgw</c>. Files are written with <see cref="Model.Save"/>, atomically: a
/// kill during a write leaves the previous file loadable.
/// </summary>
public sealed partial class ModelCheckpoint : Callback
{
    private static readonly string[] Fields = ["epoch", "batch", "loss", "accuracy", "acc", "val_loss", "val_accuracy", "val_acc"];
    private readonly MonitoredMetric _metric;
    private readonly List<Segment> _template;
    private int _epoch;
    private int _stepsSinceSave;

    /// <summary>A checkpoint writing to <paramref name="filepath"/>.</summary>
    /// <param name="filepath">The file, with optional placeholders <c>{epoch}</c> (from 1, as Keras), <c>{batch}</c>,
    /// <c>{loss}</c>, <c>{accuracy}</c>, <c>{val_loss}</c>, <c>{val_accuracy}</c>, each with an optional format such as
    /// <c>{epoch:02d}</c> or <c>{val_loss:.4f}</c>.</param>
    /// <param name="monitor">The metric <paramref name="saveBestOnly"/> watches.</param>
    /// <param name="verbose">1 prints a line for every save (and every epoch that does not improve).</param>
    /// <param name="saveBestOnly">Save only when <paramref name="monitor"/> beats its best so far.</param>
    /// <param name="mode"><c>min</c>, <c>max</c>, or <c>auto</c> (max for accuracies, min for losses).</param>
    /// <param name="saveFrequency">0 (Keras' <c>"epoch"</c>): check at the end of every epoch; N &gt; 0: every N
    /// training steps, with the epoch's running loss and accuracy (validation metrics exist only at an epoch's end).</param>
    /// <param name="initialValueThreshold">With <paramref name="saveBestOnly"/>, the value the metric must beat before
    /// the first save.</param>
    public ModelCheckpoint(string filepath, string monitor = "val_loss", int verbose = 0, bool saveBestOnly = false, string mode = "auto", int saveFrequency = 0, double? initialValueThreshold = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filepath);
        ArgumentOutOfRangeException.ThrowIfNegative(saveFrequency);
        _metric = new MonitoredMetric(monitor, mode, 0);
        _template = Parse(filepath);
        if (saveFrequency > 0 && saveBestOnly && _metric.NeedsValidation)
        {
            throw new ArgumentException($"ModelCheckpoint saves every {saveFrequency} steps, where '{monitor}' does not exist yet (validation runs at the end of an epoch); monitor 'loss' or 'accuracy', or save at epoch ends (saveFrequency: 0).", nameof(monitor));
        }

        if (initialValueThreshold is double threshold && double.IsNaN(threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(initialValueThreshold), threshold, "The initial threshold must be a number.");
        }

        FilePath = filepath;
        SaveBestOnly = saveBestOnly;
        Verbose = verbose;
        SaveFrequency = saveFrequency;
        InitialValueThreshold = initialValueThreshold;
        Best = initialValueThreshold ?? _metric.Worst;
    }

    /// <summary>The path, placeholders included.</summary>
    public string FilePath { get; }

    /// <summary>The metric <see cref="SaveBestOnly"/> watches.</summary>
    public string Monitor => _metric.Monitor;

    /// <summary>Whether only improvements are saved.</summary>
    public bool SaveBestOnly { get; }

    /// <summary>1 prints every save.</summary>
    public int Verbose { get; }

    /// <summary>0: at epoch ends; N: every N steps.</summary>
    public int SaveFrequency { get; }

    /// <summary>The value to beat before the first save, if any.</summary>
    public double? InitialValueThreshold { get; }

    /// <summary>The best value of <see cref="Monitor"/> saved so far.</summary>
    public double Best { get; private set; }

    /// <summary>The file last written, or null.</summary>
    public string? LastSaved { get; private set; }

    /// <inheritdoc/>
    internal override void CheckBeforeTraining(bool validates, string parameter)
    {
        if (SaveBestOnly)
        {
            _metric.Check(validates, nameof(ModelCheckpoint), parameter);
        }

        if (!validates && _template.FirstOrDefault(s => s.Field?.StartsWith("val_", StringComparison.Ordinal) == true) is { } field)
        {
            throw new ArgumentException($"ModelCheckpoint's path '{FilePath}' names {{{field.Field}}}, which this training does not produce: there is no validation data.", parameter);
        }

        if (SaveFrequency > 0 && _template.FirstOrDefault(s => s.Field?.StartsWith("val_", StringComparison.Ordinal) == true) is { } batchField)
        {
            throw new ArgumentException($"ModelCheckpoint's path '{FilePath}' names {{{batchField.Field}}}, which does not exist when saving every {SaveFrequency} steps.", parameter);
        }
    }

    /// <inheritdoc/>
    public override void OnTrainBegin()
    {
        Best = InitialValueThreshold ?? _metric.Worst;
        _stepsSinceSave = 0;
    }

    /// <inheritdoc/>
    public override void OnEpochBegin(int epoch) => _epoch = epoch;

    /// <inheritdoc/>
    public override void OnBatchEnd(int batch, float loss, float accuracy)
    {
        if (SaveFrequency > 0 && ++_stepsSinceSave >= SaveFrequency)
        {
            _stepsSinceSave = 0;
            Check(new EpochLogs(_epoch, loss, accuracy, null, null, 0, 0), batch + 1);
        }
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, EpochLogs logs)
    {
        if (SaveFrequency == 0)
        {
            Check(logs, batch: null);
        }
    }

    /// <inheritdoc/>
    public override void SaveState(CallbackState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Set("best", Best);
        state.Set("stepsSinceSave", _stepsSinceSave);
        state.Set("epoch", _epoch);
    }

    /// <inheritdoc/>
    public override void RestoreState(CallbackState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Best = state.Get("best");
        _stepsSinceSave = (int)state.Get("stepsSinceSave");
        _epoch = (int)state.Get("epoch");
    }

    /// <summary>The path for an epoch's (or a step's) logs, its placeholders filled in.</summary>
    public string FormatPath(EpochLogs logs, int? batch = null)
    {
        ArgumentNullException.ThrowIfNull(logs);
        var path = new StringBuilder();
        foreach (Segment segment in _template)
        {
            if (segment.Field is null)
            {
                path.Append(segment.Text);
                continue;
            }

            double value = segment.Field switch
            {
                "epoch" => logs.Epoch + 1,
                "batch" => batch ?? throw new InvalidOperationException($"ModelCheckpoint's path '{FilePath}' names {{batch}}, which exists only when saving every N steps."),
                _ => logs.Get(segment.Field) ?? throw new InvalidOperationException($"ModelCheckpoint's path '{FilePath}' names {{{segment.Field}}}, which this epoch does not have."),
            };
            path.Append(Format(value, segment.Text, isInteger: segment.Field is "epoch" or "batch"));
        }

        return path.ToString();
    }

    private void Check(EpochLogs logs, int? batch)
    {
        Model model = Model ?? throw new InvalidOperationException("ModelCheckpoint runs only inside Model.Fit.");
        string path = FormatPath(logs, batch);
        string at = batch is int step ? $"Epoch {logs.Epoch + 1}, step {step}" : $"Epoch {logs.Epoch + 1}";
        if (!SaveBestOnly)
        {
            Save(model, path, $"{at}: saving model to {path}");
            return;
        }

        double current = _metric.Read(logs, nameof(ModelCheckpoint));
        if (_metric.IsImprovement(current, Best))
        {
            string message = string.Create(CultureInfo.InvariantCulture, $"{at}: {Monitor} improved from {Number(Best)} to {current:0.00000}, saving model to {path}");
            Best = current;
            Save(model, path, message);
        }
        else if (Verbose > 0)
        {
            model.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{at}: {Monitor} did not improve from {Number(Best)}"));
        }
    }

    private void Save(Model model, string path, string message)
    {
        if (Verbose > 0)
        {
            model.Output.WriteLine(message);
        }

        model.Save(path);
        LastSaved = path;
    }

    private static string Number(double value) => double.IsInfinity(value)
        ? (value > 0 ? "inf" : "-inf")
        : value.ToString("0.00000", CultureInfo.InvariantCulture);

    // Python format specs Keras paths use: [0][width]d for integers, .Nf / .Ne for floats; none for Python's str() (an
    // integer's digits, a float's shortest round-trip form with at least one decimal).
    private static string Format(double value, string spec, bool isInteger)
    {
        if (spec.Length == 0)
        {
            string plain = value.ToString(isInteger ? "0" : "R", CultureInfo.InvariantCulture);
            return isInteger || !double.IsFinite(value) || plain.Contains('.') || plain.Contains('E') ? plain : plain + ".0";
        }

        Match match = FormatSpec().Match(spec);
        int width = match.Groups["width"].Success ? int.Parse(match.Groups["width"].Value, CultureInfo.InvariantCulture) : 0;
        bool zeros = match.Groups["zero"].Success;
        string text = match.Groups["kind"].Value switch
        {
            "d" => ((long)value).ToString(CultureInfo.InvariantCulture),
            "f" => value.ToString("F" + (match.Groups["precision"].Success ? match.Groups["precision"].Value : "6"), CultureInfo.InvariantCulture),
            _ => value.ToString((match.Groups["precision"].Success ? "0." + new string('0', int.Parse(match.Groups["precision"].Value, CultureInfo.InvariantCulture)) : "0.000000") + "e+00", CultureInfo.InvariantCulture),
        };
        return zeros ? text.PadLeft(width, '0') : text.PadLeft(width);
    }

    private static List<Segment> Parse(string filepath)
    {
        var segments = new List<Segment>();
        int at = 0;
        while (at < filepath.Length)
        {
            int open = filepath.IndexOf('{', at);
            if (open < 0)
            {
                segments.Add(new Segment(null, filepath[at..]));
                break;
            }

            int close = filepath.IndexOf('}', open);
            if (close < 0)
            {
                throw new ArgumentException($"ModelCheckpoint's path '{filepath}' opens a placeholder at {open} that is never closed.", nameof(filepath));
            }

            segments.Add(new Segment(null, filepath[at..open]));
            string[] parts = filepath[(open + 1)..close].Split(':', 2);
            string field = parts[0];
            string spec = parts.Length > 1 ? parts[1] : "";
            if (!Fields.Contains(field))
            {
                throw new ArgumentException($"ModelCheckpoint's path '{filepath}' names {{{field}}}; the placeholders are {string.Join(", ", Fields.Select(f => "{" + f + "}"))}.", nameof(filepath));
            }

            if (spec.Length > 0 && !FormatSpec().IsMatch(spec))
            {
                throw new ArgumentException($"ModelCheckpoint's path '{filepath}' formats {{{field}}} as '{spec}'; use Python's d, .Nf or .Ne formats, e.g. {{epoch:02d}} or {{val_loss:.4f}}.", nameof(filepath));
            }

            segments.Add(new Segment(field, spec));
            at = close + 1;
        }

        return segments;
    }

    [GeneratedRegex(@"^(?<zero>0)?(?<width>[1-9][0-9]*)?(\.(?<precision>[0-9]+))?(?<kind>[dfe])$")]
    private static partial Regex FormatSpec();

    // Literal text (Field null) or a placeholder (Field, with its format spec in Text).
    private sealed record Segment(string? Field, string Text);
}
