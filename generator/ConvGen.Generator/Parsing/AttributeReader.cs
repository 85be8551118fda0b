using System;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace ConvGen.Generator.Parsing;

/// <summary>Reads one attribute application: constructor arguments by parameter name, named arguments with defaults,
/// and where it is written.</summary>
internal readonly struct AttributeReader
{
    private readonly AttributeData _attribute;

    public AttributeReader(AttributeData attribute, CancellationToken cancellationToken)
    {
        _attribute = attribute;
        Location = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation();
    }

    public Location? Location { get; }

    /// <summary>Whether the compiler reports an error inside the attribute (a value of the wrong type such as
    /// <c>Padding = 1</c> reaches the generator as a plausible constant); the generator then stays silent.</summary>
    public bool HasCompileErrors(Compilation compilation, CancellationToken cancellationToken)
    {
        SyntaxReference? reference = _attribute.ApplicationSyntaxReference;
        if (reference is null)
        {
            return false;
        }

        SemanticModel model = compilation.GetSemanticModel(reference.SyntaxTree);
        foreach (Diagnostic diagnostic in model.GetDiagnostics(reference.Span, cancellationToken))
        {
            if (diagnostic.Severity == DiagnosticSeverity.Error)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The attribute's metadata name: ConvGen.Conv2DAttribute, ...</summary>
    public string? MetadataName => _attribute.AttributeClass?.ToDisplayString();

    /// <summary>Whether the compiler could bind the attribute fully; when not, the compiler reports the error and the
    /// generator stays silent about it.</summary>
    public bool IsWellFormed
    {
        get
        {
            if (_attribute.AttributeClass is null || _attribute.AttributeClass.TypeKind == TypeKind.Error || _attribute.AttributeConstructor is null)
            {
                return false;
            }

            foreach (TypedConstant argument in _attribute.ConstructorArguments)
            {
                if (argument.Kind == TypedConstantKind.Error)
                {
                    return false;
                }
            }

            foreach (var named in _attribute.NamedArguments)
            {
                if (named.Value.Kind == TypedConstantKind.Error)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>Whether the constructor used has a parameter of this name.</summary>
    public bool HasParameter(string name) => IndexOf(name) >= 0;

    public int Int(string parameter, int fallback = 0) => Constructor(parameter) is { } value ? Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) : fallback;

    public double Double(string parameter, double fallback = 0) => Constructor(parameter) is { } value ? Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture) : fallback;

    public int NamedInt(string name, int fallback) => Named(name) is { } value ? Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) : fallback;

    public double NamedDouble(string name, double fallback) => Named(name) is { } value ? Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture) : fallback;

    public bool NamedBool(string name, bool fallback) => Named(name) is bool value ? value : fallback;

    public string? NamedString(string name) => Named(name) as string;

    private object? Constructor(string parameter)
    {
        int index = IndexOf(parameter);
        ImmutableArray<TypedConstant> arguments = _attribute.ConstructorArguments;
        return index >= 0 && index < arguments.Length ? arguments[index].Value : null;
    }

    private object? Named(string name)
    {
        foreach (var named in _attribute.NamedArguments)
        {
            if (named.Key == name)
            {
                return named.Value.Value;
            }
        }

        return null;
    }

    private int IndexOf(string parameter)
    {
        IMethodSymbol? constructor = _attribute.AttributeConstructor;
        if (constructor is null)
        {
            return -1;
        }

        for (int i = 0; i < constructor.Parameters.Length; i++)
        {
            if (constructor.Parameters[i].Name == parameter)
            {
                return i;
            }
        }

        return -1;
    }
}
