namespace ConvGen.Engines;

/// <summary>
/// Writes the images of a training batch while the step runs: <see cref="Prepare"/> fills batch positions
/// <c>first</c> ... <c>first + count - 1</c> of the buffer the step reads (gathering shuffled samples, augmenting them).
/// An engine that splits the batch over threads calls it from each thread for that thread's own chunk, so the work is
/// shared like the step's; the calls of one step touch disjoint positions.
/// </summary>
internal interface IBatchPreparation
{
    /// <summary>Fills batch positions <paramref name="first"/> ... <paramref name="first"/> + <paramref name="count"/> - 1.</summary>
    void Prepare(int first, int count);
}
