using System.Collections.Immutable;
using ConvGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ConvGen.Generator.Tests.Infrastructure;

/// <summary>
/// Builds in-memory compilations against the running framework plus ConvGen.dll, runs <see cref="ModelGenerator"/> over
/// them with <see cref="CSharpGeneratorDriver"/>, and compiles the result. The compiler settings are the strictest a
/// user could pick: warning level 9999 (every warning wave), nullable enabled, documentation comments diagnosed (so a
/// public member without XML docs shows as CS1591).
/// </summary>
internal static class GeneratorHarness
{
    /// <summary>The framework assemblies this test runs on (the trusted platform assemblies of the shared framework) and
    /// ConvGen.dll; created once, shared by every compilation so Roslyn reuses their symbols.</summary>
    public static ImmutableArray<MetadataReference> References { get; } = CreateReferences();

    public static CSharpParseOptions ParseOptions { get; } =
        new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    public static CSharpCompilationOptions CompilationOptions { get; } =
        new(
            OutputKind.DynamicallyLinkedLibrary,
            nullableContextOptions: NullableContextOptions.Enable,
            warningLevel: 9999,
            optimizationLevel: OptimizationLevel.Release,
            deterministic: true,
            concurrentBuild: false);

    /// <summary>What an SDK project with ImplicitUsings would add.</summary>
    public const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.Linq;
        """;

    private static readonly CSharpCompilation s_empty = CSharpCompilation.Create("UserAssembly", [], References, CompilationOptions);

    public static SyntaxTree Parse(string source, string path = "Model.cs") =>
        CSharpSyntaxTree.ParseText(source, ParseOptions, path);

    public static CSharpCompilation CreateCompilation(params string[] sources) =>
        CreateCompilation(sources.Select((source, i) => Parse(source, i == 0 ? "Model.cs" : $"Source{i}.cs")));

    /// <summary>A compilation of <paramref name="trees"/>, derived from one empty compilation so that every test
    /// compilation shares its bound references (Roslyn reuses the reference manager when only trees are added).</summary>
    public static CSharpCompilation CreateCompilation(IEnumerable<SyntaxTree> trees) => s_empty.AddSyntaxTrees(trees);

    public static GeneratorDriver CreateDriver(bool trackSteps = false) =>
        CSharpGeneratorDriver.Create(
            [new ModelGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator over <paramref name="sources"/> (the first one is Model.cs).</summary>
    /// <summary>The model the generator's parser makes of one class carrying <paramref name="attributes"/>; asserts that
    /// the class draws no diagnostic.</summary>
    public static ModelSpec ParseModel(string attributes)
    {
        string source = $$"""
            using ConvGen;

            namespace App;

            /// <summary>The model.</summary>
            {{attributes}}
            public partial class Net;
            """;
        GeneratorDriver driver = CreateDriver(trackSteps: true).RunGenerators(CreateCompilation(source));
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        Assert.Empty(result.Diagnostics);
        return (ModelSpec)Assert.Single(result.TrackedSteps[TrackingNames.Models].SelectMany(step => step.Outputs)).Value;
    }

    public static GeneratorRun Run(params string[] sources) => Run(CreateCompilation(sources));

    public static GeneratorRun Run(CSharpCompilation compilation)
    {
        GeneratorDriver driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return new GeneratorRun(compilation, output, diagnostics, driver.GetRunResult().Results.Single());
    }

    private static ImmutableArray<MetadataReference> CreateReferences()
    {
        // Only the shared framework's assemblies: the test's own dependencies (xunit, Roslyn, this assembly) are
        // trusted platform assemblies too, but a user project does not reference them.
        string framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        string trusted = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        var paths = trusted
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(path => string.Equals(Path.GetDirectoryName(path), framework, StringComparison.Ordinal))
            .ToList();
        Assert.Contains(paths, path => Path.GetFileName(path) == "System.Runtime.dll");
        paths.Add(typeof(ConvGen.Model).Assembly.Location);
        return [.. paths.Distinct(StringComparer.Ordinal).Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))];
    }
}

/// <summary>One run of the generator: the input compilation, the compilation with the generated sources added, the
/// generator's diagnostics and its run result.</summary>
internal sealed record GeneratorRun(CSharpCompilation Input, Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics, GeneratorRunResult Result)
{
    public ImmutableArray<GeneratedSourceResult> Sources => Result.GeneratedSources;

    /// <summary>The only generated source's text, line endings as emitted.</summary>
    public string SingleSource
    {
        get
        {
            Assert.Null(Result.Exception);
            Assert.Empty(GeneratorDiagnostics);
            GeneratedSourceResult source = Assert.Single(Sources);
            return source.SourceText.ToString();
        }
    }

    /// <summary>Errors and warnings of the whole compilation (user code and generated code).</summary>
    public IReadOnlyList<Diagnostic> OutputProblems() =>
        [.. Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning)];

    /// <summary>Fails with every error and warning of the output compilation, each with its line of code.</summary>
    public void AssertCompilesCleanly()
    {
        Assert.Null(Result.Exception);
        Assert.Empty(GeneratorDiagnostics);
        Assert.NotEmpty(Sources);
        IReadOnlyList<Diagnostic> problems = OutputProblems();
        if (problems.Count > 0)
        {
            Assert.Fail($"The output compilation has {problems.Count} errors or warnings:\n" + Describe(problems));
        }
    }

    public static string Describe(IEnumerable<Diagnostic> diagnostics) => string.Join(
        "\n",
        diagnostics.Take(20).Select(d =>
        {
            string line = d.Location.IsInSource
                ? d.Location.SourceTree!.GetText().Lines[d.Location.GetLineSpan().StartLinePosition.Line].ToString().Trim()
                : "";
            return $"{d} | {line}";
        }));
}
