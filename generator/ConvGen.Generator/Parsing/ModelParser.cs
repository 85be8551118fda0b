using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using ConvGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace ConvGen.Generator.Parsing;

/// <summary>
/// Turns a class annotated with [Sequential] and layer attributes into a <see cref="ModelSpec"/> with every shape
/// inferred, or into diagnostics placed on the attribute that causes each problem. The only place that sees symbols.
/// </summary>
internal sealed partial class ModelParser
{
    private static readonly SymbolDisplayFormat NamespaceFormat = new(typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces);

    private readonly List<DiagnosticInfo> _diagnostics = [];
    private readonly CancellationToken _cancellationToken;
    private readonly string _className;
    private bool _hasErrors;

    private ModelParser(string className, CancellationToken cancellationToken)
    {
        _className = className;
        _cancellationToken = cancellationToken;
    }

    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not TypeDeclarationSyntax declaration)
        {
            return new ParseResult(null, ImmutableEquatableArray<DiagnosticInfo>.Empty);
        }

        var parser = new ModelParser(type.Name, cancellationToken);
        ModelSpec? model;
        try
        {
            model = parser.ParseModel(type, declaration, context.Attributes[0], context.SemanticModel.Compilation);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A generator must never throw: report the fault on the class and emit nothing.
            parser._diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, declaration.Identifier.GetLocation(), type.Name, e.GetType().Name + ": " + e.Message));
            parser._hasErrors = true;
            model = null;
        }

        return new ParseResult(parser._hasErrors ? null : model, parser._diagnostics.ToImmutableEquatableArray());
    }

    private ModelSpec? ParseModel(INamedTypeSymbol type, TypeDeclarationSyntax declaration, AttributeData sequential, Compilation compilation)
    {
        if (!CheckClass(type, declaration) || !CheckConstructors(type))
        {
            return null;
        }

        // An attribute the compiler cannot bind is the compiler's to report: emit nothing and say nothing.
        var sequentialReader = new AttributeReader(sequential, _cancellationToken);
        if (!sequentialReader.IsWellFormed || sequentialReader.HasCompileErrors(compilation, _cancellationToken))
        {
            return null;
        }

        List<AttributeData> layerAttributes = LayerAttributesOf(type);
        foreach (AttributeData attribute in layerAttributes)
        {
            var reader = new AttributeReader(attribute, _cancellationToken);
            if (!reader.IsWellFormed || reader.HasCompileErrors(compilation, _cancellationToken))
            {
                return null;
            }
        }

        if (!CheckSingleDeclaration(type, sequential, layerAttributes))
        {
            return null;
        }

        ShapeSpec? input = ParseInput(sequentialReader);
        if (layerAttributes.Count == 0)
        {
            Report(DiagnosticDescriptors.NoLayers, sequentialReader.Location, _className);
            return null;
        }

        if (input is not ShapeSpec shape)
        {
            return null;
        }

        var layers = new List<LayerSpec>(layerAttributes.Count);
        long weights = 0;
        long activations = 0;
        var ordinals = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int index = 0; index < layerAttributes.Count; index++)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            var reader = new AttributeReader(layerAttributes[index], _cancellationToken);
            string kerasType = KerasTypeOf(reader.MetadataName);
            int ordinal = ordinals.TryGetValue(kerasType, out int seen) ? seen : 0;
            ordinals[kerasType] = ordinal + 1;
            string name = reader.NamedString("Name") ?? KerasConventions.AutomaticName(kerasType, ordinal);
            CheckName(reader, $"layer {index} ({kerasType})", name, allowEmpty: true);
            if (!names.Add(name))
            {
                Report(DiagnosticDescriptors.DuplicateLayerName, reader.Location, name, _className);
            }

            var layer = new LayerInput(index, name, shape, reader);
            LayerSpec? spec = ParseLayer(layer);
            if (spec is null)
            {
                // The layer's output shape is unknown, so nothing after it can be checked.
                return null;
            }

            if (spec.Output.Size > MaxValuesPerSample)
            {
                Report(DiagnosticDescriptors.ModelTooLarge, reader.Location, name, $"the output {spec.Output}", spec.Output.Size, MaxValuesPerSample);
                return null;
            }

            // Each layer's sizes are bounded above, so these sums fit in long; the generated engine sums them in int.
            weights += AlignedWeights(spec);
            if (weights > MaxWeights)
            {
                Report(DiagnosticDescriptors.TooManyWeights, reader.Location, name, $"the weights of '{_className}' up to this layer", weights, MaxWeights);
                return null;
            }

            activations += Activations(spec);
            if (activations > MaxActivationsPerSample)
            {
                Report(DiagnosticDescriptors.ModelTooLarge, reader.Location, name, $"the sum of the outputs of every layer of '{_className}' up to this one", activations, MaxActivationsPerSample);
                return null;
            }

            bool last = index == layerAttributes.Count - 1;
            if (spec.OutputActivation == ActivationKind.Softmax && !last)
            {
                Report(DiagnosticDescriptors.SoftmaxNotLast, reader.Location, name);
            }

            if (last && (spec.OutputActivation != ActivationKind.Softmax || !spec.Output.IsFlat))
            {
                Report(DiagnosticDescriptors.LastLayerNotSoftmax, reader.Location, name, _className);
            }

            layers.Add(spec);
            shape = spec.Output;
        }

        string modelName = sequentialReader.NamedString("Name") ?? type.Name;
        if (!CheckName(sequentialReader, _className, modelName, allowEmpty: false))
        {
            return null;
        }

        // Unescaped (@class is "class"): the emitter escapes what it writes as code; the file's hint name takes no '@'.
        string? ns = type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(NamespaceFormat);
        return new ModelSpec(ns, type.Name, ContainingTypesOf(type), modelName, input.Value, layers.ToImmutableEquatableArray());
    }

    /// <summary>The class must be a partial, non-generic, non-static class without a base class, nested (if at all)
    /// in partial types.</summary>
    private bool CheckClass(INamedTypeSymbol type, TypeDeclarationSyntax declaration)
    {
        Location location = declaration.Identifier.GetLocation();
        if (declaration is RecordDeclarationSyntax)
        {
            Report(DiagnosticDescriptors.UnsupportedClass, location, type.Name, "a record cannot derive from ConvGen.Model; use a partial class");
            return false;
        }

        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            Report(DiagnosticDescriptors.ClassNotPartial, location, type.Name);
            return false;
        }

        if (type.IsStatic)
        {
            Report(DiagnosticDescriptors.UnsupportedClass, location, type.Name, "a static class cannot be instantiated; remove 'static'");
            return false;
        }

        // Arity, not IsGenericType: a class nested in a generic type is "generic" too, and gets the message below.
        if (type.Arity > 0)
        {
            Report(DiagnosticDescriptors.UnsupportedClass, location, type.Name, "generic classes are not supported; remove the type parameters");
            return false;
        }

        if (type.BaseType is { SpecialType: not SpecialType.System_Object } baseType)
        {
            Report(DiagnosticDescriptors.UnsupportedClass, location, type.Name, $"it derives from '{baseType.ToDisplayString()}', but a model derives from ConvGen.Model; remove the base class");
            return false;
        }

        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            if (outer.IsGenericType)
            {
                Report(DiagnosticDescriptors.UnsupportedClass, location, type.Name, $"it is nested in the generic type '{outer.ToDisplayString()}'");
                return false;
            }

            bool partial = outer.DeclaringSyntaxReferences
                .Select(r => r.GetSyntax(_cancellationToken))
                .OfType<TypeDeclarationSyntax>()
                .Any(d => d.Modifiers.Any(SyntaxKind.PartialKeyword));
            if (!partial)
            {
                Report(DiagnosticDescriptors.ContainingTypeNotPartial, location, type.Name, outer.Name);
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The generated constructor is <c>ClassName(int seed = 0) : base(engine, seed)</c>. A constructor the user declares
    /// must not have its signature (CS0111 inside the generated file), a primary constructor forces every other
    /// constructor, the generated one included, to call it (CS8862), and a constructor without an initializer calls
    /// <c>base()</c>, which <c>ConvGen.Model</c> does not have: each is reported on the user's constructor.
    /// </summary>
    private bool CheckConstructors(INamedTypeSymbol type)
    {
        bool valid = true;
        foreach (IMethodSymbol constructor in type.InstanceConstructors)
        {
            if (constructor.IsImplicitlyDeclared)
            {
                continue;
            }

            foreach (SyntaxReference reference in constructor.DeclaringSyntaxReferences)
            {
                SyntaxNode syntax = reference.GetSyntax(_cancellationToken);
                string? problem;
                Location location;
                if (syntax is TypeDeclarationSyntax primary)
                {
                    problem = "has a primary constructor, which every other constructor must call; declare the parameters as members instead";
                    location = primary.ParameterList?.GetLocation() ?? primary.Identifier.GetLocation();
                }
                else if (syntax is ConstructorDeclarationSyntax declared)
                {
                    location = Location.Create(declared.SyntaxTree, TextSpan.FromBounds(declared.Identifier.SpanStart, declared.ParameterList.Span.End));
                    bool seedSignature = constructor.Parameters.Length == 1
                        && constructor.Parameters[0].Type.SpecialType == SpecialType.System_Int32
                        && constructor.Parameters[0].RefKind == RefKind.None;
                    problem = seedSignature
                        ? $"declares the constructor {type.Name}(int), which ConvGen generates; remove it (or give it other parameters and call this(seed))"
                        : declared.Initializer is null
                            ? $"declares a constructor that calls no other; begin it with ': this(seed)' so the generated engine is created"
                            : null;
                }
                else
                {
                    continue;
                }

                if (problem is not null)
                {
                    Report(DiagnosticDescriptors.ConstructorConflict, location, type.Name, problem);
                    valid = false;
                }
            }
        }

        return valid;
    }

    /// <summary>[Sequential] and every layer attribute must sit on one declaration, or their order is ambiguous.</summary>
    private bool CheckSingleDeclaration(INamedTypeSymbol type, AttributeData sequential, List<AttributeData> layers)
    {
        SyntaxNode? home = DeclarationOf(sequential);
        foreach (AttributeData layer in layers)
        {
            SyntaxNode? declaration = DeclarationOf(layer);
            if (declaration is not null && home is not null && declaration != home)
            {
                Report(DiagnosticDescriptors.LayersSplitAcrossDeclarations, new AttributeReader(layer, _cancellationToken).Location, type.Name);
                return false;
            }
        }

        return true;
    }

    private SyntaxNode? DeclarationOf(AttributeData attribute) =>
        attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken).FirstAncestorOrSelf<TypeDeclarationSyntax>();

    private ShapeSpec? ParseInput(AttributeReader sequential)
    {
        if (sequential.HasParameter("features"))
        {
            int features = sequential.Int("features");
            if (!RequirePositive(sequential, _className, "the number of input features", features))
            {
                return null;
            }

            if (features > MaxValuesPerSample)
            {
                Report(DiagnosticDescriptors.ModelTooLarge, sequential.Location, _className, $"the input {ShapeSpec.Flat(features)}", features, MaxValuesPerSample);
                return null;
            }

            return ShapeSpec.Flat(features);
        }

        int height = sequential.Int("height");
        int width = sequential.Int("width");
        int channels = sequential.Int("channels");
        bool valid = RequirePositive(sequential, _className, "the input height", height)
            & RequirePositive(sequential, _className, "the input width", width)
            & RequirePositive(sequential, _className, "the number of input channels", channels);
        if (valid && Product(height, width, channels) > MaxValuesPerSample)
        {
            Report(DiagnosticDescriptors.ModelTooLarge, sequential.Location, _className, $"the input {ShapeSpec.Image(height, width, channels)}", Product(height, width, channels), MaxValuesPerSample);
            return null;
        }

        return valid ? ShapeSpec.Image(height, width, channels) : null;
    }

    /// <summary>The layer attributes of the class, in source order.</summary>
    private static List<AttributeData> LayerAttributesOf(INamedTypeSymbol type)
    {
        var layers = new List<AttributeData>();
        foreach (AttributeData attribute in type.GetAttributes())
        {
            string? name = attribute.AttributeClass?.ToDisplayString();
            if (name is not null && Array.IndexOf(AttributeNames.Layers, name) >= 0)
            {
                layers.Add(attribute);
            }
        }

        // GetAttributes lists one declaration's attributes in source order; order by position to be explicit.
        return layers
            .Select((attribute, order) => (attribute, order, reference: attribute.ApplicationSyntaxReference))
            .OrderBy(x => x.reference?.SyntaxTree.FilePath ?? "", StringComparer.Ordinal)
            .ThenBy(x => x.reference?.Span.Start ?? x.order)
            .Select(x => x.attribute)
            .ToList();
    }

    private static ImmutableEquatableArray<ContainingTypeSpec> ContainingTypesOf(INamedTypeSymbol type)
    {
        var types = new List<ContainingTypeSpec>();
        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            string keyword = outer.IsRecord
                ? (outer.TypeKind == TypeKind.Struct ? "record struct" : "record")
                : outer.TypeKind switch
                {
                    TypeKind.Struct => "struct",
                    TypeKind.Interface => "interface",
                    _ => "class",
                };
            types.Insert(0, new ContainingTypeSpec(keyword, outer.Name));
        }

        return types.ToImmutableEquatableArray();
    }

    private static string KerasTypeOf(string? metadataName) => metadataName switch
    {
        AttributeNames.Conv2D => "Conv2D",
        AttributeNames.MaxPooling2D => "MaxPooling2D",
        AttributeNames.AveragePooling2D => "AveragePooling2D",
        AttributeNames.Flatten => "Flatten",
        AttributeNames.Dense => "Dense",
        AttributeNames.Activation => "Activation",
        AttributeNames.Dropout => "Dropout",
        AttributeNames.BatchNormalization => "BatchNormalization",
        AttributeNames.Rescaling => "Rescaling",
        AttributeNames.Normalization => "Normalization",
        _ => "Layer",
    };

    /// <summary>Names end up in string literals and comments of the generated code, and the runtime refuses a blank
    /// model name: no line breaks or other control characters, and a model name with some text.</summary>
    private bool CheckName(AttributeReader reader, string owner, string name, bool allowEmpty)
    {
        foreach (char c in name)
        {
            if (char.IsControl(c) || c == '\u2028' || c == '\u2029')
            {
                Report(DiagnosticDescriptors.InvalidArgument, reader.Location, owner, "Name must not contain line breaks or other control characters");
                return false;
            }
        }

        if (!allowEmpty && name.Trim().Length == 0)
        {
            Report(DiagnosticDescriptors.InvalidArgument, reader.Location, owner, "Name must not be empty or white space; remove it to use the class name");
            return false;
        }

        return true;
    }

    private bool RequirePositive(AttributeReader reader, string owner, string what, int value)
    {
        if (value > 0)
        {
            return true;
        }

        Report(DiagnosticDescriptors.NonPositiveSize, reader.Location, owner, what, value);
        return false;
    }

    private void Report(DiagnosticDescriptor descriptor, Location? location, params object[] arguments)
    {
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));
        _hasErrors = true;
    }

    /// <summary>What every layer builder gets: its position and name, its input shape, and its attribute.</summary>
    private readonly record struct LayerInput(int Index, string Name, ShapeSpec Input, AttributeReader Attribute);
}
