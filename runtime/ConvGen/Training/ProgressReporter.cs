using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ConvGen;

/// <summary>Prints <see cref="Model.Fit"/>'s progress the way Keras does at verbose 1 and 2.</summary>
internal sealed class ProgressReporter
{
    private const int BarWidth = 30;
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(50);
    private readonly TextWriter _output;
    private readonly int _verbose;
    private readonly int _epochs;
    private readonly bool _live;
    private int _steps;
    private long _started;
    private long _lastRefresh;
    private int _liveWidth;

    public ProgressReporter(TextWriter output, int verbose, int epochs)
    {
        _output = output;
        _verbose = verbose;
        _epochs = epochs;
        _live = verbose == 1 && ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
    }

    public void BeginEpoch(int epoch, int steps)
    {
        _steps = steps;
        _started = Stopwatch.GetTimestamp();
        _lastRefresh = 0;
        _liveWidth = 0;
        if (_verbose == 1)
        {
            _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Epoch {epoch + 1}/{_epochs}"));
        }
    }

    public void Step(int step, float loss, float accuracy)
    {
        if (!_live || step == _steps)
        {
            return;
        }

        long now = Stopwatch.GetTimestamp();
        if (_lastRefresh != 0 && Stopwatch.GetElapsedTime(_lastRefresh, now) < RefreshInterval)
        {
            return;
        }

        _lastRefresh = now;
        double elapsed = Stopwatch.GetElapsedTime(_started, now).TotalSeconds;
        double eta = elapsed / step * (_steps - step);
        var line = new StringBuilder();
        line.Append('\r').Append(Counter(step)).Append(' ').Append(Bar(step)).Append(" - ETA: ").Append(Duration(eta));
        AppendMetric(line, "loss", loss);
        AppendMetric(line, "accuracy", accuracy);
        PadOverPreviousLine(line);
        _output.Write(line.ToString());
        _output.Flush();
    }

    /// <summary>The epoch's line, its bar at <paramref name="stepsDone"/> (fewer than the epoch's steps when a callback
    /// stopped training after a batch).</summary>
    public void EndEpoch(EpochLogs logs, int stepsDone)
    {
        if (_verbose == 0)
        {
            return;
        }

        var line = new StringBuilder();
        if (_verbose == 1)
        {
            if (_live)
            {
                line.Append('\r');
            }

            line.Append(Counter(stepsDone)).Append(' ').Append(Bar(stepsDone)).Append(" - ").Append(Seconds(logs.Seconds))
                .Append(' ').Append(PerStep(logs.Seconds / Math.Max(1, stepsDone)));
        }
        else
        {
            line.Append(CultureInfo.InvariantCulture, $"Epoch {logs.Epoch + 1}/{_epochs} - ").Append(Seconds(logs.Seconds));
        }

        AppendMetric(line, "loss", logs.Loss);
        AppendMetric(line, "accuracy", logs.Accuracy);
        if (logs.ValLoss is float valLoss && logs.ValAccuracy is float valAccuracy)
        {
            AppendMetric(line, "val_loss", valLoss);
            AppendMetric(line, "val_accuracy", valAccuracy);
        }

        if (_live)
        {
            PadOverPreviousLine(line);
        }

        _output.WriteLine(line.ToString());
        _output.Flush();
    }

    /// <summary>
    /// Keras' line after <c>evaluate</c>: at verbose 1 the finished progress bar,
    /// <c>313/313 [==============================] - 1s 2ms/step - loss: 0.0300 - accuracy: 0.9910</c>; at verbose 2
    /// <c>313/313 - 1s - loss: 0.0300 - accuracy: 0.9910</c>.
    /// </summary>
    public static string FormatEvaluation(int verbose, int steps, double seconds, float loss, float accuracy)
    {
        var line = new StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"{steps}/{steps}");
        if (verbose == 1)
        {
            line.Append(" [").Append('=', BarWidth).Append("] - ").Append(Seconds(seconds)).Append(' ').Append(PerStep(seconds / Math.Max(1, steps)));
        }
        else
        {
            line.Append(" - ").Append(Seconds(seconds));
        }

        AppendMetric(line, "loss", loss);
        AppendMetric(line, "accuracy", accuracy);
        return line.ToString();
    }

    /// <summary>A metric as Keras' progress bar prints it: <c>%.4f</c> when its magnitude exceeds 1e-3, else
    /// <c>%.4e</c> (so a loss of 0.0005 reads <c>5.0000e-04</c>, not <c>0.0005</c>); <c>nan</c> and <c>inf</c> as
    /// Python prints them.</summary>
    internal static string FormatMetric(float value)
    {
        double number = value;
        if (double.IsNaN(number))
        {
            return "nan";
        }

        if (double.IsInfinity(number))
        {
            return number > 0 ? "inf" : "-inf";
        }

        return Math.Abs(number) > 1e-3
            ? number.ToString("0.0000", CultureInfo.InvariantCulture)
            : number.ToString("0.0000e+00", CultureInfo.InvariantCulture);
    }

    private static void AppendMetric(StringBuilder line, string name, float value) =>
        line.Append(" - ").Append(name).Append(": ").Append(FormatMetric(value));

    private static string Seconds(double seconds) => Math.Round(seconds).ToString("0", CultureInfo.InvariantCulture) + "s";

    // Keras' Progbar._format_time: whole seconds from 1 s (and for 0), else milliseconds from 1 ms, else microseconds.
    private static string PerStep(double seconds) => seconds >= 1 || seconds == 0
        ? seconds.ToString("0", CultureInfo.InvariantCulture) + "s/step"
        : seconds >= 1e-3
            ? (seconds * 1e3).ToString("0", CultureInfo.InvariantCulture) + "ms/step"
            : (seconds * 1e6).ToString("0", CultureInfo.InvariantCulture) + "us/step";

    private static string Duration(double seconds)
    {
        var span = TimeSpan.FromSeconds(Math.Round(seconds));
        return span.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours}:{span.Minutes:00}:{span.Seconds:00}")
            : span.TotalMinutes >= 1
                ? string.Create(CultureInfo.InvariantCulture, $"{span.Minutes}:{span.Seconds:00}")
                : string.Create(CultureInfo.InvariantCulture, $"{span.Seconds}s");
    }

    // A live line is rewritten in place after '\r': pad it with spaces over whatever a longer previous one left.
    private void PadOverPreviousLine(StringBuilder line)
    {
        int width = line.Length - 1;
        if (width < _liveWidth)
        {
            line.Append(' ', _liveWidth - width);
        }

        _liveWidth = width;
    }

    private string Counter(int step)
    {
        int digits = _steps.ToString(CultureInfo.InvariantCulture).Length;
        return step.ToString(CultureInfo.InvariantCulture).PadLeft(digits) + "/" + _steps.ToString(CultureInfo.InvariantCulture);
    }

    private string Bar(int step)
    {
        int done = (int)((long)BarWidth * step / Math.Max(1, _steps));
        var bar = new StringBuilder(BarWidth + 2).Append('[');
        if (done >= BarWidth)
        {
            bar.Append('=', BarWidth);
        }
        else
        {
            bar.Append('=', Math.Max(0, done)).Append('>').Append('.', BarWidth - Math.Max(0, done) - 1);
        }

        return bar.Append(']').ToString();
    }
}
