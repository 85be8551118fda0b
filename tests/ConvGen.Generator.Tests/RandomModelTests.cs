using System.Collections.Concurrent;
using System.Diagnostics;
using ConvGen.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace ConvGen.Generator.Tests;

/// <summary>
/// The generator's guarantee: any valid model gives no diagnostic and code that compiles with no error and no
/// warning. Checked on random models of every layer kind and option (seeded, so a failure reproduces).
/// </summary>
public class RandomModelTests
{
    private const int Seed = 20240611;
    private const int Count = 200;

    [Fact]
    public void EveryRandomValidModelCompilesWithoutWarnings()
    {
        var generator = new RandomModels(Seed);
        ModelSource[] models = [.. Enumerable.Range(0, Count).Select(i => generator.Next($"Random{i}"))];
        var failures = new ConcurrentBag<(int Index, string Problem)>();
        var stopwatch = Stopwatch.StartNew();

        Parallel.For(0, models.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            string? problem = Check(models[i]);
            if (problem is not null)
            {
                failures.Add((i, problem));
            }
        });

        if (!failures.IsEmpty)
        {
            Assert.Fail($"{failures.Count} of {models.Length} random models (seed {Seed}) failed; the first ones:\n\n" + string.Join(
                "\n\n",
                failures.OrderBy(f => f.Index).Take(5).Select(f => $"{models[f.Index].Name}:\n{models[f.Index].Attributes}\n=> {f.Problem}")));
        }

        // The attribute blocks really span what the test claims to cover.
        string all = string.Join("\n", models.Select(m => m.Attributes));
        foreach (string feature in new[]
        {
            "[Sequential(", "[Conv2D(", "Padding = Padding.Same", "Strides = 3", "UseBias = false", "[MaxPooling2D(", "[AveragePooling2D(",
            "[Dropout(0)]", "[Dropout(", "[BatchNormalization", "[Activation(Activation.Tanh)]", "[Rescaling(", "[Normalization(", "[Flatten]",
            "Activation = Activation.Softmax", "[Activation(Activation.Softmax)]", "KernelInitializer = Initializer.Uniform",
        })
        {
            Assert.Contains(feature, all);
        }

        Assert.True(stopwatch.Elapsed < TimeSpan.FromMinutes(3), $"{models.Length} models took {stopwatch.Elapsed}");
    }

    [Fact]
    public void RandomModelsAreReproducible()
    {
        Assert.Equal(new RandomModels(7).Next("A").Attributes, new RandomModels(7).Next("A").Attributes);
    }

    /// <summary>Null when the model generates and compiles cleanly, else what went wrong.</summary>
    private static string? Check(ModelSource model)
    {
        try
        {
            GeneratorRun run = GeneratorHarness.Run(model.ToSource("RandomModels"));
            if (run.Result.Exception is { } exception)
            {
                return "generator exception: " + exception;
            }

            if (!run.GeneratorDiagnostics.IsEmpty)
            {
                return "generator diagnostics: " + string.Join("; ", run.GeneratorDiagnostics);
            }

            if (run.Sources.Length != 1)
            {
                return $"{run.Sources.Length} sources generated";
            }

            IReadOnlyList<Diagnostic> problems = run.OutputProblems();
            return problems.Count == 0 ? null : "compilation: " + GeneratorRun.Describe(problems.Take(3));
        }
        catch (Exception e)
        {
            return "test harness exception: " + e;
        }
    }
}
