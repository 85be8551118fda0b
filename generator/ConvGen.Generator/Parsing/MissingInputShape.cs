using System;
using System.Threading;
using ConvGen.Generator.Model;
using Microsoft.CodeAnalysis;

namespace ConvGen.Generator.Parsing;

/// <summary>Finds classes with layer attributes but no [Sequential] (so no input shape) and reports them once, on the
/// first layer attribute.</summary>
internal static class MissingInputShape
{
    public static DiagnosticInfo? Check(GeneratorAttributeSyntaxContext context, string attributeName, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type)
        {
            return null;
        }

        AttributeData? first = null;
        foreach (AttributeData attribute in type.GetAttributes())
        {
            string? name = attribute.AttributeClass?.ToDisplayString();
            if (name == AttributeNames.Sequential)
            {
                return null;
            }

            if (first is null && name is not null && Array.IndexOf(AttributeNames.Layers, name) >= 0)
            {
                first = attribute;
            }
        }

        // Every layer attribute kind on the class runs this check; only the kind of the first attribute reports.
        if (first?.AttributeClass?.ToDisplayString() != attributeName)
        {
            return null;
        }

        return DiagnosticInfo.Create(DiagnosticDescriptors.MissingInputShape, first.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation(), type.Name);
    }
}
