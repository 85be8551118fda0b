namespace ConvGen.Train.Commands;

/// <summary>A bad argument found after parsing (a <c>--save</c> path that cannot be written, an image index past the
/// end of the test set): reported in one line, with exit code 2 like every usage error.</summary>
internal sealed class UsageException(string message) : Exception(message);
