using System.Security.Cryptography;
using ConvGen;
using ConvGen.Engines;

// CI's check of the ConvGen package (.ci/run): a fresh console project that references nothing but the package gets
// this file as its Program.cs, builds with warnings as errors, runs, and runs again published with NativeAOT. It does
// what a user's first program does: declare a model, train it, evaluate it, save and load it. Exit code 0 only if it
// learned its task and the weights survived the round trip. Published with ConvGen's instruction-set builds, it hands
// over to the fastest one first; CI runs each build (CONVGEN_ISA) and the JIT on each path, and compares the weights.
NativeAotBuilds.RunFastest(args);

const int Count = 640;
const int Held = 128;
var random = new Random(7);
var images = new float[Count * 64];
var labels = new int[Count];
for (int i = 0; i < Count; i++)
{
    // Class 0: the left half is brighter; class 1: the right half; noise everywhere.
    labels[i] = i % 2;
    for (int y = 0; y < 8; y++)
    {
        for (int x = 0; x < 8; x++)
        {
            bool bright = (x < 4) == (labels[i] == 0);
            images[(i * 64) + (y * 8) + x] = (bright ? 0.6f : 0.2f) + (0.4f * random.NextSingle());
        }
    }
}

var data = new Dataset(images, labels, height: 8, width: 8, channels: 1);
Dataset train = data.Slice(0, Count - Held);
Dataset test = data.Slice(Count - Held, Held);

var model = new SmokeNet(seed: 1);
Console.WriteLine(model.Summary());
Console.WriteLine($"Kernels: {CompiledEngine.InstructionSet}");
Console.WriteLine($"Build: {NativeAotBuilds.Current ?? "JIT"}");
model.Fit(train, epochs: 8, batchSize: 32, optimizer: new Adam(), verbose: 2);
(float loss, float accuracy) = model.Evaluate(test);
Console.WriteLine($"Test loss {loss:0.0000}, accuracy {accuracy:P1}");

string path = Path.Combine(Path.GetTempPath(), $"convgen-smoke-{Environment.ProcessId}.cgw");
model.Save(path);
var loaded = new SmokeNet(seed: 2);
loaded.Load(path);
File.Delete(path);
bool sameWeights = model.GetWeights().Zip(loaded.GetWeights()).All(pair => pair.First.AsSpan().SequenceEqual(pair.Second));
bool samePrediction = model.Predict(test.Image(0)).AsSpan().SequenceEqual(loaded.Predict(test.Image(0)));
Console.WriteLine($"Saved and loaded: same weights {sameWeights}, same prediction {samePrediction}");
byte[] bits = model.GetWeights().SelectMany(w => w.SelectMany(BitConverter.GetBytes)).ToArray();
Console.WriteLine($"Weights: SHA-256 {Convert.ToHexString(SHA256.HashData(bits))}");
return accuracy >= 0.95f && sameWeights && samePrediction ? 0 : 1;

[Sequential(8, 8, 1)]
[Conv2D(8, 3, Activation = Activation.Relu)]
[MaxPooling2D(2)]
[Flatten]
[Dense(16, Activation = Activation.Relu)]
[Dense(2, Activation = Activation.Softmax)]
public partial class SmokeNet;
