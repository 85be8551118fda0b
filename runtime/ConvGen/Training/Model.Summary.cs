using System.Globalization;
using System.Text;

namespace ConvGen;

public abstract partial class Model
{
    /// <summary>
    /// Keras' <c>model.summary()</c> as text: one row per layer (name and type, output shape, parameter count), then the
    /// totals as today's Keras prints them: total, trainable and non-trainable, with their size in memory.
    /// </summary>
    public string Summary()
    {
        var rows = Description.Layers
            .Select(l => (Layer: $"{l.Name} ({l.Layer.KerasType})", Shape: l.OutputShape.ToBatchString(), Params: Count(l.ParameterCount)))
            .ToList();
        int layerWidth = Math.Max(29, rows.Max(r => r.Layer.Length) + 2);
        int shapeWidth = Math.Max(26, rows.Max(r => r.Shape.Length) + 2);
        int paramsWidth = Math.Max(10, rows.Max(r => r.Params.Length) + 1);
        int width = 1 + layerWidth + shapeWidth + paramsWidth;
        var text = new StringBuilder();
        text.Append("Model: \"").Append(Name).AppendLine("\"");
        text.AppendLine(new string('_', width));
        text.Append(' ').Append("Layer (type)".PadRight(layerWidth)).Append("Output Shape".PadRight(shapeWidth)).AppendLine("Param #".PadLeft(paramsWidth));
        text.AppendLine(new string('=', width));
        for (int i = 0; i < rows.Count; i++)
        {
            text.Append(' ').Append(rows[i].Layer.PadRight(layerWidth)).Append(rows[i].Shape.PadRight(shapeWidth)).AppendLine(rows[i].Params.PadLeft(paramsWidth));
            text.AppendLine(i == rows.Count - 1 ? new string('=', width) : new string('_', width));
        }

        text.Append("Total params: ").Append(Count(Description.ParameterCount)).Append(" (").Append(Bytes(Description.ParameterCount)).AppendLine(")");
        text.Append("Trainable params: ").Append(Count(Description.TrainableParameterCount)).Append(" (").Append(Bytes(Description.TrainableParameterCount)).AppendLine(")");
        text.Append("Non-trainable params: ").Append(Count(Description.NonTrainableParameterCount)).Append(" (").Append(Bytes(Description.NonTrainableParameterCount)).AppendLine(")");
        text.AppendLine(new string('_', width));
        return text.ToString();
    }

    private static string Count(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    // Keras 3's readable_memory_size: float32 weights, powers of 1024, two decimals.
    private static string Bytes(long parameters)
    {
        double size = parameters * 4.0;
        string[] units = ["B", "KB", "MB", "GB", "TB"];
        int unit = 0;
        while (size >= 1024 && unit < units.Length - 1)
        {
            size /= 1024;
            unit++;
        }

        return size.ToString("0.00", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}
