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
    private const int HostileCount = 100;

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

        Assert.Contains(models, m => m.Name.StartsWith('@'));
        Assert.Contains(models, m => m.Members is not null);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromMinutes(3), $"{models.Length} models took {stopwatch.Elapsed}");
    }

    /// <summary>
    /// Models pushed past the limits (sizes near int.MaxValue, products that overflow int and long, strides far beyond
    /// the input, more weights than a model holds, clashing constructors, keywords as names): each is refused with
    /// ConvGen diagnostics placed in the user's file and nothing generated, or generated into code that compiles
    /// cleanly. Never a generator exception, never CG9999, never code that does not compile.
    /// </summary>
    [Fact]
    public void EveryHostileModelIsRefusedWithADiagnosticOrCompiles()
    {
        var generator = new RandomModels(Seed + 1);
        ModelSource[] models = [.. Enumerable.Range(0, HostileCount).Select(i => generator.NextHostile($"Hostile{i}"))];
        var outcomes = new ConcurrentDictionary<int, string>();
        var failures = new ConcurrentBag<(int Index, string Problem)>();

        Parallel.For(0, models.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            (string? outcome, string? problem) = CheckHostile(models[i]);
            if (problem is not null)
            {
                failures.Add((i, problem));
            }
            else
            {
                outcomes[i] = outcome!;
            }
        });

        if (!failures.IsEmpty)
        {
            Assert.Fail($"{failures.Count} of {models.Length} hostile models (seed {Seed + 1}) failed; the first ones:\n\n" + string.Join(
                "\n\n",
                failures.OrderBy(f => f.Index).Take(5).Select(f => $"{models[f.Index].Name}:\n{models[f.Index].ToSource()}\n=> {f.Problem}")));
        }

        // Both outcomes occur, and the refusals span every limit.
        Assert.Contains("compiles", outcomes.Values);
        foreach (string id in new[] { "CG0008", "CG0014", "CG0016", "CG0017", "CG0018" })
        {
            Assert.Contains(outcomes.Values, outcome => outcome.Contains(id, StringComparison.Ordinal));
        }

        Assert.Contains(models, m => m.Name.StartsWith('@'));
    }

    [Fact]
    public void RandomModelsAreReproducible()
    {
        Assert.Equal(new RandomModels(7).Next("A").Attributes, new RandomModels(7).Next("A").Attributes);
    }

    /// <summary>What became of a hostile model ("compiles", or the ids of the diagnostics that refused it), or what
    /// went wrong.</summary>
    private static (string? Outcome, string? Problem) CheckHostile(ModelSource model)
    {
        try
        {
            string source = model.ToSource("RandomModels");
            GeneratorRun run = GeneratorHarness.Run(source);
            if (run.Result.Exception is { } exception)
            {
                return (null, "generator exception: " + exception);
            }

            if (run.GeneratorDiagnostics.IsEmpty)
            {
                IReadOnlyList<Diagnostic> problems = run.OutputProblems();
                return problems.Count == 0 ? ("compiles", null) : (null, "compilation: " + GeneratorRun.Describe(problems.Take(3)));
            }

            foreach (Diagnostic diagnostic in run.GeneratorDiagnostics)
            {
                string line = diagnostic.Location.IsInSource || diagnostic.Location.Kind == LocationKind.ExternalFile
                    ? source.Split('\n')[diagnostic.Location.GetLineSpan().StartLinePosition.Line]
                    : "";
                bool placed = diagnostic.Location.GetLineSpan().Path == "Model.cs" && (line.TrimStart().StartsWith('[') || line.Contains("(", StringComparison.Ordinal));
                if (diagnostic.Id == "CG9999" || diagnostic.Severity != DiagnosticSeverity.Error || !placed)
                {
                    return (null, $"diagnostic {diagnostic} at '{line.Trim()}'");
                }
            }

            if (!run.Sources.IsEmpty)
            {
                return (null, $"refused, yet {run.Sources.Length} sources generated");
            }

            Diagnostic[] errors = [.. run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)];
            return errors.Length == 0
                ? (string.Join(",", run.GeneratorDiagnostics.Select(d => d.Id).Distinct()), null)
                : (null, "refused, and the user's code has errors: " + GeneratorRun.Describe(errors.Take(3)));
        }
        catch (Exception e)
        {
            return (null, "test harness exception: " + e);
        }
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
