using ConvGen.Engines;

namespace ConvGen.Tests.Concurrency;

/// <summary><c>CONVGEN_THREADS</c>: a whole number from 1 to 256 sets the engines' threads, unset or blank means every
/// processor, anything else is an error naming the variable (before, it silently meant every processor).</summary>
public class ThreadsVariableTests
{
    [Theory]
    [InlineData("1", 1)]
    [InlineData("2", 2)]
    [InlineData(" 3 ", 3)]
    [InlineData("256", 256)]
    public void AWholeNumberFromOneTo256IsTheThreadCount(string value, int threads)
    {
        Assert.Equal(threads, CompiledEngine.DefaultThreads(value));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void UnsetOrBlankMeansEveryProcessor(string? value)
    {
        Assert.Equal(Math.Min(Environment.ProcessorCount, CompiledEngine.MaximumThreads), CompiledEngine.DefaultThreads(value));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("257")]
    [InlineData("99999999999")]
    [InlineData("2.0")]
    [InlineData("0x4")]
    public void AnythingElseIsAnErrorNamingTheVariable(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => CompiledEngine.DefaultThreads(value));
        Assert.StartsWith($"The environment variable CONVGEN_THREADS is '{value}'; it must be a whole number of threads from 1 to 256", error.Message);
    }
}
