namespace ConvGen.Train.Commands;

/// <summary>Where a command writes: the console in the program, string writers in the tests.</summary>
/// <param name="Out">Results and training progress.</param>
/// <param name="Error">Error messages, one line each.</param>
internal sealed record CommandContext(TextWriter Out, TextWriter Error);
