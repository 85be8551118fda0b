using ConvGen.Engines;
using ConvGen.Tests.Generated;

namespace ConvGen.Tests.Concurrency;

/// <summary>
/// One model served from many threads at once, as a web service does: every prediction and evaluation must be,
/// to the bit, what the same call returns on a single thread, with one and with two engine threads, whether the calls
/// run side by side (a batch the engine runs on one thread) or take turns (a batch that needs the engine's threads).
/// Per instruction-set path (CI repeats the Gradients category with AVX-512 and AVX2 off). Before the engine was made
/// safe for this, two engine threads hung, four callers threw NullReferenceException, and one engine thread returned
/// wrong probabilities for 3,362 of 8,000 calls.
/// </summary>
[Trait("Category", "Gradients")]
public class ConcurrentPredictionTests
{
    private const int Callers = 8;
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    public static TheoryData<string, int> Configurations => new()
    {
        { nameof(SmallServingModel), 1 },
        { nameof(SmallServingModel), 2 },
        { nameof(SharedServingModel), 1 },
        { nameof(SharedServingModel), 2 },
    };

    private static Model Create(string name, int threads)
    {
        Model model = name == nameof(SmallServingModel) ? new SmallServingModel(seed: 5) : new SharedServingModel(seed: 5);
        model.Engine.Threads = threads;
        return model;
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void ConcurrentSingleImagePredictionsAreTheSingleThreadedOnesBitForBit(string name, int threads)
    {
        Model model = Create(name, threads);
        int calls = name == nameof(SmallServingModel) ? 1000 : 250;
        (float[] images, _) = EngineComparison.Batch(model.Description, 64, seed: 11, blankColumns: 3);
        int size = model.Description.InputShape.Size;
        float[][] expected = [.. Enumerable.Range(0, 64).Select(i => model.Predict(images.AsSpan(i * size, size)))];

        int wrong = 0;
        RunCallers(caller =>
        {
            for (int call = 0; call < calls; call++)
            {
                int image = ((caller * 17) + (call * 5)) % 64;
                if (!model.Predict(images.AsSpan(image * size, size)).AsSpan().SequenceEqual(expected[image]))
                {
                    Interlocked.Increment(ref wrong);
                }
            }
        });

        Assert.Equal(0, wrong);
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void CallsMeetingAnotherRunBesideItWhereTheyCanAndWaitWhereTheyCannot(string name, int threads)
    {
        // The stress tests above meet other calls only when the machine runs their threads at the same moment; here the
        // engine is held (as while its threads change) for as long as the callers take, so every call meets it.
        Model model = Create(name, threads);
        (float[] images, int[] labels) = EngineComparison.Batch(model.Description, 8, seed: 13);
        int size = model.Description.InputShape.Size;
        float[][] expected = [.. Enumerable.Range(0, 8).Select(i => model.Predict(images.AsSpan(i * size, size)))];
        BatchMetrics expectedMetrics = model.Engine.Evaluate(model.Buffers, images, labels, 3);
        bool runsAlone = !(name == nameof(SharedServingModel) && threads == 2);

        int done = 0;
        int wrong = 0;
        Thread[] callers = [.. Enumerable.Range(0, 4).Select(caller => new Thread(() =>
        {
            for (int call = 0; call < 25; call++)
            {
                int image = (caller + call) % 8;
                bool right = call % 5 == 4
                    ? model.Engine.Evaluate(model.Buffers, images, labels, 3) == expectedMetrics
                    : model.Predict(images.AsSpan(image * size, size)).AsSpan().SequenceEqual(expected[image]);
                if (!right)
                {
                    Interlocked.Increment(ref wrong);
                }

                Interlocked.Increment(ref done);
            }
        }) { IsBackground = true })];

        using (model.Engine.EnterConfiguring(wait: false))
        {
            foreach (Thread caller in callers)
            {
                caller.Start();
            }

            if (runsAlone)
            {
                Assert.All(callers, caller => Assert.True(caller.Join(Limit), "a call that can run alone waited"));
                Assert.Equal(100, model.Engine.CallsRunAlone);
            }
            else
            {
                Thread.Sleep(200);
                Assert.Equal(0, Volatile.Read(ref done));
            }
        }

        Assert.All(callers, caller => Assert.True(caller.Join(Limit)));
        Assert.Equal(100, done);
        Assert.Equal(0, wrong);
        if (!runsAlone)
        {
            Assert.Equal(0, model.Engine.CallsRunAlone);
        }
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void ConcurrentBatchPredictionsAndEvaluationsAreTheSingleThreadedOnesBitForBit(string name, int threads)
    {
        Model model = Create(name, threads);
        (float[] images, int[] labels) = EngineComparison.Batch(model.Description, 96, seed: 12);
        var data = new Dataset(images, labels, model.Description.InputShape);
        float[][] expectedRows = model.Predict(data, batchSize: 32);
        int[] expectedClasses = model.PredictClasses(data, batchSize: 5);
        (float Loss, float Accuracy) expectedEvaluation = model.Evaluate(data, batchSize: 32);
        (float Loss, float Accuracy) expectedSmallBatches = model.Evaluate(data, batchSize: 3);

        int wrong = 0;
        int rounds = name == nameof(SmallServingModel) ? 20 : 3;
        RunCallers(caller =>
        {
            for (int round = 0; round < rounds; round++)
            {
                bool right = ((caller + round) % 4) switch
                {
                    0 => model.Predict(data, batchSize: 32).Zip(expectedRows).All(pair => pair.First.AsSpan().SequenceEqual(pair.Second)),
                    1 => model.PredictClasses(data, batchSize: 5).SequenceEqual(expectedClasses),
                    2 => model.Evaluate(data, batchSize: 32) == expectedEvaluation,
                    _ => model.Evaluate(data, batchSize: 3) == expectedSmallBatches,
                };
                if (!right)
                {
                    Interlocked.Increment(ref wrong);
                }
            }
        });

        Assert.Equal(0, wrong);
    }

    /// <summary>Runs <see cref="Callers"/> threads (real ones, not the thread pool, which starts few on two cores),
    /// released together, each calling <paramref name="work"/> with its index; fails if one throws or hangs.</summary>
    internal static void RunCallers(Action<int> work, int callers = Callers)
    {
        using var start = new Barrier(callers);
        var failures = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        Thread[] threads = [.. Enumerable.Range(0, callers).Select(caller => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                work(caller);
            }
            catch (Exception e)
            {
                failures.Add(e);
            }
        }) { IsBackground = true, Name = $"caller {caller}" })];
        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        foreach (Thread thread in threads)
        {
            Assert.True(thread.Join(Limit), $"{thread.Name} did not finish within {Limit}: a hang");
        }

        Assert.True(failures.IsEmpty, string.Join("\n\n", failures.Take(3)));
    }
}
