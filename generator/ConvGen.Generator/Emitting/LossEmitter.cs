namespace ConvGen.Generator.Emitting;

/// <summary>
/// The fused softmax and categorical cross-entropy over the model's classes, from the logits: per sample
/// loss = log Σ exp(z - max) + max - z[label] (stable for any logits), gradient (softmax(z) - onehot) / count with
/// softmax(z) = exp(z - max) / Σ (each exponential computed once), and the arg-max (first on ties) for the accuracy.
/// </summary>
internal static class LossEmitter
{
    public static void Emit(SourceWriter w, int classes)
    {
        string k = classes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        w.Line($"/// <summary>Softmax fused with categorical cross-entropy over {k} classes, computed from the maximum logit for stability.</summary>");
        w.Open("private static class Loss");

        w.Line("/// <summary>The batch's summed loss and correct count, in inference.</summary>");
        w.Open("public static BatchMetrics Forward(ref float logits, ref int labels, int count)");
        w.Line("double total = 0;");
        w.Line("int correct = 0;");
        w.Open("for (int n = 0; n < count; n++)");
        w.Line($"ref float z = ref Unsafe.Add(ref logits, n * {k});");
        w.Line("int label = Unsafe.Add(ref labels, n);");
        w.Line("(float max, int best) = Maximum(ref z);");
        w.Line("total += LogSumExp(ref z, max) - Unsafe.Add(ref z, label);");
        w.Line("correct += best == label ? 1 : 0;");
        w.Close();
        w.Line("return new BatchMetrics(total, correct);");
        w.Close();
        w.Line();

        w.Line("/// <summary>The chunk's summed loss and correct count, and the gradient w.r.t. its logits of the mean loss over the");
        w.Line("/// whole batch of <paramref name=\"batch\"/> samples.</summary>");
        w.Open("public static BatchMetrics ForwardBackward(ref float logits, ref int labels, int count, int batch, ref float gradient)");
        w.Line("double total = 0;");
        w.Line("int correct = 0;");
        w.Line("float inverseCount = 1f / batch;");
        w.Open("for (int n = 0; n < count; n++)");
        w.Line($"ref float z = ref Unsafe.Add(ref logits, n * {k});");
        w.Line($"ref float g = ref Unsafe.Add(ref gradient, n * {k});");
        w.Line("int label = Unsafe.Add(ref labels, n);");
        w.Line("(float max, int best) = Maximum(ref z);");
        w.Line("float sum = Exponentials(ref z, max, ref g);");
        w.Line("total += max + MathF.Log(sum) - Unsafe.Add(ref z, label);");
        w.Line("correct += best == label ? 1 : 0;");
        w.Comment("softmax(z) = exp(z - max) / sum, from the exponentials already in g.");
        w.Line("float scale = inverseCount / sum;");
        w.Open($"for (int c = 0; c < {k}; c++)");
        w.Line("Unsafe.Add(ref g, c) = (Unsafe.Add(ref g, c) * scale) - (c == label ? inverseCount : 0f);");
        w.Close();
        w.Close();
        w.Line("return new BatchMetrics(total, correct);");
        w.Close();
        w.Line();

        w.Line("/// <summary>Class probabilities: softmax of each row of logits.</summary>");
        w.Open("public static void Probabilities(ref float logits, int count, ref float probabilities)");
        w.Open("for (int n = 0; n < count; n++)");
        w.Line($"ref float z = ref Unsafe.Add(ref logits, n * {k});");
        w.Line($"ref float p = ref Unsafe.Add(ref probabilities, n * {k});");
        w.Line("float inverseSum = 1f / Exponentials(ref z, Maximum(ref z).Max, ref p);");
        w.Open($"for (int c = 0; c < {k}; c++)");
        w.Line("Unsafe.Add(ref p, c) *= inverseSum;");
        w.Close();
        w.Close();
        w.Close();
        w.Line();

        w.Open("private static (float Max, int Index) Maximum(ref float z)");
        w.Line("float max = z;");
        w.Line("int best = 0;");
        w.Open($"for (int c = 1; c < {k}; c++)");
        w.Open("if (Unsafe.Add(ref z, c) > max)");
        w.Line("max = Unsafe.Add(ref z, c);");
        w.Line("best = c;");
        w.Close();
        w.Close();
        w.Line("return (max, best);");
        w.Close();
        w.Line();

        w.Line("/// <summary>e[c] = exp(z[c] - max) for every class; returns their sum (each exponential is computed once).</summary>");
        w.Open("private static float Exponentials(ref float z, float max, ref float e)");
        w.Line("float sum = 0f;");
        w.Open($"for (int c = 0; c < {k}; c++)");
        w.Line("float value = MathF.Exp(Unsafe.Add(ref z, c) - max);");
        w.Line("Unsafe.Add(ref e, c) = value;");
        w.Line("sum += value;");
        w.Close();
        w.Line("return sum;");
        w.Close();
        w.Line();

        w.Open("private static float LogSumExp(ref float z, float max)");
        w.Line("float sum = 0f;");
        w.Open($"for (int c = 0; c < {k}; c++)");
        w.Line("sum += MathF.Exp(Unsafe.Add(ref z, c) - max);");
        w.Close();
        w.Line("return max + MathF.Log(sum);");
        w.Close();
        w.Close();
    }
}
