using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ConvGen.Threading;

/// <summary>Work split over a <see cref="WorkerTeam"/>: <see cref="Execute"/> runs once per thread index.</summary>
public interface ITeamWork
{
    /// <summary>Runs part <paramref name="thread"/> of <paramref name="threads"/>.</summary>
    void Execute(int thread, int threads);
}

/// <summary>
/// A fixed team of threads for steps that last from tens of microseconds to tens of milliseconds: the caller runs
/// part 0 itself while persistent workers run the others. Workers wait for work by spinning on a padded counter for a
/// bounded time (a wake-up then costs well under a microsecond) and only then block, so an idle team costs nothing and
/// an oversubscribed machine is not made worse by spinning. <see cref="Run"/> allocates nothing.
/// </summary>
public sealed class WorkerTeam : IDisposable
{
    // How long a worker spins for the next step before blocking: longer than the gap between two training steps
    // (the optimizer update, batch gathering), far shorter than a scheduler quantum.
    private static readonly long SpinTicks = System.Diagnostics.Stopwatch.Frequency / 5_000; // 200 µs

    private readonly Thread[] _workers;
    private readonly SpinBarrier[] _barriers;
    private readonly SemaphoreSlim[] _wake;
    private PaddedCounter _generation;
    private PaddedCounter _finished;
    private PaddedCounter _sleeping;
    private ITeamWork? _work;
    private Exception? _failure;
    private volatile bool _disposed;

    /// <summary>A team of <paramref name="threads"/> (the caller and threads - 1 workers).</summary>
    public WorkerTeam(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        Threads = threads;
        _barriers = new SpinBarrier[threads + 1];
        for (int participants = 1; participants <= threads; participants++)
        {
            _barriers[participants] = new SpinBarrier(participants);
        }

        _workers = new Thread[threads - 1];
        _wake = new SemaphoreSlim[threads - 1];
        for (int i = 0; i < _workers.Length; i++)
        {
            int index = i + 1;
            _wake[i] = new SemaphoreSlim(0);
            _workers[i] = new Thread(() => WorkerLoop(index)) { IsBackground = true, Name = $"ConvGen worker {index}" };
            _workers[i].Start();
        }
    }

    /// <summary>Threads in the team, the caller included.</summary>
    public int Threads { get; }

    /// <summary>Whether every worker is spinning for work (none blocked), so a step starts on all threads at once.</summary>
    public bool Awake => Volatile.Read(ref _sleeping.Value) == 0;

    /// <summary>Wakes the blocked workers without giving them work: they spin for the next step again for a while.
    /// For a caller about to run a stream of short steps.</summary>
    public void Wake()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (SemaphoreSlim wake in _wake)
        {
            if (wake.CurrentCount == 0)
            {
                wake.Release();
            }
        }
    }

    /// <summary>A barrier for the first <paramref name="participants"/> threads of the team (a step may need fewer
    /// threads than the team has), for use inside <see cref="ITeamWork.Execute"/>.</summary>
    public SpinBarrier Barrier(int participants) => _barriers[participants];

    /// <summary>Runs <paramref name="work"/> on every thread of the team (part 0 on the caller) and returns when all
    /// parts are done; rethrows the first exception a part threw.</summary>
    public void Run(ITeamWork work)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Threads == 1)
        {
            work.Execute(0, 1);
            return;
        }

        _work = work;
        _failure = null;
        Volatile.Write(ref _finished.Value, 0);
        Interlocked.Increment(ref _generation.Value);
        foreach (SemaphoreSlim wake in _wake)
        {
            if (wake.CurrentCount == 0)
            {
                wake.Release();
            }
        }

        try
        {
            work.Execute(0, Threads);
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _failure, e, null);
            AbandonBarriers();
        }

        var spinner = default(SpinWait);
        while (Volatile.Read(ref _finished.Value) < _workers.Length)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }

        _work = null;
        if (_failure is Exception failure)
        {
            foreach (SpinBarrier? barrier in _barriers)
            {
                barrier?.Reset();
            }

            throw new AggregateException("A training-step thread failed.", failure);
        }
    }

    /// <summary>Stops the workers.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Interlocked.Increment(ref _generation.Value);
        foreach (SemaphoreSlim wake in _wake)
        {
            wake.Release();
        }

        foreach (Thread worker in _workers)
        {
            worker.Join();
        }

        foreach (SemaphoreSlim wake in _wake)
        {
            wake.Dispose();
        }
    }

    private void WorkerLoop(int index)
    {
        // The generation the team was created with (0), not the current one: a worker that starts late must still run
        // the step that was published before it got going.
        long seen = 0;
        while (true)
        {
            seen = WaitForGeneration(index, seen);
            if (_disposed)
            {
                return;
            }

            try
            {
                _work!.Execute(index, Threads);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
                AbandonBarriers();
            }

            Interlocked.Increment(ref _finished.Value);
        }
    }

    private void AbandonBarriers()
    {
        foreach (SpinBarrier? barrier in _barriers)
        {
            barrier?.Abandon();
        }
    }

    private long WaitForGeneration(int index, long seen)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        var spinner = default(SpinWait);
        while (true)
        {
            long generation = Volatile.Read(ref _generation.Value);
            if (generation != seen)
            {
                return generation;
            }

            if (System.Diagnostics.Stopwatch.GetTimestamp() - start < SpinTicks)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
                continue;
            }

            // Block until the next Run, Wake or Dispose releases this worker's semaphore, then look again.
            Interlocked.Increment(ref _sleeping.Value);
            _wake[index - 1].Wait();
            Interlocked.Decrement(ref _sleeping.Value);
            start = System.Diagnostics.Stopwatch.GetTimestamp();
        }
    }

    /// <summary>A counter alone on its cache line, so spinning threads do not slow the threads writing beside it.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct PaddedCounter
    {
        [FieldOffset(64)]
        public long Value;
    }
}

/// <summary>
/// A reusable barrier for the threads of one <see cref="WorkerTeam"/> step (sense-reversing, spinning: the waits are
/// short and the threads few). Passing it orders memory: what a thread wrote before is visible to all after.
/// </summary>
public sealed class SpinBarrier
{
    private readonly int _participants;
    private int _remaining;
    private int _sense;
    private volatile bool _abandoned;

    /// <summary>The barrier of a single thread: passing it does nothing.</summary>
    public static SpinBarrier None { get; } = new(1);

    internal SpinBarrier(int participants)
    {
        _participants = participants;
        _remaining = participants;
    }

    /// <summary>Waits until every thread of the team has called <see cref="SignalAndWait"/> for this phase.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void SignalAndWait()
    {
        if (_participants == 1)
        {
            return;
        }

        int sense = Volatile.Read(ref _sense);
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            Volatile.Write(ref _remaining, _participants);
            Interlocked.Exchange(ref _sense, 1 - sense);
            return;
        }

        var spinner = default(SpinWait);
        while (Volatile.Read(ref _sense) == sense)
        {
            if (_abandoned)
            {
                throw new OperationCanceledException("Another thread of the training step failed.");
            }

            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }

    internal void Abandon() => _abandoned = true;

    internal void Reset()
    {
        _abandoned = false;
        Volatile.Write(ref _remaining, _participants);
    }
}
