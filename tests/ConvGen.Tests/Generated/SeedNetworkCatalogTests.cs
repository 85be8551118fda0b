using ConvGen.Models;

namespace ConvGen.Tests.Generated;

/// <summary>The one catalogue of seed networks the trainer, the benchmarks and these tests take them from.</summary>
public class SeedNetworkCatalogTests
{
    [Fact]
    public void EverySeedModelClassIsListedOnceUnderItsOwnName()
    {
        string[] classes = [.. typeof(SeedNetwork).Assembly.GetTypes()
            .Where(type => type.IsSubclassOf(typeof(Model)) && !type.IsAbstract)
            .Where(type => type.Namespace != typeof(ConvGen.Models.Recipes.MnistBest).Namespace) // recipe networks are not seeds
            .Select(type => type.Name)
            .Order(StringComparer.Ordinal)];

        Assert.Equal(classes, SeedNetwork.All.Select(network => network.ModelName).Order(StringComparer.Ordinal));
        foreach (SeedNetwork network in SeedNetwork.All)
        {
            Model model = network.Create(0);
            Assert.Equal(network.ModelName, model.GetType().Name);
            Assert.Equal(network.ModelName, model.Name);
        }
    }

    [Fact]
    public void CommandLineNamesAreDistinctAndFoundEitherWay()
    {
        Assert.Equal(SeedNetwork.All.Count, SeedNetwork.All.Select(network => network.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        foreach (SeedNetwork network in SeedNetwork.All)
        {
            Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", network.Name);
            Assert.Same(network, SeedNetwork.Find(network.Name.ToUpperInvariant()));
            Assert.Same(network, SeedNetwork.Find(network.ModelName.ToLowerInvariant()));
        }

        Assert.Null(SeedNetwork.Find("mnist-resnet"));
    }

    [Fact]
    public void RecipesAreUsable()
    {
        Assert.All(SeedNetwork.All, network =>
        {
            Assert.True(network.Epochs > 0, network.Name);
            Assert.True(network.BatchSize > 0, network.Name);
            Assert.InRange(network.ValidationSplit, 0, 0.5);
            Assert.False(network.ValidateOnTest && network.ValidationSplit > 0, $"{network.Name} validates twice");
        });
    }

    [Fact]
    public void TheParameterCountTableCoversTheWholeCatalogue()
    {
        Assert.Equal(
            SeedNetwork.All.Select(network => network.ModelName).Order(StringComparer.Ordinal),
            SeedModelTests.Counts.Select(row => (string)row[0]).Order(StringComparer.Ordinal));
    }
}
