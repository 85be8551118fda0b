using ConvGen.Models;

namespace ConvGen.Train.Commands;

/// <summary>What <c>convgen-train train</c> was asked to do, as parsed from its command line.</summary>
/// <param name="Network">The seed network to train.</param>
/// <param name="Epochs">Passes over the training set; null for the notebook's.</param>
/// <param name="BatchSize">Samples per step; null for the notebook's.</param>
/// <param name="Seed">Seed of the weights, the shuffling and the dropout masks.</param>
/// <param name="ValidationSplit">Fraction of the training set held out for validation; null for the notebook's.</param>
/// <param name="Verbose">0 silent, 1 progress bar, 2 one line per epoch (Keras' <c>verbose</c>).</param>
/// <param name="MnistDirectory">A directory of MNIST idx files to read instead of the cache.</param>
/// <param name="SavePath">Where to save the trained weights, if anywhere.</param>
/// <param name="SummaryOnly">Print the summary and stop, without training.</param>
/// <param name="ReportDirectory">Where to write the HTML training report (report.html and its figures), if anywhere.</param>
/// <param name="ExportPath">Where to export the trained model as ONNX, if anywhere.</param>
/// <param name="CommandLine">The command line as given, for the report.</param>
/// <param name="TimingPath">Where to write the run's timings as JSON (for the benchmarks), if anywhere.</param>
internal sealed record TrainOptions(
    SeedNetwork Network,
    int? Epochs = null,
    int? BatchSize = null,
    int Seed = 42,
    double? ValidationSplit = null,
    int Verbose = 2,
    string? MnistDirectory = null,
    string? SavePath = null,
    bool SummaryOnly = false,
    string? ReportDirectory = null,
    string? ExportPath = null,
    string CommandLine = "convgen-train",
    string? TimingPath = null);

