using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using ConvGen.Benchmarks.Comparison;
using ConvGen.Benchmarks.Kernels;

// dotnet run -c Release --project benchmarks/ConvGen.Benchmarks -- compare [--threads N] [--steps N] [--networks a,b] [--out DIR]
//   ConvGen against eager PyTorch and the interpreted engine, side by side in one run; writes benchmarks/results/latest.md
//   and the documentation's tables.
// dotnet run -c Release --project benchmarks/ConvGen.Benchmarks -- report [--check]
//   Writes the benchmark tables of README.md and docs/benchmarks.md from benchmarks/results (--check: only compares).
// dotnet run -c Release --project benchmarks/ConvGen.Benchmarks -- aot [--networks a,b] [--rounds N] [--epochs N]
//   The NativeAOT trainer against the JIT's, side by side: throughput, start-up, size, bit-identical weights.
// dotnet run -c Release --project benchmarks/ConvGen.Benchmarks -- augmentation [--networks a,b] [--rounds N]
//   Epochs of Fit with and without "Beating MNIST"'s augmentation, alternating; writes benchmarks/results/augmentation/.
// dotnet run -c Release --project benchmarks/ConvGen.Benchmarks -- --filter '*'
//   BenchmarkDotNet: training steps, generated against interpreted (TrainingStepBenchmarks); each kind of kernel on its
//   own small network, with GFLOP/s and % of the FMA peak (KernelBenchmarks); the optimizers' update pass
//   (OptimizerBenchmarks); batch-1 predictions from one and from two callers at once on one model
//   (ConcurrentPredictionBenchmarks). A short job by default: the interpreted engine takes a good part of a second per step of the
//   larger networks.
switch (args)
{
    case ["compare", ..]:
        return CompareCommand.Run(args[1..]);
    case ["report", ..]:
        return ReportCommand.Run(args[1..]);
    case ["aot", ..]:
        return ConvGen.Benchmarks.Aot.AotCommand.Run(args[1..]);
    case ["augmentation", ..]:
        return ConvGen.Benchmarks.Augmentation.AugmentationCommand.Run(args[1..]);
}

IConfig config = DefaultConfig.Instance
    .AddJob(Job.Default.WithWarmupCount(2).WithIterationCount(8).WithLaunchCount(1))
    .AddColumn(ThroughputColumn.Create());
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
return 0;
