using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace ConvGen.Generator.Model;

/// <summary>A diagnostic as plain values (a location is not equatable across compilations), turned into a
/// <see cref="Diagnostic"/> only when reported.</summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, ImmutableEquatableArray<EquatableString> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params object[] arguments)
    {
        var values = new EquatableString[arguments.Length];
        for (int i = 0; i < arguments.Length; i++)
        {
            values[i] = new EquatableString(Convert.ToString(arguments[i], System.Globalization.CultureInfo.InvariantCulture) ?? "");
        }

        return new DiagnosticInfo(descriptor, LocationInfo.From(location), new ImmutableEquatableArray<EquatableString>(values));
    }

    public Diagnostic ToDiagnostic()
    {
        var arguments = new object[Arguments.Count];
        for (int i = 0; i < arguments.Length; i++)
        {
            arguments[i] = Arguments[i].Value;
        }

        return Diagnostic.Create(Descriptor, Location?.ToLocation(), arguments);
    }
}

/// <summary>A source location as plain values.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public static LocationInfo? From(Location? location) =>
        location is null || !location.IsInSource ? null : new LocationInfo(location.SourceTree!.FilePath, location.SourceSpan, location.GetLineSpan().Span);

    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);
}

/// <summary>A string with value equality usable in <see cref="ImmutableEquatableArray{T}"/>.</summary>
internal readonly record struct EquatableString(string Value);
