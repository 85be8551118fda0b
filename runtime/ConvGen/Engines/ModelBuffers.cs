namespace ConvGen.Engines;

/// <summary>
/// A model's numbers in three contiguous buffers laid out by its <see cref="ModelDescription"/>: the trainable
/// parameters, their gradients (same layout, so an optimizer updates everything in one pass) and the non-trainable
/// state (batch-normalisation moving statistics).
/// </summary>
public sealed class ModelBuffers
{
    /// <summary>Allocates zeroed buffers for <paramref name="description"/>.</summary>
    public ModelBuffers(ModelDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        Description = description;
        Parameters = new AlignedBuffer(description.ParameterLength);
        Gradients = new AlignedBuffer(description.ParameterLength);
        State = new AlignedBuffer(description.StateLength);
    }

    /// <summary>The layout these buffers follow.</summary>
    public ModelDescription Description { get; }

    /// <summary>Trainable parameters.</summary>
    public AlignedBuffer Parameters { get; }

    /// <summary>Gradients of the mean loss of the last batch, in the layout of <see cref="Parameters"/>.</summary>
    public AlignedBuffer Gradients { get; }

    /// <summary>Non-trainable state.</summary>
    public AlignedBuffer State { get; }

    /// <summary>The values of one weight array.</summary>
    public Span<float> Values(WeightInfo weight) =>
        (weight.Trainable ? Parameters : State).Span.Slice(weight.Offset, weight.Length);

    /// <summary>The gradient of one trainable weight array.</summary>
    public Span<float> Gradient(WeightInfo weight) => weight.Trainable
        ? Gradients.Span.Slice(weight.Offset, weight.Length)
        : throw new ArgumentException($"{weight.Name} is not trainable and has no gradient.", nameof(weight));
}
