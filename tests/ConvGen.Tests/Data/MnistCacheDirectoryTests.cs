namespace ConvGen.Tests.Data;

/// <summary>The rule behind <see cref="Mnist.CacheDirectory"/>, with a fake environment (the real one is process-wide).</summary>
public sealed class MnistCacheDirectoryTests
{
    private static readonly string Home = Path.Combine(Path.GetTempPath(), "home");
    private static readonly string Xdg = Path.Combine(Path.GetTempPath(), "xdg-cache");

    [Fact]
    public void VariableWins()
    {
        string configured = Path.Combine(Path.GetTempPath(), "my-mnist");

        Assert.Equal(configured, From(new() { ["CONVGEN_MNIST_DIR"] = configured, ["XDG_CACHE_HOME"] = Xdg }, Home));
    }

    [Fact]
    public void RelativeVariableIsRelativeToTheWorkingDirectory()
    {
        Assert.Equal(Path.GetFullPath("mnist-here"), From(new() { ["CONVGEN_MNIST_DIR"] = "mnist-here" }, Home));
    }

    [Fact]
    public void XdgCacheHomeIsNext()
    {
        Assert.Equal(Path.Combine(Xdg, "convgen", "mnist"), From(new() { ["CONVGEN_MNIST_DIR"] = "", ["XDG_CACHE_HOME"] = Xdg }, Home));
    }

    [Fact]
    public void RelativeXdgCacheHomeIsIgnored()
    {
        Assert.Equal(Path.Combine(Home, ".cache", "convgen", "mnist"), From(new() { ["XDG_CACHE_HOME"] = "relative/cache" }, Home));
    }

    [Fact]
    public void HomeCacheIsTheDefault()
    {
        Assert.Equal(Path.Combine(Home, ".cache", "convgen", "mnist"), From(new(), Home));
    }

    [Fact]
    public void UnknownHomeWithNothingSetIsMnistUnavailable()
    {
        var error = Assert.Throws<MnistUnavailableException>(() => From(new(), ""));

        Assert.Contains("set CONVGEN_MNIST_DIR", error.Message);
    }

    [Fact]
    public void PropertyFollowsTheProcessEnvironment()
    {
        Assert.Equal(
            Mnist.CacheDirectoryFrom(Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile)),
            Mnist.CacheDirectory);
    }

    private static string From(Dictionary<string, string> environment, string home) =>
        Mnist.CacheDirectoryFrom(name => environment.GetValueOrDefault(name), home);
}
