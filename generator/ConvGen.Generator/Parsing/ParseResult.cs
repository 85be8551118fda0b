using ConvGen.Generator.Model;

namespace ConvGen.Generator.Parsing;

/// <summary>What the parser makes of one annotated class: a model to emit (null when anything is wrong) and the
/// diagnostics to report. Both are values, so the pipeline can cache them separately.</summary>
internal sealed record ParseResult(ModelSpec? Model, ImmutableEquatableArray<DiagnosticInfo> Diagnostics);
