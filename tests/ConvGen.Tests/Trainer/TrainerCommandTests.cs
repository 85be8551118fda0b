using System.Text;
using ConvGen.Models;
using ConvGen.Tests.Data;
using ConvGen.Train.Commands;

namespace ConvGen.Tests.Trainer;

/// <summary>
/// <c>convgen-train</c>'s commands run in process on a small MNIST-shaped data set (64 training and 16 test images of
/// 28 × 28): train, save, evaluate and predict agree with each other; a bad <c>--save</c> path is refused before any
/// training; a missing data set, a corrupt weights file or a bad image is one line and exit code 1.
/// </summary>
public sealed class TrainerCommandTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public TrainerCommandTests()
    {
        byte[] trainLabels = Enumerable.Range(0, 64).Select(i => (byte)(i % 10)).ToArray();
        byte[] testLabels = Enumerable.Range(0, 16).Select(i => (byte)((i * 3) % 10)).ToArray();
        Directory.CreateDirectory(Mnist);
        IdxBytes.WriteAll(Mnist, new Dictionary<string, byte[]>
        {
            ["train-images-idx3-ubyte"] = IdxBytes.Images(64, 28, 28),
            ["train-labels-idx1-ubyte"] = IdxBytes.Labels(trainLabels),
            ["t10k-images-idx3-ubyte"] = IdxBytes.Images(16, 28, 28),
            ["t10k-labels-idx1-ubyte"] = IdxBytes.Labels(testLabels),
        });
    }

    private string Mnist => _directory.File("mnist");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void TrainSavesWeightsThatEvaluateAndPredictRead()
    {
        string weights = _directory.File("mlp.cgw");
        TrainerRun train = TrainerRun.Of("mnist-mlp", "--epochs", "2", "--batch-size", "16", "--mnist", Mnist, "--save", weights);

        Assert.Equal((ExitCodes.Success, string.Empty), (train.ExitCode, train.Error));
        Assert.Contains("Model: \"MnistMlp\"", train.Out, StringComparison.Ordinal);
        Assert.Contains("Training mnist-mlp (", train.Out, StringComparison.Ordinal);
        Assert.Contains("Epoch 2/2 - ", train.Out, StringComparison.Ordinal);
        Assert.Contains($"Weights saved to {weights}", train.Out, StringComparison.Ordinal);
        string trainedLoss = Between(train.Out, "Test loss: ", " (");

        TrainerRun evaluate = TrainerRun.Of("evaluate", "mnist-mlp", "--weights", weights, "--mnist", Mnist);
        Assert.Equal((ExitCodes.Success, string.Empty), (evaluate.ExitCode, evaluate.Error));
        Assert.Equal(trainedLoss, Between(evaluate.Out, "Test loss: ", " ("));
        Assert.EndsWith("on 16 images", evaluate.Out.TrimEnd(), StringComparison.Ordinal);

        // The same image by index and as a PGM file: the same probabilities, printed line for line.
        TrainerRun byIndex = TrainerRun.Of("predict", "MnistMlp", "--weights", weights, "--index", "5", "--mnist", Mnist);
        Assert.Equal((ExitCodes.Success, string.Empty), (byIndex.ExitCode, byIndex.Error));
        Assert.StartsWith("mnist-mlp on MNIST test image 5 (label 5):", byIndex.Out, StringComparison.Ordinal);
        Assert.Contains("Predicted class: ", byIndex.Out, StringComparison.Ordinal);

        string pgm = _directory.Write("five.pgm", [.. Encoding.ASCII.GetBytes("P5\n# test image 5\n28 28\n255\n"), .. Enumerable.Range(0, 784).Select(j => IdxBytes.Pixel(5, j))]);
        TrainerRun byFile = TrainerRun.Of("predict", "mnist-mlp", "--weights", weights, "--image", pgm);
        Assert.Equal((ExitCodes.Success, string.Empty), (byFile.ExitCode, byFile.Error));
        Assert.Equal(Probabilities(byIndex.Out), Probabilities(byFile.Out));

        static string[] Probabilities(string output) => output.Split('\n').Where(line => line.StartsWith("   ", StringComparison.Ordinal)).ToArray();
    }

    [Fact]
    public void APlainPgmReadsAsTheBinaryOne()
    {
        float[] pixels = Enumerable.Range(0, 784).Select(j => (float)(j % 16)).ToArray();
        string binary = _directory.Write("b.pgm", [.. Encoding.ASCII.GetBytes("P5 28 28 15\n"), .. pixels.Select(p => (byte)p)]);
        string plain = _directory.WriteText("p.pgm", "P2\n28 28\n15\n" + string.Join(' ', pixels.Select(p => ((int)p).ToString(System.Globalization.CultureInfo.InvariantCulture))));
        Shape shape = Shape.Image(28, 28, 1);

        Assert.Equal(pixels.Select(p => p / 15), PgmImage.Read(binary, shape));
        Assert.Equal(PgmImage.Read(binary, shape), PgmImage.Read(binary, Shape.Flat(784)));
        InvalidDataException wrong = Assert.Throws<InvalidDataException>(() => PgmImage.Read(binary, Shape.Image(28, 28, 3)));
        Assert.Equal($"'{binary}': the image is 28x28 greyscale; the network takes 28x28 with 3 channel(s).", wrong.Message);
        Assert.Equal(PgmImage.Read(binary, shape), PgmImage.Read(plain, shape));
    }

    [Theory]
    [InlineData("P6\n28 28\n255\n", "not a PGM image (it starts with 'P6', a PGM with 'P5' or 'P2')")]
    [InlineData("P5\n32 32\n255\n", "the image is 32x32 greyscale; the network takes 784 pixels")]
    [InlineData("P5\n28 28\n255\n\u0001\u0002", "784 pixels of 1 byte(s) expected, 2 bytes found")]
    [InlineData("P2\n28 28\nx\n", "the maximum value 'x' is not a whole number")]
    [InlineData("P5\n28", "the file ends too early")]
    public void ABadImageIsOneLineNamingTheFile(string contents, string problem)
    {
        string weights = SavedWeights();
        string image = _directory.WriteText("bad.pgm", contents);

        TrainerRun run = TrainerRun.Of("predict", "mnist-mlp", "--weights", weights, "--image", image);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Equal([$"convgen-train: '{image}': {problem}."], run.ErrorLines);
    }

    [Fact]
    public void TrainWritesTheReportAndTheOnnxModel()
    {
        string report = _directory.File("report/run1");
        string onnx = _directory.File("mlp.onnx");
        TrainerRun train = TrainerRun.Of("mnist-mlp", "--epochs", "1", "--batch-size", "16", "--mnist", Mnist, "--report", report, "--export", onnx);

        Assert.Equal((ExitCodes.Success, string.Empty), (train.ExitCode, train.Error));
        string page = Path.Combine(report, ConvGen.Plots.TrainingReport.FileName);
        Assert.Contains($"Report written to {page}", train.Out, StringComparison.Ordinal);
        string html = File.ReadAllText(page);
        Assert.Contains("mnist-mlp, seed 42", html, StringComparison.Ordinal);
        Assert.Contains("--report", html, StringComparison.Ordinal);
        Assert.NotEmpty(Directory.GetFiles(report, "*.png"));

        // An ONNX file: a protobuf ModelProto whose graph names ConvGen as its producer.
        Assert.Contains($"ONNX model exported to {onnx}", train.Out, StringComparison.Ordinal);
        Assert.Contains("ConvGen", Encoding.UTF8.GetString(File.ReadAllBytes(onnx)), StringComparison.Ordinal);
    }

    [Fact]
    public void UnwritableReportAndExportPathsAreRefusedBeforeAnythingIsTrained()
    {
        string file = _directory.WriteText("a-file", "not a directory");
        TrainerRun report = TrainerRun.Of("mnist-mlp", "--mnist", Mnist, "--report", Path.Combine(file, "report"));
        Assert.Equal(ExitCodes.Usage, report.ExitCode);
        Assert.Equal([$"convgen-train: --report '{Path.Combine(file, "report")}': '{file}' is a file, not a directory."], report.ErrorLines);
        Assert.Equal(string.Empty, report.Out);

        TrainerRun export = TrainerRun.Of("mnist-mlp", "--mnist", Mnist, "--export", Mnist);
        Assert.Equal(ExitCodes.Usage, export.ExitCode);
        Assert.Equal([$"convgen-train: --export '{Mnist}' is a directory; give a file name."], export.ErrorLines);
    }

    [Fact]
    public void AnUnwritableSavePathIsRefusedBeforeAnythingIsTrained()
    {
        string file = _directory.WriteText("a-file", "not a directory");
        string underAFile = Path.Combine(file, "weights.cgw");

        TrainerRun run = TrainerRun.Of("mnist-mlp", "--mnist", Mnist, "--save", underAFile);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal([$"convgen-train: --save '{underAFile}': '{file}' is a file, not a directory."], run.ErrorLines);
        Assert.Equal(string.Empty, run.Out);

        string missing = _directory.File("no-such-dir/weights.cgw");
        Assert.Equal(
            [$"convgen-train: --save '{missing}': the directory '{_directory.File("no-such-dir")}' does not exist."],
            TrainerRun.Of("mnist-mlp", "--mnist", Mnist, "--save", missing).ErrorLines);
        Assert.Equal(
            [$"convgen-train: --save '{Mnist}' is a directory; give a file name."],
            TrainerRun.Of("mnist-mlp", "--mnist", Mnist, "--save", Mnist).ErrorLines);

        // Even root cannot create a file in /proc: the check writes a probe rather than reading permissions.
        if (OperatingSystem.IsLinux())
        {
            TrainerRun proc = TrainerRun.Of("mnist-mlp", "--mnist", Mnist, "--save", "/proc/weights.cgw");
            Assert.Equal(ExitCodes.Usage, proc.ExitCode);
            Assert.StartsWith("convgen-train: --save '/proc/weights.cgw': cannot write into '/proc' (", proc.FirstError, StringComparison.Ordinal);
            Assert.Equal(string.Empty, proc.Out);
        }
    }

    [Fact]
    public void MissingMnistFilesAreOneLineAndExitCode1()
    {
        string empty = _directory.File("empty");
        Directory.CreateDirectory(empty);

        TrainerRun run = TrainerRun.Of("mnist-mlp", "--mnist", empty);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        string line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("convgen-train: ", line, StringComparison.Ordinal);
        Assert.Contains("train-images-idx3-ubyte", line, StringComparison.Ordinal);
        Assert.Contains(empty, line, StringComparison.Ordinal);
    }

    [Fact]
    public void WeightsOfAnotherNetworkOrACorruptFileAreOneLineAndExitCode1()
    {
        string weights = SavedWeights();
        TrainerRun other = TrainerRun.Of("evaluate", "mnist-cnn", "--weights", weights, "--mnist", Mnist);
        Assert.Equal(ExitCodes.Failure, other.ExitCode);
        Assert.Equal([$"convgen-train: Cannot load weights from '{weights}': it holds 6 weight arrays but model 'MnistCnn' has 8."], other.ErrorLines);

        string corrupt = _directory.WriteText("corrupt.cgw", "not weights at all");
        TrainerRun bad = TrainerRun.Of("predict", "mnist-mlp", "--weights", corrupt, "--index", "0", "--mnist", Mnist);
        Assert.Equal(ExitCodes.Failure, bad.ExitCode);
        Assert.Contains(corrupt, Assert.Single(bad.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public void AnIndexPastTheTestSetIsAUsageError()
    {
        TrainerRun run = TrainerRun.Of("predict", "mnist-mlp", "--weights", SavedWeights(), "--index", "16", "--mnist", Mnist);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal(["convgen-train: --index needs a test image from 0 to 15; got '16'."], run.ErrorLines);
    }

    [Fact]
    public void ListAndSummaryPrintTheCatalogue()
    {
        TrainerRun list = TrainerRun.Of("list");
        Assert.Equal(ExitCodes.Success, list.ExitCode);
        Assert.Equal(SeedNetwork.All.Select(n => n.Name), list.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ')[0]));
        Assert.Equal(list.Out, TrainerRun.Of("--list").Out);

        TrainerRun summary = TrainerRun.Of("summary", "beating-vgg-bn");
        Assert.Equal(ExitCodes.Success, summary.ExitCode);
        Assert.Equal(SeedNetwork.Find("beating-vgg-bn")!.Create(0).Summary().TrimEnd(), summary.Out.TrimEnd());
        Assert.Equal(summary.Out, TrainerRun.Of("beating-vgg-bn", "--summary").Out);
    }

    private string SavedWeights()
    {
        string path = _directory.File("saved.cgw");
        SeedNetwork.Find("mnist-mlp")!.Create(3).Save(path);
        return path;
    }

    private static string Between(string text, string start, string end)
    {
        int from = text.IndexOf(start, StringComparison.Ordinal) + start.Length;
        return text[from..text.IndexOf(end, from, StringComparison.Ordinal)];
    }

    [Fact]
    public void TimingWritesTheRunsTimesAsJsonForTheAotBenchmark()
    {
        // The benchmark of the NativeAOT trainer against the JIT reads this file (benchmarks/ConvGen.Benchmarks/Aot).
        string timing = _directory.File("timing.json");
        TrainerRun run = TrainerRun.Of("mnist-mlp", "--epochs", "2", "--batch-size", "16", "--verbose", "0", "--mnist", Mnist, "--timing", timing);
        Assert.Equal((ExitCodes.Success, string.Empty), (run.ExitCode, run.Error));

        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(timing));
        System.Text.Json.JsonElement root = json.RootElement;
        Assert.Equal("mnist-mlp", root.GetProperty("network").GetString());
        Assert.Equal(ConvGen.Engines.CompiledEngine.InstructionSet, root.GetProperty("kernels").GetString());
        Assert.Equal("jit", root.GetProperty("build").GetString());
        Assert.Equal(2 * 64, root.GetProperty("samples").GetInt64());
        Assert.Equal(64, root.GetProperty("samplesAfterFirstEpoch").GetInt64());
        double toFirstStep = root.GetProperty("secondsToFirstStep").GetDouble();
        double toFirstStepDone = root.GetProperty("secondsToFirstStepDone").GetDouble();
        double training = root.GetProperty("trainingSeconds").GetDouble();
        double afterFirstEpoch = root.GetProperty("secondsAfterFirstEpoch").GetDouble();
        Assert.True(toFirstStep > 0 && toFirstStepDone >= toFirstStep, $"{toFirstStep} then {toFirstStepDone}");
        Assert.True(afterFirstEpoch > 0 && afterFirstEpoch < training, $"{afterFirstEpoch} of {training}");

        // One epoch has no steady state to report.
        TrainerRun one = TrainerRun.Of("mnist-mlp", "--epochs", "1", "--batch-size", "16", "--verbose", "0", "--mnist", Mnist, "--timing", timing);
        Assert.Equal(ExitCodes.Success, one.ExitCode);
        using var oneJson = System.Text.Json.JsonDocument.Parse(File.ReadAllText(timing));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, oneJson.RootElement.GetProperty("secondsAfterFirstEpoch").ValueKind);

        string missing = _directory.File("no-such-dir/timing.json");
        TrainerRun refused = TrainerRun.Of("mnist-mlp", "--mnist", Mnist, "--timing", missing);
        Assert.Equal(ExitCodes.Usage, refused.ExitCode);
        Assert.Equal([$"convgen-train: --timing '{missing}': the directory '{_directory.File("no-such-dir")}' does not exist."], refused.ErrorLines);
    }

    [Fact]
    public void InfoNamesTheKernelsAndTheRuntime()
    {
        TrainerRun run = TrainerRun.Of("info");

        Assert.Equal((ExitCodes.Success, string.Empty), (run.ExitCode, run.Error));
        Assert.StartsWith("ConvGen 0.", run.Out, StringComparison.Ordinal);
        Assert.Contains($"Kernels: {ConvGen.Engines.CompiledEngine.InstructionSet}\n", run.Out, StringComparison.Ordinal);
        Assert.Contains(", JIT, X64", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void RunReportsWriteTheirJsonFromGeneratedMetadata()
    {
        // Source-generated (RunReportJson), so the NativeAOT trainer writes it too; the shape is the reflection one's.
        string path = _directory.File("report");
        var options = new ConvGen.Models.Recipes.ChainOptions(Members: 2, Quick: true);
        IReadOnlyList<ConvGen.Models.Recipes.BeatingMnistChain.StepResult> steps = [new("model 10", 0.9967, 0.995f, 0.02f, 12.5)];
        RunReport.Write(path, "convgen-train beating-mnist", DateTimeOffset.Now, options, RunReportJson.Default.ChainOptions, "| table |", steps, RunReportJson.Default.IReadOnlyListStepResult);

        Assert.EndsWith("| table |", File.ReadAllText(path + ".md"), StringComparison.Ordinal);
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path + ".json"));
        System.Text.Json.JsonElement root = json.RootElement;
        Assert.Equal("convgen-train beating-mnist", root.GetProperty("Command").GetString());
        Assert.Equal(2, root.GetProperty("Options").GetProperty("Members").GetInt32());
        Assert.True(root.GetProperty("Options").GetProperty("Quick").GetBoolean());
        Assert.Equal("model 10", root.GetProperty("Results")[0].GetProperty("Step").GetString());
        Assert.Equal(0.995f, root.GetProperty("Results")[0].GetProperty("Accuracy").GetSingle());

        var best = new MnistBestRun([1, 2, 3], 30, Validation: true);
        Assert.Equal("seeds 1,2,3, 30 epochs, validation", best.ToString());
    }
}
