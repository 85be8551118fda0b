using ConvGen;
using ConvGen.Benchmarks.Comparison;
using ConvGen.Models;

// Every seed network through each way the engine runs its kernels: two training steps (the batch split by chunks or a
// layer by kernel rows), a batch prediction and two one-image predictions (the split pass), at the network's batch
// size and on the engine's default threads. The results are not used: the point is that the JIT compiles every kernel
// method, so a parent process that set DOTNET_JitDisasm sees all of them. Prints how many networks ran.
int networks = 0;
foreach (SeedNetwork network in SeedNetwork.All)
{
    Model model = network.Create(1);
    ModelDescription description = model.Description;
    int batch = network.BatchSize;
    TrainingBatch data = TrainingBatch.Random(description, batch, seed: 1);
    float[] images = data.Images;
    float[] probabilities = new float[batch * description.Classes];
    var optimizer = new Adam();
    for (ulong step = 1; step <= 2; step++)
    {
        model.Engine.TrainStep(model.Buffers, images, data.Labels, batch, step, optimizer);
    }

    model.Engine.Predict(model.Buffers, images, batch, probabilities);
    for (int call = 0; call < 2; call++)
    {
        model.Engine.Predict(model.Buffers, images.AsSpan(0, description.InputShape.Size), 1, probabilities.AsSpan(0, description.Classes));
    }

    networks++;
}

Console.WriteLine($"{networks} networks");
