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

    /// <summary>
    /// Trains <paramref name="model"/> by this recipe with Adam, stopping at the first batch whose loss is NaN or
    /// infinite (<see cref="TerminateOnNaN"/>, which says so in the output): the run's result then is useless, and
    /// training on would only hide when it broke.
    /// </summary>
    /// <param name="observer">A callback that watches the run as well (the benchmarks' timings), if any.</param>
    /// <returns>The history, and the callback that tells whether (and where) training diverged.</returns>
    public (History History, TerminateOnNaN Divergence) Fit(Model model, Dataset train, Dataset test, int verbose, Callback? observer = null)
    {
        var divergence = new TerminateOnNaN();
        History history = model.Fit(
            train,
            epochs: Epochs,
            batchSize: BatchSize,
            optimizer: new Adam(),
            validationSplit: ValidationSplit,
            validationData: ValidateOnTest ? test : null,
            verbose: verbose,
            callbacks: observer is null ? [divergence] : [divergence, observer]);
        return (history, divergence);
    }
}
