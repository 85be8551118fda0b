namespace ConvGen;

/// <summary>Base of the layer attributes; layers apply in the order they are written on the class.</summary>
public abstract class LayerAttribute : Attribute
{
    private protected LayerAttribute()
    {
    }

    /// <summary>The layer's name (Keras' <c>name=</c>); Keras' automatic name (<c>conv2d_1</c>, ...) when not set.</summary>
    public string? Name { get; set; }
}
