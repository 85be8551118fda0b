using System.CommandLine;
using System.Globalization;
using ConvGen.Models;

namespace ConvGen.Train.Commands;

/// <summary>
/// <c>convgen-train predict &lt;network&gt; --weights FILE (--index N | --image FILE.pgm)</c>: the class probabilities
/// of one image, either MNIST test image N or a greyscale PGM file of the network's input size (white digit on black,
/// as MNIST; pixels scaled to 0–1 by the file's maximum value).
/// </summary>
internal static class PredictCommand
{
    public static Command Create(CommandContext context)
    {
        Argument<string> network = Arguments.Network(hasDefault: false);
        Option<string> weights = Arguments.Weights();
        var index = new Option<int?>("--index")
        {
            Description = "Classify MNIST test image N (0-9999)",
            HelpName = "N",
            CustomParser = result => Arguments.Integer(result, minimum: 0),
        };
        var image = new Option<string?>("--image")
        {
            Description = "Classify the image in FILE, a binary (P5) or plain (P2) PGM of the network's input size",
            HelpName = "FILE",
        };
        Option<string?> mnist = Arguments.MnistDirectory();
        var command = new Command("predict", "Classify one image with saved weights and print every class's probability") { network, weights, index, image, mnist };
        command.Validators.Add(result =>
        {
            bool hasIndex = result.GetResult(index) is not null;
            bool hasImage = result.GetResult(image) is not null;
            if (hasIndex == hasImage)
            {
                result.AddError(hasIndex ? "Give --index or --image, not both." : "Give the image to classify: --index N (an MNIST test image) or --image FILE (a PGM file).");
            }
        });
        command.SetAction(parseResult =>
        {
            SeedNetwork seed = parseResult.GetNetwork(network);
            Model model = EvaluateCommand.LoadModel(seed, parseResult.GetRequiredValue(weights));
            using var engine = model.Engine as IDisposable;
            Shape shape = model.Description.InputShape;
            float[] pixels;
            string what;
            int? label = null;
            if (parseResult.GetValue(image) is { } path)
            {
                pixels = PgmImage.Read(path, shape);
                what = $"'{path}'";
            }
            else
            {
                int n = parseResult.GetValue(index)!.Value;
                Dataset test = MnistData.Load(parseResult.GetValue(mnist)).Test;
                if (n >= test.Count)
                {
                    throw new UsageException(Invariant($"--index needs a test image from 0 to {test.Count - 1}; got '{n}'."));
                }

                pixels = test.Image(n);
                label = test.Label(n);
                what = Invariant($"MNIST test image {n} (label {test.Label(n)})");
            }

            float[] probabilities = model.Predict(pixels);
            int predicted = Array.IndexOf(probabilities, probabilities.Max());
            context.Out.WriteLine($"{seed.Name} on {what}:");
            for (int c = 0; c < probabilities.Length; c++)
            {
                context.Out.WriteLine(Invariant($"  {c,2}: {probabilities[c]:0.0000}{(c == predicted ? "  <- predicted" : string.Empty)}"));
            }

            string verdict = label is null ? string.Empty : label == predicted ? ", correct" : Invariant($", wrong: the label is {label}");
            context.Out.WriteLine(Invariant($"Predicted class: {predicted} ({probabilities[predicted] * 100:0.00} %){verdict}"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
