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
        _output.Write(line.ToString());
        _output.Flush();
    }

    public void EndEpoch(EpochLogs logs)
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

            line.Append(Counter(_steps)).Append(' ').Append(Bar(_steps)).Append(" - ").Append(Seconds(logs.Seconds))
                .Append(' ').Append(PerStep(logs.Seconds / Math.Max(1, _steps)));
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

        _output.WriteLine(line.ToString());
        _output.Flush();
    }

    /// <summary>Keras' line after <c>evaluate(verbose=2)</c>: <c>313/313 - 1s - loss: 0.0300 - accuracy: 0.9910</c>.</summary>
    public static string FormatEvaluation(int steps, double seconds, float loss, float accuracy)
    {
        var line = new StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"{steps}/{steps} - ").Append(Seconds(seconds));
        AppendMetric(line, "loss", loss);
        AppendMetric(line, "accuracy", accuracy);
        return line.ToString();
    }

    private static void AppendMetric(StringBuilder line, string name, float value) =>
        line.Append(" - ").Append(name).Append(": ").Append(value.ToString(Math.Abs(value) >= 1e3 ? "0.0000e+0" : "0.0000", CultureInfo.InvariantCulture));

    private static string Seconds(double seconds) => Math.Round(seconds).ToString("0", CultureInfo.InvariantCulture) + "s";

    private static string PerStep(double seconds) => seconds >= 1
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
