namespace ConvGen.Generator.Model;

/// <summary>
/// Everything the emitter needs about one annotated class: where to put the partial declaration and the layers with
/// every shape inferred. Value-equatable: the pipeline caches on it.
/// </summary>
internal sealed record ModelSpec(
    string? Namespace,
    string ClassName,
    ImmutableEquatableArray<ContainingTypeSpec> ContainingTypes,
    string ModelName,
    ShapeSpec Input,
    ImmutableEquatableArray<LayerSpec> Layers)
{
    /// <summary>The hint name of the generated file, unique within a compilation.</summary>
    public string HintName
    {
        get
        {
            var name = new System.Text.StringBuilder();
            if (Namespace is not null)
            {
                name.Append(Namespace).Append('.');
            }

            foreach (ContainingTypeSpec type in ContainingTypes)
            {
                name.Append(type.Name).Append('.');
            }

            return name.Append(ClassName).Append(".g.cs").ToString();
        }
    }
}

/// <summary>A type the model class is nested in: its keyword (class, struct, record, ...) and name.</summary>
internal sealed record ContainingTypeSpec(string Keyword, string Name);
