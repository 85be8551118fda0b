namespace ConvGen;

/// <summary>
/// Loads LIBSVM / svmlight text files, as scikit-learn's <c>load_svmlight_file(path, n_features=...)</c> followed by
/// <c>.toarray()</c>; the Databricks notebooks read MNIST this way from <c>mnist-digits-train.txt</c>.
/// <para>
/// Each line is a label followed by <c>index:value</c> pairs, such as <c>5 153:3 154:18 155:18</c>; features that are
/// not listed are 0. Labels must be non-negative integers (<c>5</c>, <c>5.0</c> and <c>+5</c> are all 5). Blank lines
/// and comments (<c>#</c> to the end of the line) are ignored, and <c>qid:N</c> tokens are skipped.
/// </para>
/// <para>
/// Values are multiplied by <c>scale</c> and otherwise stored as written: the MNIST file holds 0–255, and the notebooks
/// divide by 255 afterwards, which is <c>scale: 1 / 255f</c>.
/// </para>
/// </summary>
public static class SvmLight
{
    /// <summary>Loads <paramref name="path"/> as flat samples of <paramref name="features"/> values.</summary>
    /// <param name="path">The svmlight text file.</param>
    /// <param name="features">The number of features per sample (scikit-learn's <c>n_features</c>; 784 for MNIST).</param>
    /// <param name="zeroBased">
    /// Whether indices start at 0 (true) or 1 (false); null decides as scikit-learn's <c>zero_based="auto"</c>: the
    /// indices are zero-based if any index in the file is 0, one-based otherwise.
    /// </param>
    /// <param name="scale">The factor every value is multiplied by; 1 keeps values as written.</param>
    /// <returns>A flat dataset of <paramref name="features"/> values per sample, in file order.</returns>
    /// <exception cref="InvalidDataException">
    /// The file is malformed; the message names the file, the 1-based line number and the offending token: a pair
    /// without ':', a non-numeric index or value, an index out of range (negative or beyond <paramref name="features"/>
    /// once the base is applied), a duplicate index on a line, a label that is not a non-negative integer, or no
    /// samples at all.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="features"/> is not positive or <paramref name="scale"/> is not finite.</exception>
    public static Dataset Load(string path, int features, bool? zeroBased = null, float scale = 1f)
    {
        (float[] values, int[] labels) = SvmLightReader.Read(path, features, zeroBased, scale);
        return new Dataset(values, labels, features);
    }

    /// <summary>
    /// Loads <paramref name="path"/> as images of <paramref name="height"/> × <paramref name="width"/> ×
    /// <paramref name="channels"/>: feature <c>i</c> (after the base is applied) is value <c>i</c> of the image in
    /// height-width-channel order, so MNIST's 784 features become 28 × 28 × 1 images.
    /// </summary>
    /// <param name="path">The svmlight text file.</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    /// <param name="channels">Channels per pixel.</param>
    /// <param name="zeroBased">Whether indices start at 0 or 1; null decides automatically, as <see cref="Load(string, int, bool?, float)"/>.</param>
    /// <param name="scale">The factor every value is multiplied by; 1 keeps values as written, 1 / 255f matches the notebooks.</param>
    /// <returns>An image dataset with <paramref name="height"/> × <paramref name="width"/> × <paramref name="channels"/> values per sample.</returns>
    /// <exception cref="InvalidDataException">The file is malformed, as for <see cref="Load(string, int, bool?, float)"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is not positive, their product is too large, or <paramref name="scale"/> is not finite.</exception>
    public static Dataset Load(string path, int height, int width, int channels, bool? zeroBased = null, float scale = 1f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        long features = (long)height * width * channels;
        if (features > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(height), $"Images of {height} × {width} × {channels} have too many values ({features}).");
        }

        (float[] values, int[] labels) = SvmLightReader.Read(path, (int)features, zeroBased, scale);
        return new Dataset(values, labels, height, width, channels);
    }
}
