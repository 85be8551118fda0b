using ConvGen.Layers;
using ConvGen.Models;

namespace ConvGen.Export.Tests;

/// <summary>Every model the generator compiles here and in ConvGen.Models, with weights that look trained: a few steps
/// of Adam on <see cref="SyntheticData"/> (biases and kernels away from their initial values), then batch-normalisation
/// moving statistics moved well away from 0 and 1 (a few steps at momentum 0.99 leave them close).</summary>
internal static class TrainedModels
{
    /// <summary>The seed networks by command-line name.</summary>
    public static IEnumerable<string> SeedNetworks => SeedNetwork.All.Select(n => n.Name);

    /// <summary>The layer test models (tests/ConvGen.Tests/Generated/LayerTestModels.cs), found by reflection so a model
    /// added there is exported here too.</summary>
    public static IEnumerable<string> LayerTestModels =>
        typeof(TrainedModels).Assembly.GetTypes()
            .Where(t => t.Namespace == "ConvGen.Tests.Generated" && t.IsSubclassOf(typeof(Model)) && !t.IsAbstract)
            .Select(t => t.Name)
            .Order(StringComparer.Ordinal);

    public static Model SeedNetworkModel(string name, int seed) => SeedNetwork.Find(name)!.Create(seed);

    public static Model LayerTestModel(string name, int seed)
    {
        Type type = typeof(TrainedModels).Assembly.GetTypes().Single(t => t.Namespace == "ConvGen.Tests.Generated" && t.Name == name);
        return (Model)Activator.CreateInstance(type, seed)!;
    }

    /// <summary>Trains <paramref name="model"/> briefly and moves its moving statistics; returns it.</summary>
    public static Model Train(Model model, int seed)
    {
        model.Output = TextWriter.Null;
        model.Fit(SyntheticData.For(model.Description, 192, seed), epochs: 1, batchSize: 32, optimizer: new Adam(learningRate: 0.01), verbose: 0);

        var random = new Random(seed);
        float[][] weights = model.GetWeights();
        IReadOnlyList<WeightInfo> infos = model.Description.Weights;
        for (int i = 0; i < infos.Count; i++)
        {
            for (int j = 0; j < weights[i].Length; j++)
            {
                switch (infos[i].Variable)
                {
                    case "moving_mean": weights[i][j] += (float)((random.NextDouble() * 0.6) - 0.3); break;
                    case "moving_variance": weights[i][j] *= (float)(0.5 + (1.5 * random.NextDouble())); break;
                }
            }
        }

        model.SetWeights(weights);
        return model;
    }

    /// <summary>The history of a short training of <paramref name="model"/> on <see cref="SyntheticData"/>, with a
    /// validation split or without.</summary>
    public static History HistoryOf(Model model, int epochs, bool validation)
    {
        model.Output = TextWriter.Null;
        return model.Fit(SyntheticData.For(model.Description, 240, seed: 1), epochs, batchSize: 24, optimizer: new Adam(learningRate: 0.01), validationSplit: validation ? 0.25 : 0, verbose: 0);
    }

    /// <summary>Whether the model has a batch normalisation whose statistics are far from their initial 0 and 1.</summary>
    public static bool HasNonTrivialMovingStatistics(Model model) =>
        model.Description.Layers.Any(l => l.Layer is BatchNormalizationLayer)
        && model.Description.Weights.Zip(model.GetWeights())
            .Where(p => p.First.Variable is "moving_mean" or "moving_variance")
            .All(p => p.Second.Any(v => Math.Abs(v - (p.First.Variable == "moving_mean" ? 0 : 1)) > 0.05));
}
