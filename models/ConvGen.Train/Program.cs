using ConvGen.Train.Commands;

// convgen-train: trains, evaluates and applies ConvGen's seed networks on MNIST (see Commands/ and --help).
return TrainerCommandLine.Run(args, new CommandContext(Console.Out, Console.Error));
