using ConvGen.Engines;

namespace ConvGen;

/// <summary>
/// A model run by the interpreted reference engine: any <see cref="ModelDescription"/>, layer by layer with plain
/// loops. It is the oracle the generated code is tested against and the baseline the benchmarks compare with; for
/// the same description and seed it starts from exactly the weights of the generated model.
/// </summary>
public sealed class InterpretedModel : Model
{
    /// <summary>A model of <paramref name="description"/>, its weights drawn from <paramref name="seed"/>.</summary>
    public InterpretedModel(ModelDescription description, int seed = 0)
        : base(new InterpretedEngine(description), seed)
    {
    }
}
