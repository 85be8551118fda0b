namespace ConvGen;

/// <summary>
/// The four MNIST idx files: their standard names, the variants they are found under, and the SHA-256 of the
/// published (uncompressed) files.
/// </summary>
internal static class MnistFiles
{
    /// <summary>60,000 training images, 28 × 28.</summary>
    public const string TrainImages = "train-images-idx3-ubyte";

    /// <summary>60,000 training labels.</summary>
    public const string TrainLabels = "train-labels-idx1-ubyte";

    /// <summary>10,000 test images, 28 × 28.</summary>
    public const string TestImages = "t10k-images-idx3-ubyte";

    /// <summary>10,000 test labels.</summary>
    public const string TestLabels = "t10k-labels-idx1-ubyte";

    /// <summary>The standard names of all four files.</summary>
    public static IReadOnlyList<string> Names { get; } = [TrainImages, TrainLabels, TestImages, TestLabels];

    /// <summary>SHA-256 (lower-case hex) of the four published files, by standard name.</summary>
    public static IReadOnlyDictionary<string, string> PublishedSha256 { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [TrainImages] = "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        [TrainLabels] = "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        [TestImages] = "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        [TestLabels] = "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    };

    /// <summary>
    /// The names <paramref name="name"/> (a standard name) is looked for under, in order of preference: the standard
    /// name (<c>train-images-idx3-ubyte</c>), the dotted variant some mirrors use (<c>train-images.idx3-ubyte</c>), and
    /// each of them gzip-compressed (<c>.gz</c>). Uncompressed files come first, so a file gunzipped next to its
    /// archive is the one used.
    /// </summary>
    public static IReadOnlyList<string> Candidates(string name)
    {
        int idx = name.LastIndexOf("-idx", StringComparison.Ordinal);
        if (idx < 0)
        {
            throw new ArgumentException($"'{name}' is not a standard MNIST file name.", nameof(name));
        }

        string dotted = string.Concat(name.AsSpan(0, idx), ".", name.AsSpan(idx + 1));
        return [name, dotted, name + ".gz", dotted + ".gz"];
    }

    /// <summary>The path of the first candidate for <paramref name="name"/> that exists in <paramref name="directory"/>, or null.</summary>
    public static string? Find(string directory, string name) =>
        Candidates(name).Select(candidate => Path.Combine(directory, candidate)).FirstOrDefault(File.Exists);

    /// <summary>
    /// Like <see cref="Find"/>, but a missing file is a <see cref="FileNotFoundException"/> listing every name tried.
    /// </summary>
    public static string Require(string directory, string name) =>
        Find(directory, name) ?? throw new FileNotFoundException(
            $"'{directory}': no MNIST file {name}: looked for {string.Join(", ", Candidates(name))}.",
            Path.Combine(directory, name));
}
