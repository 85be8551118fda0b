using ConvGen;
using ConvGen.Train.Commands;

// convgen-train: trains, evaluates and applies ConvGen's seed networks on MNIST (see Commands/ and --help).
// A NativeAOT build first hands over to the build beside it with the fastest kernels this CPU runs (NativeAotBuilds).
try
{
    NativeAotBuilds.RunFastest(args);
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine($"convgen-train: {e.Message}");
    return ExitCodes.Failure;
}

return TrainerCommandLine.Run(args, new CommandContext(Console.Out, Console.Error));
