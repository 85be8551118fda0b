using Microsoft.CodeAnalysis;

namespace ConvGen.Generator;

/// <summary>The ConvGen generator (being written).</summary>
[Generator(LanguageNames.CSharp)]
public sealed class ModelGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
    }
}
