using System.Diagnostics;
using System.Globalization;
using ConvGen;
using ConvGen.Engines;
using ConvGen.Models;
using ConvGen.Train;

// Trains a seed network on MNIST the way its notebook does, with Keras-like output, and reports test accuracy.
TrainOptions options;
try
{
    options = TrainOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(TrainOptions.Usage);
    return 2;
}

if (options.Help)
{
    Console.WriteLine(TrainOptions.Usage);
    return 0;
}

if (options.List)
{
    foreach (SeedNetwork seed in SeedNetwork.All)
    {
        Console.WriteLine($"{seed.Name,-22} {seed.Description}");
    }

    return 0;
}

SeedNetwork? network = SeedNetwork.Find(options.Network);
if (network is null)
{
    Console.Error.WriteLine($"Unknown network '{options.Network}'. Seed networks: {string.Join(", ", SeedNetwork.All.Select(n => n.Name))} (or their class names, e.g. MnistCnn).");
    return 2;
}

Model model;
try
{
    model = network.Create(options.Seed);
}
catch (InvalidOperationException e)
{
    // A bad CONVGEN_THREADS, named in the message.
    Console.Error.WriteLine(e.Message);
    return 2;
}

Console.WriteLine(model.Summary());
if (options.SummaryOnly)
{
    return 0;
}

(Dataset train, Dataset test) data;
try
{
    data = options.MnistDirectory is null ? Mnist.Load() : Mnist.Load(options.MnistDirectory);
}
catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

(Dataset train, Dataset test) = data;
TrainRecipe recipe = TrainRecipe.Resolve(network, options);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Training {network.Name} ({model.Engine.Name}, {Environment.ProcessorCount} cores): {train.Count} samples, {recipe.Epochs} epochs, batch {recipe.BatchSize}, Adam, seed {options.Seed}."));

var clock = Stopwatch.StartNew();
(_, TerminateOnNaN divergence) = recipe.Fit(model, train, test, options.Verbose);
double seconds = clock.Elapsed.TotalSeconds;
if (divergence.Terminated)
{
    // Weights that produced a NaN or infinite loss are not worth keeping, and must not replace a good saved file.
    Console.Error.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"Training diverged: the loss was {divergence.InvalidLoss} at batch {divergence.StoppedBatch} of epoch {divergence.StoppedEpoch + 1}; nothing was saved. Try a smaller batch size or check the data."));
    return 1;
}

(float loss, float accuracy) = model.Evaluate(test, batchSize: 256);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Test loss: {loss:0.0000} - test accuracy: {accuracy:0.0000} ({accuracy * 100:0.00} %) after {seconds:0.0} s of training"));
if (options.SavePath is not null)
{
    model.Save(options.SavePath);
    Console.WriteLine($"Weights saved to {Path.GetFullPath(options.SavePath)}");
}

return 0;
