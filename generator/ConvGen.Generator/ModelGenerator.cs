using System;
using System.Threading;
using ConvGen.Generator.Emitting;
using ConvGen.Generator.Model;
using ConvGen.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ConvGen.Generator;

/// <summary>
/// The ConvGen generator. For every class annotated with [Sequential], the parser builds a value-equatable
/// <see cref="ModelSpec"/> (or diagnostics) and the emitter, a pure function of it, writes the specialised engine.
/// Diagnostics travel through their own output so that a model whose attributes did not change is never emitted again,
/// whatever else changes in the file.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ModelGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<ParseResult> results = context.SyntaxProvider
            .ForAttributeWithMetadataName(AttributeNames.Sequential, static (node, _) => node is TypeDeclarationSyntax, ModelParser.Parse)
            .WithTrackingName(TrackingNames.ParseResults);

        IncrementalValuesProvider<ModelSpec> models = results
            .Select(static (result, _) => result.Model)
            .Where(static model => model is not null)
            .Select(static (model, _) => model!)
            .WithTrackingName(TrackingNames.Models);
        context.RegisterSourceOutput(models, EmitModel);

        IncrementalValuesProvider<ImmutableEquatableArray<DiagnosticInfo>> diagnostics = results
            .Select(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics, ReportDiagnostics);

        // Layer attributes on a class without [Sequential]: reported once, on the first of them.
        foreach (string layer in AttributeNames.Layers)
        {
            string name = layer;
            IncrementalValuesProvider<DiagnosticInfo> missing = context.SyntaxProvider
                .ForAttributeWithMetadataName(name, static (node, _) => node is TypeDeclarationSyntax, (context, token) => MissingInputShape.Check(context, name, token))
                .Where(static diagnostic => diagnostic is not null)
                .Select(static (diagnostic, _) => diagnostic!);
            context.RegisterSourceOutput(missing, static (output, diagnostic) => output.ReportDiagnostic(diagnostic.ToDiagnostic()));
        }
    }

    private static void EmitModel(SourceProductionContext context, ModelSpec model)
    {
        string source;
        try
        {
            source = ModelEmitter.Emit(model);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A generator must never throw: report the fault and emit nothing for this model.
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, Location.None, model.ClassName, e.GetType().Name + ": " + e.Message));
            return;
        }

        context.AddSource(model.HintName, source);
    }

    private static void ReportDiagnostics(SourceProductionContext context, ImmutableEquatableArray<DiagnosticInfo> diagnostics)
    {
        foreach (DiagnosticInfo diagnostic in diagnostics)
        {
            context.ReportDiagnostic(diagnostic.ToDiagnostic());
        }
    }
}

/// <summary>Names of the pipeline steps, for the incremental-caching tests.</summary>
public static class TrackingNames
{
    /// <summary>The parser's output per annotated class.</summary>
    public const string ParseResults = nameof(ParseResults);

    /// <summary>The models to emit.</summary>
    public const string Models = nameof(Models);

    /// <summary>The diagnostics to report.</summary>
    public const string Diagnostics = nameof(Diagnostics);
}
