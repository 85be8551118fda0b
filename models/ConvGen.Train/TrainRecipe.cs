using ConvGen.Models;
using ConvGen.Train.Commands;

namespace ConvGen.Train;

/// <summary>How a run trains: the notebook's recipe for the network, with what the command line overrides.</summary>
/// <param name="Epochs">Passes over the training set.</param>
/// <param name="BatchSize">Samples per step.</param>
/// <param name="ValidationSplit">The fraction of the training set held out for validation (0: none).</param>
/// <param name="ValidateOnTest">Whether to validate on the test set instead, as the "Beating MNIST" notebooks do.</param>
internal sealed record TrainRecipe(int Epochs, int BatchSize, double ValidationSplit, bool ValidateOnTest)
{
    /// <summary>The recipe of <paramref name="network"/>'s notebook, overridden by <paramref name="options"/>; an
    /// explicit <c>--validation-split</c> replaces validating on the test set.</summary>
    public static TrainRecipe Resolve(SeedNetwork network, TrainOptions options)
    {
        bool validateOnTest = network.ValidateOnTest && options.ValidationSplit is null;
        return new TrainRecipe(
            options.Epochs ?? network.Epochs,
            options.BatchSize ?? network.BatchSize,
            validateOnTest ? 0 : options.ValidationSplit ?? network.ValidationSplit,
            validateOnTest);
    }
}
