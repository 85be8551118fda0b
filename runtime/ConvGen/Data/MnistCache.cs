using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace ConvGen;

/// <summary>
/// Puts the four MNIST files, under their standard names, into <paramref name="destination"/>, an empty directory.
/// Failures are <see cref="MnistUnavailableException"/>s saying what to do.
/// </summary>
internal delegate void MnistFetch(string destination);

/// <summary>
/// A directory caching the four MNIST idx files, filled on demand by a <see cref="MnistFetch"/>.
/// <para>
/// Every load reads the four files once and checks their SHA-256 against the expected hashes before parsing them. A
/// missing or damaged file is fetched again, once: under a lock file (so concurrent processes fetch one at a time and
/// a process that waited finds the cache filled), into a staging directory inside the cache (so it is on the same
/// file system), verified there, and only then renamed into place. A failed fetch or a bad checksum therefore never
/// leaves a partial or unverified file in the cache.
/// </para>
/// </summary>
internal sealed class MnistCache
{
    /// <summary>Name of the lock file inside the cache directory.</summary>
    public const string LockFileName = ".convgen-mnist.lock";

    /// <summary>Prefix of the staging directories a fetch writes into.</summary>
    public const string StagingPrefix = ".convgen-mnist-staging-";

    private readonly MnistFetch _fetch;
    private readonly IReadOnlyDictionary<string, string> _sha256;
    private readonly TimeSpan _lockTimeout;
    private readonly TimeSpan _lockPollInterval;

    /// <summary>A cache in <paramref name="directory"/>, filled by <paramref name="fetch"/>.</summary>
    /// <param name="directory">The cache directory; created when a fetch is needed.</param>
    /// <param name="fetch">Fetches the files when some are missing or damaged.</param>
    /// <param name="sha256">Expected SHA-256 (hex) by standard file name; defaults to the published MNIST hashes.</param>
    /// <param name="lockTimeout">How long to wait for another process's fetch; defaults to 20 minutes.</param>
    /// <param name="lockPollInterval">How often to retry the lock while waiting; defaults to 250 ms.</param>
    public MnistCache(
        string directory,
        MnistFetch fetch,
        IReadOnlyDictionary<string, string>? sha256 = null,
        TimeSpan? lockTimeout = null,
        TimeSpan? lockPollInterval = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(fetch);
        CacheDirectory = Path.GetFullPath(directory);
        _fetch = fetch;
        _sha256 = sha256 ?? MnistFiles.PublishedSha256;
        _lockTimeout = lockTimeout ?? TimeSpan.FromMinutes(20);
        _lockPollInterval = lockPollInterval ?? TimeSpan.FromMilliseconds(250);
        foreach (string name in MnistFiles.Names)
        {
            if (!_sha256.ContainsKey(name))
            {
                throw new ArgumentException($"No expected SHA-256 for {name}.", nameof(sha256));
            }
        }
    }

    /// <summary>The cache directory (a full path).</summary>
    public string CacheDirectory { get; }

    /// <summary>The training and test sets, fetching the files first when the cache lacks a valid copy.</summary>
    public (Dataset Train, Dataset Test) Load()
    {
        CachedFile[] files = Inspect();
        if (files.Any(file => !file.IsValid))
        {
            EnsureCacheDirectory();
            using (AcquireLock())
            {
                RemoveStaleStaging();

                // Another process may have filled the cache while this one waited for the lock.
                files = Inspect();
                string[] needed = files.Where(file => !file.IsValid).Select(file => file.Name).ToArray();
                if (needed.Length > 0)
                {
                    FetchIntoCache(needed, files.Where(file => !file.IsValid && file.Path is not null).Select(file => file.Problem!).ToArray());
                    files = Inspect();
                    CachedFile[] invalid = files.Where(file => !file.IsValid).ToArray();
                    if (invalid.Length > 0)
                    {
                        throw new MnistUnavailableException(
                            $"The MNIST cache '{CacheDirectory}' is still not valid after fetching: {string.Join("; ", invalid.Select(file => file.Problem))}.");
                    }
                }
            }
        }

        return (Create(files[0], files[1]), Create(files[2], files[3]));
    }

    private static Dataset Create(CachedFile images, CachedFile labels) => IdxDataset.Create(
        IdxFile.Parse(images.Path!, images.Bytes!, IdxDataset.ImageDimensions),
        IdxFile.Parse(labels.Path!, labels.Bytes!, IdxDataset.LabelDimensions));

    /// <summary>Reads every file the cache holds and checks it against its expected hash.</summary>
    private CachedFile[] Inspect() => MnistFiles.Names.Select(Inspect).ToArray();

    private CachedFile Inspect(string name)
    {
        string? path = Directory.Exists(CacheDirectory) ? MnistFiles.Find(CacheDirectory, name) : null;
        if (path is null)
        {
            return new CachedFile(name, null, null, $"{name} is missing");
        }

        byte[] bytes;
        try
        {
            bytes = IdxFile.ReadBytes(path);
        }
        catch (InvalidDataException e)
        {
            // A corrupt .gz; the message already names the file.
            return new CachedFile(name, path, null, e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new CachedFile(name, path, null, $"'{path}': {e.Message}");
        }

        string actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        string expected = _sha256[name];
        return string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase)
            ? new CachedFile(name, path, bytes, null)
            : new CachedFile(name, path, null, $"'{path}' has SHA-256 {actual}, expected {expected}");
    }

    /// <summary>Fetches <paramref name="names"/> and moves them into the cache once all are verified. When the cache
    /// held damaged copies (<paramref name="damaged"/>: what is wrong with each), a failed fetch says so first, so the
    /// user learns which file failed its checksum, not only that npm is missing.</summary>
    private void FetchIntoCache(IReadOnlyList<string> names, IReadOnlyList<string> damaged)
    {
        string staging = Path.Combine(CacheDirectory, StagingPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(staging);
            try
            {
                _fetch(staging);
            }
            catch (Exception e) when (e is (IOException or UnauthorizedAccessException) and not MnistUnavailableException)
            {
                throw Damaged(new MnistUnavailableException($"Fetching MNIST into '{staging}' failed: {e.Message}", e));
            }
            catch (MnistUnavailableException e) when (damaged.Count > 0)
            {
                throw Damaged(e);
            }

            // Verify everything before moving anything, so a bad fetch leaves the cache as it was.
            foreach (string name in names)
            {
                Verify(Path.Combine(staging, name), name);
            }

            foreach (string name in names)
            {
                // Each rename is atomic, and each file is verified: the cache only ever holds complete files.
                string target = Path.Combine(CacheDirectory, name);
                try
                {
                    File.Move(Path.Combine(staging, name), target, overwrite: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new MnistUnavailableException($"Cannot move the verified {name} into place as '{target}': {e.Message}", e);
                }
            }
        }
        finally
        {
            TryDeleteDirectory(staging);
        }

        MnistUnavailableException Damaged(MnistUnavailableException failure) => damaged.Count == 0
            ? failure
            : new MnistUnavailableException($"The MNIST cache '{CacheDirectory}' holds damaged files ({string.Join("; ", damaged)}), and fetching fresh copies failed: {failure.Message}", failure);
    }

    private void Verify(string fetched, string name)
    {
        if (!File.Exists(fetched))
        {
            throw new MnistUnavailableException(
                $"The MNIST fetch did not deliver {name}; nothing was moved into the cache '{CacheDirectory}'.");
        }

        string actual;
        using (FileStream stream = File.OpenRead(fetched))
        {
            actual = Convert.ToHexStringLower(SHA256.HashData(stream));
        }

        string expected = _sha256[name];
        if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
        {
            throw new MnistUnavailableException(
                $"The freshly fetched MNIST file {name} has SHA-256 {actual}, expected {expected}; nothing was moved into the cache '{CacheDirectory}'. " +
                $"The download may be damaged: try again, or put verified MNIST idx files in '{CacheDirectory}' or point CONVGEN_MNIST_DIR at them.");
        }
    }

    private void EnsureCacheDirectory()
    {
        try
        {
            Directory.CreateDirectory(CacheDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MnistUnavailableException(
                $"Cannot create the MNIST cache directory '{CacheDirectory}': {e.Message} Point CONVGEN_MNIST_DIR at a writable directory.", e);
        }
    }

    /// <summary>
    /// Opens the lock file exclusively, retrying while another process holds it. The operating system releases the
    /// lock when its holder exits, however it exits, so a leftover lock file never blocks anyone.
    /// </summary>
    private FileStream AcquireLock()
    {
        string path = Path.Combine(CacheDirectory, LockFileName);
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException e) when (e.GetType() == typeof(IOException))
            {
                // A plain IOException is the sharing violation: another process is fetching.
                if (waited.Elapsed >= _lockTimeout)
                {
                    throw new MnistUnavailableException(
                        $"Timed out after {_lockTimeout.TotalMinutes.ToString("0.##", CultureInfo.InvariantCulture)} minutes waiting for '{path}', " +
                        "which another process holds while it fetches MNIST. Try again when that process has finished.", e);
                }

                Thread.Sleep(_lockPollInterval);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new MnistUnavailableException(
                    $"Cannot open the MNIST cache lock file '{path}': {e.Message} Point CONVGEN_MNIST_DIR at a writable directory.", e);
            }
        }
    }

    /// <summary>Removes staging directories left by a process that died mid-fetch; only the lock holder stages.</summary>
    private void RemoveStaleStaging()
    {
        foreach (string stale in Directory.EnumerateDirectories(CacheDirectory, StagingPrefix + "*"))
        {
            TryDeleteDirectory(stale);
        }
    }

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover staging directory is removed by the next fetch.
        }
    }

    /// <summary>One of the four files as found in the cache: valid (bytes read, hash matches) or with a problem.</summary>
    private sealed record CachedFile(string Name, string? Path, byte[]? Bytes, string? Problem)
    {
        public bool IsValid => Problem is null;
    }
}
