using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ConvGen.Threading;

namespace ConvGen.Engines;

/// <summary>
/// Base of the engines the generator emits, one per annotated class. It splits each batch into contiguous chunks, one
/// per thread of a persistent <see cref="WorkerTeam"/>; each thread runs the generated forward and backward passes on
/// its chunk with its own workspace and its own gradient buffer, and the buffers are then summed in a fixed order
/// (results are identical for a given seed and thread count). Batch normalisation meets at a barrier to combine its
/// statistics over the whole batch. A dense layer reading the images, and every large dense layer, is trained by rows
/// instead: each thread owns a range of the kernel's rows for the whole batch (<see cref="OwnedParameters"/>), computes
/// their whole gradient and updates them itself, so the large weight matrices are never shared between cores.
/// Workspaces are sized per sample at build time and grown only when a larger chunk arrives, so a step allocates
/// nothing. The generated code picks its instruction set once, from <see cref="IsAvx512"/> and <see cref="IsAvx2"/>,
/// which the JIT folds to constants.
/// Calls from several threads: one at a time holds these workspaces and the team; a batch the engine runs on one
/// thread anyway also runs beside it, on its caller's thread with a workspace of its own (see <see cref="Engine"/>).
/// </summary>
public abstract class CompiledEngine : Engine, IDisposable
{
    /// <summary>The smallest chunk a thread is given: below it a second thread costs more than it saves.</summary>
    public const int MinimumChunk = 4;

    /// <summary>
    /// The largest batch the threads may instead share layer by layer (the generated split pass: each thread computes
    /// part of every layer's output, with a barrier wherever one reads what another wrote): batches too small to give
    /// two threads a chunk each, above all the single image of a latency-bound prediction.
    /// </summary>
    public const int SplitSamples = (2 * MinimumChunk) - 1;

    // Split passes cost a barrier per layer (tens of nanoseconds each when the team is awake): worth it from about
    // this much arithmetic per part (a few microseconds of one core's time).
    private const long SplitMultiplyAddsPerPart = 40_000;

    // A sleeping team takes tens of microseconds to wake: below this much arithmetic a prediction does not wait for
    // it; it runs alone and wakes the team for the next one.
    private const long SplitWakeMultiplyAdds = 2_000_000;

    private readonly int _workspacePerSample;
    private readonly int _workspacePerThread;
    private readonly int _sharedLength;
    private readonly int _partialsPerThread;
    private readonly int _batchPerSample;
    private readonly int _batchPartialsPerSample;
    private readonly long _forwardMultiplyAdds;
    private readonly TrainWork _train;
    private readonly EvaluateWork _evaluate;
    private readonly PredictWork _predict;
    private readonly PredictSplitWork _predictSplit;
    private readonly EvaluateSplitWork _evaluateSplit;
    private int _threads = DefaultThreads();
    private WorkerTeam? _team;
    private AlignedBuffer?[] _workspaces = [];
    private AlignedBuffer?[] _gradients = [];
    private AlignedBuffer? _shared;
    private int _capacity;
    private BatchMetrics[] _metrics = [];
    private readonly AloneWorkspace?[] _aloneWorkspaces = new AloneWorkspace?[8];

    /// <summary>Checks the generated layout against <paramref name="description"/>'s and remembers the workspace sizes.</summary>
    /// <param name="description">The model, as the runtime lays it out.</param>
    /// <param name="parameterLength">The generated parameter-buffer length.</param>
    /// <param name="stateLength">The generated state-buffer length.</param>
    /// <param name="workspacePerSample">Workspace floats per sample of a thread's chunk.</param>
    /// <param name="workspacePerThread">Workspace floats per thread, independent of the chunk size.</param>
    /// <param name="sharedLength">Floats shared by the threads of a step (transposed kernels).</param>
    /// <param name="partialsPerThread">Floats each thread publishes to the others (batch-normalisation partial sums, dense partial sums of a split pass).</param>
    /// <param name="batchPerSample">Shared floats per sample of a training step's whole batch (the layers trained by rows).</param>
    /// <param name="batchPartialsPerSample">Shared floats per sample of the batch that each thread publishes (partial sums of the layers trained by rows).</param>
    /// <param name="weightOffsets">The generated offset of every weight, in Keras order.</param>
    protected CompiledEngine(ModelDescription description, int parameterLength, int stateLength, int workspacePerSample, int workspacePerThread, int sharedLength, int partialsPerThread, int batchPerSample, int batchPartialsPerSample, int[] weightOffsets)
        : base(description)
    {
        ArgumentNullException.ThrowIfNull(weightOffsets);
        bool matches = description.ParameterLength == parameterLength
            && description.StateLength == stateLength
            && description.Weights.Count == weightOffsets.Length
            && description.Weights.Select(w => w.Offset).SequenceEqual(weightOffsets);
        if (!matches)
        {
            throw new InvalidOperationException(
                $"The generated engine of '{description.Name}' lays out its weights differently from this ConvGen runtime; " +
                "the generator and the runtime come from different versions. Rebuild the project against one ConvGen version.");
        }

        _workspacePerSample = workspacePerSample;
        _workspacePerThread = workspacePerThread;
        _sharedLength = sharedLength;
        _partialsPerThread = partialsPerThread;
        _batchPerSample = batchPerSample;
        _batchPartialsPerSample = batchPartialsPerSample;
        _forwardMultiplyAdds = description.ForwardMultiplyAdds;
        _train = new TrainWork(this);
        _evaluate = new EvaluateWork(this);
        _predict = new PredictWork(this);
        _predictSplit = new PredictSplitWork(this);
        _evaluateSplit = new EvaluateSplitWork(this);
    }

    /// <summary>Whether the generated code runs its AVX-512 kernels (Vector512 accelerated).</summary>
    public static bool IsAvx512
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.IsHardwareAccelerated;
    }

    /// <summary>Whether the generated code runs its AVX2 kernels (Vector256 accelerated, with FMA), when not AVX-512.</summary>
    public static bool IsAvx2
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256.IsHardwareAccelerated && Fma.IsSupported;
    }

    /// <summary>The kernels in use: "AVX-512", "AVX2", or "Vector128" (the portable path: SSE or NEON).</summary>
    public static string InstructionSet => IsAvx512 ? "AVX-512" : IsAvx2 ? "AVX2" : "Vector128";

    /// <inheritdoc/>
    public override string Name => "compiled (" + InstructionSet + ")";

    /// <summary>
    /// Threads a batch is split over: by default the machine's processors, or <c>CONVGEN_THREADS</c> when set. A batch
    /// too small to give each thread <see cref="MinimumChunk"/> samples uses fewer.
    /// </summary>
    public override int Threads
    {
        get => _threads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaximumThreads);
            if (value != _threads)
            {
                using Scope scope = EnterConfiguring(wait: false);
                _threads = value;
                _team?.Dispose();
                _team = null;
            }
        }
    }

    /// <summary>When small batches are split layer by layer over the threads: by their arithmetic and the team's state
    /// (the default), always, or never (tests compare the two).</summary>
    internal SplitPolicy SplitPolicy { get; set; }

    /// <summary>Workspace floats a thread uses for a chunk of <paramref name="count"/> samples.</summary>
    public long WorkspaceLength(int count) => ((long)_workspacePerSample * count) + _workspacePerThread;

    /// <summary>Stops the engine's worker threads (they also stop on their own when the process ends), after the call
    /// in progress on another thread, if any.</summary>
    public void Dispose()
    {
        using Scope scope = EnterConfiguring(wait: true);
        _team?.Dispose();
        _team = null;
    }

    /// <inheritdoc/>
    protected sealed override void PredictCore(ModelBuffers buffers, ReadOnlySpan<float> images, int count, Span<float> probabilities)
    {
        int threads = Prepare(count, training: false);
        int parts = threads == 1 ? SplitParts(count) : 1;
        unsafe
        {
            fixed (float* imagesPointer = images)
            fixed (float* probabilitiesPointer = probabilities)
            {
                if (parts > 1)
                {
                    _predictSplit.Set(buffers, imagesPointer, null, probabilitiesPointer, count);
                    Run(_predictSplit, parts);
                }
                else
                {
                    _predict.Set(buffers, imagesPointer, null, probabilitiesPointer, count);
                    Run(_predict, threads);
                }
            }
        }
    }

    /// <inheritdoc/>
    protected sealed override BatchMetrics EvaluateCore(ModelBuffers buffers, ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count)
    {
        int threads = Prepare(count, training: false);
        int parts = threads == 1 ? SplitParts(count) : 1;
        unsafe
        {
            fixed (float* imagesPointer = images)
            fixed (int* labelsPointer = labels)
            {
                if (parts > 1)
                {
                    _evaluateSplit.Set(buffers, imagesPointer, labelsPointer, null, count);
                    Run(_evaluateSplit, parts);
                    return _metrics[0];
                }

                _evaluate.Set(buffers, imagesPointer, labelsPointer, null, count);
                Run(_evaluate, threads);
            }
        }

        return SumMetrics(threads);
    }

    /// <summary>
    /// How many threads share a batch of <paramref name="count"/> samples layer by layer: 1 (no split) unless the
    /// batch is at most <see cref="SplitSamples"/>, the engine has more than one thread and each part gets enough
    /// arithmetic to pay for its barriers. A sleeping team is not waited for on a small model: the prediction runs
    /// alone and wakes the team, which then stays awake for the next ones in a stream.
    /// </summary>
    private int SplitParts(int count)
    {
        if (_threads == 1 || count > SplitSamples || SplitPolicy == SplitPolicy.Never)
        {
            return 1;
        }

        long work = _forwardMultiplyAdds * count;
        int parts = SplitPolicy == SplitPolicy.Always ? _threads : (int)Math.Clamp(work / SplitMultiplyAddsPerPart, 1, _threads);
        if (parts == 1)
        {
            return 1;
        }

        WorkerTeam team = EnsureTeam();
        if (!team.Awake && work < SplitWakeMultiplyAdds && SplitPolicy == SplitPolicy.Auto)
        {
            team.Wake();
            return 1;
        }

        EnsureShared(_sharedLength + ((long)parts * _partialsPerThread), count);
        EnsureMetrics(parts);
        return parts;
    }

    /// <inheritdoc/>
    protected sealed override BatchMetrics ComputeGradientsCore(ModelBuffers buffers, ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count, ulong dropoutSeed) =>
        Train(buffers, images, labels, count, dropoutSeed, optimizer: null);

    /// <inheritdoc/>
    protected sealed override BatchMetrics TrainStepCore(ModelBuffers buffers, ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count, ulong dropoutSeed, Optimizer optimizer) =>
        Train(buffers, images, labels, count, dropoutSeed, optimizer);

    /// <inheritdoc/>
    private protected sealed override BatchMetrics TrainStepCore(ModelBuffers buffers, ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count, ulong dropoutSeed, Optimizer optimizer, IBatchPreparation preparation) =>
        Train(buffers, images, labels, count, dropoutSeed, optimizer, preparation);

    private BatchMetrics Train(ModelBuffers buffers, ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count, ulong dropoutSeed, Optimizer? optimizer, IBatchPreparation? preparation = null)
    {
        int threads = Prepare(count, training: true);
        long step = optimizer?.BeginStep(buffers.Parameters.Length, buffers.Gradients.Length) ?? 0;
        unsafe
        {
            fixed (float* imagesPointer = images)
            fixed (int* labelsPointer = labels)
            {
                _train.Set(buffers, imagesPointer, labelsPointer, null, count);
                _train.SetStep(dropoutSeed, optimizer, step, preparation);
                Run(_train, threads);
            }
        }

        return SumMetrics(threads);
    }

    /// <summary>Inference on one thread's chunk of <paramref name="count"/> images: writes their class probabilities.</summary>
    protected abstract void InferChunk(ref float images, int count, ref float parameters, ref float state, ref float workspace, int capacity, ref float probabilities);

    /// <summary>Inference on one thread's chunk of labelled images: their summed loss and correct count.</summary>
    protected abstract BatchMetrics EvaluateChunk(ref float images, ref int labels, int count, ref float parameters, ref float state, ref float workspace, int capacity);

    /// <summary>
    /// Inference on a small batch the threads share (at most <see cref="SplitSamples"/> images): runs on every thread
    /// of the team at once, each computing part <paramref name="part"/> of <paramref name="parts"/> of every layer in
    /// the one <paramref name="workspace"/>, meeting at <paramref name="barrier"/> after each layer; part 0 writes the
    /// class probabilities.
    /// </summary>
    protected abstract void InferSplit(ref float images, int count, ref float parameters, ref float state, ref float workspace, int capacity, ref float shared, ref float probabilities, int part, int parts, SpinBarrier barrier);

    /// <summary>Like <see cref="InferSplit"/> for labelled images: part 0 returns their summed loss and correct count,
    /// the others nothing.</summary>
    protected abstract BatchMetrics EvaluateSplit(ref float images, ref int labels, int count, ref float parameters, ref float state, ref float workspace, int capacity, ref float shared, int part, int parts, SpinBarrier barrier);

    /// <summary>
    /// A training step's forward and backward pass on one thread's chunk: samples <paramref name="first"/> ...
    /// <paramref name="first"/> + <paramref name="count"/> - 1 of a batch of <paramref name="total"/> (the chunk's images
    /// at <paramref name="images"/>, the batch's before them). Writes the chunk's share of the gradient of the mean loss
    /// over the whole batch into <paramref name="gradients"/>, the thread's own buffer, except for the parameters the
    /// thread owns (<see cref="OwnedParameters"/>): their whole gradient goes into <paramref name="modelGradients"/>.
    /// Layers that need the whole batch (batch normalisation, the layers trained by rows) meet the other threads at
    /// <paramref name="barrier"/> and exchange values through <paramref name="shared"/>.
    /// </summary>
    protected abstract BatchMetrics TrainChunk(ref float images, ref int labels, int count, int first, int total, ref float parameters, ref float gradients, ref float modelGradients, ref float state, ref float workspace, int capacity, ref float shared, ulong dropoutSeed, int thread, int threads, SpinBarrier barrier);

    /// <summary>How many ranges of parameters each thread owns in a training step (<see cref="OwnedParameters"/>): one per
    /// layer trained by rows, none unless the generated engine trains one.</summary>
    protected virtual int OwnedRanges => 0;

    /// <summary>
    /// Range <paramref name="range"/> of the parameters [First, End) thread <paramref name="thread"/> of
    /// <paramref name="threads"/> owns in a training step: it alone computes their whole gradient (into the model's
    /// buffer) and updates them, so they never move between cores.
    /// </summary>
    protected virtual (int First, int End) OwnedParameters(int range, int thread, int threads) => throw new ArgumentOutOfRangeException(nameof(range));

    /// <summary>How many ranges of parameters the threads compute gradients for per chunk and then sum
    /// (<see cref="SummedParameters"/>).</summary>
    protected virtual int SummedRanges => 1;

    /// <summary>Range <paramref name="range"/> of the parameters whose gradients the threads sum: all of them unless
    /// the generated engine trains layers by rows (their kernels are owned instead).</summary>
    protected virtual (int First, int End) SummedParameters(int range) =>
        range == 0 ? (0, Description.ParameterLength) : throw new ArgumentOutOfRangeException(nameof(range));

    /// <summary>The parameters of the kernel rows [First, End) of a [rows, <paramref name="units"/>] kernel at
    /// <paramref name="kernel"/>.</summary>
    protected static (int First, int End) KernelRows(int kernel, int units, (int First, int End) rows) =>
        (kernel + (rows.First * units), kernel + (rows.End * units));

    /// <summary>The most threads an engine runs on.</summary>
    public const int MaximumThreads = 256;

    /// <summary>The environment variable that sets <see cref="Threads"/> for every new engine.</summary>
    public const string ThreadsVariable = "CONVGEN_THREADS";

    /// <summary><c>CONVGEN_THREADS</c> when set (a whole number from 1 to <see cref="MaximumThreads"/>; anything else is
    /// an error naming the variable, not a silent fallback), else the machine's processors.</summary>
    internal static int DefaultThreads(string? configured)
    {
        if (string.IsNullOrWhiteSpace(configured))
        {
            return Math.Min(Environment.ProcessorCount, MaximumThreads);
        }

        if (int.TryParse(configured, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int threads) && threads is >= 1 and <= MaximumThreads)
        {
            return threads;
        }

        throw new InvalidOperationException(
            $"The environment variable {ThreadsVariable} is '{configured}'; it must be a whole number of threads from 1 to {MaximumThreads}, or unset to use every processor ({Environment.ProcessorCount} here).");
    }

    private static int DefaultThreads() => DefaultThreads(Environment.GetEnvironmentVariable(ThreadsVariable));

    /// <summary>
    /// The threads every new engine starts with: <c>CONVGEN_THREADS</c> when set, else the machine's processors.
    /// Reading it checks the variable as creating a model does, so a program can report a bad value before any work.
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>CONVGEN_THREADS</c> is set to anything but a whole number from 1
    /// to <see cref="MaximumThreads"/>; the message names the variable and its value.</exception>
    public static int ConfiguredThreads => DefaultThreads();

    /// <summary>The threads a batch of <paramref name="count"/> samples runs on: each gets
    /// <see cref="MinimumChunk"/> samples at least, and there are <see cref="Engine.Threads"/> at most.</summary>
    internal int ThreadsFor(int count) => Math.Clamp(count / MinimumChunk, 1, _threads);

    /// <summary>Picks the thread count for a batch and makes sure every thread has room for its chunk.</summary>
    private int Prepare(int count, bool training)
    {
        int threads = ThreadsFor(count);
        int chunk = (count / threads) + (count % threads == 0 ? 0 : 1);
        if (_workspaces.Length < threads || chunk > _capacity)
        {
            // Checked and allocated before anything is replaced: a batch refused here leaves the engine as it was.
            int capacity = Math.Max(_capacity, chunk);
            long length = WorkspaceLength(capacity);
            if (length > Array.MaxLength - 64)
            {
                throw new ArgumentOutOfRangeException(nameof(count), count, $"A chunk of {chunk} samples needs {length:N0} floats of workspace in model '{Description.Name}', more than one array holds; use smaller batches.");
            }

            var workspaces = new AlignedBuffer?[Math.Max(threads, _workspaces.Length)];
            for (int t = 0; t < workspaces.Length; t++)
            {
                workspaces[t] = new AlignedBuffer((int)length);
            }

            _workspaces = workspaces;
            _capacity = capacity;
        }

        if (training && _gradients.Length < threads)
        {
            // Thread 0 writes the model's own gradient buffer; the others write private ones, summed after.
            var gradients = new AlignedBuffer?[threads];
            Array.Copy(_gradients, gradients, _gradients.Length);
            for (int t = Math.Max(1, _gradients.Length); t < threads; t++)
            {
                gradients[t] = new AlignedBuffer(Description.ParameterLength);
            }

            _gradients = gradients;
        }

        long sharedLength = _sharedLength + ((long)threads * _partialsPerThread);
        if (training)
        {
            sharedLength += (long)count * (_batchPerSample + ((long)threads * _batchPartialsPerSample));
        }

        EnsureShared(sharedLength, count);
        EnsureMetrics(threads);
        if (threads > 1)
        {
            EnsureTeam();
        }

        return threads;
    }

    /// <summary>
    /// A batch runs alone, beside a call holding the engine, when the engine would run it on one thread and not share
    /// it layer by layer: then one chunk on the caller's thread is exactly what the engine computes. Whether a small
    /// batch is shared is decided here by its arithmetic only (not by the team being awake): a batch that might be
    /// shared waits for the engine instead, so it gets the split pass's rounding, as it would alone.
    /// </summary>
    private protected override bool CanRunAlone(int count)
    {
        if (ThreadsFor(count) > 1)
        {
            return false;
        }

        bool maySplit = _threads > 1 && count <= SplitSamples && SplitPolicy != SplitPolicy.Never
            && (SplitPolicy == SplitPolicy.Always || _forwardMultiplyAdds * count / SplitMultiplyAddsPerPart >= 2);
        return !maySplit;
    }

    /// <inheritdoc/>
    private protected override void PredictAlone(ModelBuffers buffers, ReadOnlySpan<float> images, int count, Span<float> probabilities)
    {
        AloneWorkspace workspace = RentAlone(count);
        InferChunk(
            ref MemoryMarshal.GetReference(images),
            count,
            ref buffers.Parameters.Start,
            ref buffers.State.Start,
            ref workspace.Buffer.Start,
            workspace.Capacity,
            ref MemoryMarshal.GetReference(probabilities));
        ReturnAlone(workspace);
    }

    /// <inheritdoc/>
    private protected override BatchMetrics EvaluateAlone(ModelBuffers buffers, ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count)
    {
        AloneWorkspace workspace = RentAlone(count);
        BatchMetrics metrics = EvaluateChunk(
            ref MemoryMarshal.GetReference(images),
            ref MemoryMarshal.GetReference(labels),
            count,
            ref buffers.Parameters.Start,
            ref buffers.State.Start,
            ref workspace.Buffer.Start,
            workspace.Capacity);
        ReturnAlone(workspace);
        return metrics;
    }

    /// <summary>A workspace for a call running alone: one kept from an earlier call when it is large enough (taken out
    /// of its slot, so no other call gets it meanwhile), else a new one.</summary>
    private AloneWorkspace RentAlone(int count)
    {
        for (int i = 0; i < _aloneWorkspaces.Length; i++)
        {
            AloneWorkspace? kept = Interlocked.Exchange(ref _aloneWorkspaces[i], null);
            if (kept is not null && kept.Capacity >= count)
            {
                return kept;
            }
        }

        long length = WorkspaceLength(count);
        if (length > Array.MaxLength - 64)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"A batch of {count} samples needs {length:N0} floats of workspace in model '{Description.Name}', more than one array holds; use smaller batches.");
        }

        return new AloneWorkspace(new AlignedBuffer((int)length), count);
    }

    /// <summary>Keeps a workspace for the next call running alone (dropped when every slot is taken). A call that
    /// throws does not return its workspace; the next one allocates another.</summary>
    private void ReturnAlone(AloneWorkspace workspace)
    {
        for (int i = 0; i < _aloneWorkspaces.Length; i++)
        {
            if (Interlocked.CompareExchange(ref _aloneWorkspaces[i], workspace, null) is null)
            {
                return;
            }
        }
    }

    /// <summary>The worker team (the <see cref="Threads"/> setter drops it when the count changes).</summary>
    private WorkerTeam EnsureTeam() => _team ??= new WorkerTeam(_threads);

    /// <summary>Makes the shared buffer hold at least <paramref name="length"/> floats, for a batch of
    /// <paramref name="count"/>.</summary>
    private void EnsureShared(long length, int count)
    {
        if (length > Array.MaxLength - 64)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"A batch of {count} samples needs {length:N0} floats of shared workspace in model '{Description.Name}', more than one array holds; use smaller batches.");
        }

        if (_shared is null || _shared.Length < length)
        {
            _shared = new AlignedBuffer((int)length);
        }
    }

    private void EnsureMetrics(int threads)
    {
        if (_metrics.Length < threads)
        {
            _metrics = new BatchMetrics[threads];
        }
    }

    /// <summary>The barrier the <paramref name="threads"/> threads of a step meet at; none for one thread.</summary>
    private SpinBarrier Barrier(int threads) => threads == 1 ? SpinBarrier.None : _team!.Barrier(threads);

    private void Run(BatchWork work, int threads)
    {
        work.Threads = threads;
        if (threads == 1)
        {
            work.Execute(0, 1);
        }
        else
        {
            _team!.Run(work);
        }
    }

    private BatchMetrics SumMetrics(int threads)
    {
        BatchMetrics total = default;
        for (int t = 0; t < threads; t++)
        {
            total += _metrics[t];
        }

        return total;
    }

    /// <summary>What every kind of work reads: the batch and the model's buffers, set before the team runs it.</summary>
    private abstract unsafe class BatchWork(CompiledEngine engine) : ITeamWork
    {
        protected CompiledEngine Engine { get; } = engine;

        /// <summary>The threads that take part (the team may be larger).</summary>
        public int Threads { get; set; }

        protected ModelBuffers Buffers { get; private set; } = null!;

        protected float* Images { get; private set; }

        /// <summary>The labels, or null for a prediction.</summary>
        protected int* Labels { get; private set; }

        /// <summary>Where a prediction writes, or null.</summary>
        protected float* Probabilities { get; private set; }

        protected int Count { get; private set; }

        public void Set(ModelBuffers buffers, float* images, int* labels, float* probabilities, int count)
        {
            Buffers = buffers;
            Images = images;
            Labels = labels;
            Probabilities = probabilities;
            Count = count;
        }

        public abstract void Execute(int thread, int teamThreads);
    }

    /// <summary>One kind of step split into chunks of samples, one per thread.</summary>
    private abstract unsafe class ChunkWork(CompiledEngine engine) : BatchWork(engine)
    {
        public sealed override void Execute(int thread, int teamThreads)
        {
            if (thread >= Threads)
            {
                return;
            }

            (int first, int end) = Partition.Range(Count, thread, Threads);
            ExecuteChunk(thread, first, end - first, ref Engine._workspaces[thread]!.Start);
        }

        protected abstract void ExecuteChunk(int thread, int first, int count, ref float workspace);

        protected ref float ImagesAt(int first) => ref Unsafe.AsRef<float>(Images + ((long)first * Engine.Description.InputShape.Size));
    }

    private sealed unsafe class PredictWork(CompiledEngine engine) : ChunkWork(engine)
    {
        protected override void ExecuteChunk(int thread, int first, int count, ref float workspace) =>
            Engine.InferChunk(
                ref ImagesAt(first),
                count,
                ref Buffers.Parameters.Start,
                ref Buffers.State.Start,
                ref workspace,
                Engine._capacity,
                ref Unsafe.AsRef<float>(Probabilities + ((long)first * Engine.Description.Classes)));
    }

    private sealed unsafe class EvaluateWork(CompiledEngine engine) : ChunkWork(engine)
    {
        protected override void ExecuteChunk(int thread, int first, int count, ref float workspace) =>
            Engine._metrics[thread] = Engine.EvaluateChunk(
                ref ImagesAt(first),
                ref Unsafe.AsRef<int>(Labels + first),
                count,
                ref Buffers.Parameters.Start,
                ref Buffers.State.Start,
                ref workspace,
                Engine._capacity);
    }

    /// <summary>Inference of a small batch the threads share layer by layer, in thread 0's workspace.</summary>
    private abstract class SplitWork(CompiledEngine engine) : BatchWork(engine)
    {
        public sealed override void Execute(int thread, int teamThreads)
        {
            if (thread < Threads)
            {
                ExecutePart(thread, Engine.Barrier(Threads));
            }
        }

        protected abstract void ExecutePart(int part, SpinBarrier barrier);
    }

    private sealed unsafe class PredictSplitWork(CompiledEngine engine) : SplitWork(engine)
    {
        protected override void ExecutePart(int part, SpinBarrier barrier) =>
            Engine.InferSplit(
                ref Unsafe.AsRef<float>(Images),
                Count,
                ref Buffers.Parameters.Start,
                ref Buffers.State.Start,
                ref Engine._workspaces[0]!.Start,
                Engine._capacity,
                ref Engine._shared!.Start,
                ref Unsafe.AsRef<float>(Probabilities),
                part,
                Threads,
                barrier);
    }

    private sealed unsafe class EvaluateSplitWork(CompiledEngine engine) : SplitWork(engine)
    {
        protected override void ExecutePart(int part, SpinBarrier barrier) =>
            Engine._metrics[part] = Engine.EvaluateSplit(
                ref Unsafe.AsRef<float>(Images),
                ref Unsafe.AsRef<int>(Labels),
                Count,
                ref Buffers.Parameters.Start,
                ref Buffers.State.Start,
                ref Engine._workspaces[0]!.Start,
                Engine._capacity,
                ref Engine._shared!.Start,
                part,
                Threads,
                barrier);
    }

    private sealed unsafe class TrainWork(CompiledEngine engine) : ChunkWork(engine)
    {
        private ulong _dropoutSeed;
        private Optimizer? _optimizer;
        private long _step;
        private IBatchPreparation? _preparation;

        public void SetStep(ulong dropoutSeed, Optimizer? optimizer, long step, IBatchPreparation? preparation)
        {
            _dropoutSeed = dropoutSeed;
            _optimizer = optimizer;
            _step = step;
            _preparation = preparation;
        }

        protected override void ExecuteChunk(int thread, int first, int count, ref float workspace)
        {
            AlignedBuffer gradients = thread == 0 ? Buffers.Gradients : Engine._gradients[thread]!;
            Span<float> parameters = Buffers.Parameters.Span;
            Span<float> modelGradients = Buffers.Gradients.Span;
            SpinBarrier barrier = Engine.Barrier(Threads);
            if (_preparation is not null)
            {
                // Each thread gathers (and augments) its own chunk's images; the layers trained by rows read the whole
                // batch's, so all chunks are ready before any forward pass starts.
                _preparation.Prepare(first, count);
                barrier.SignalAndWait();
            }

            Engine._metrics[thread] = Engine.TrainChunk(
                ref ImagesAt(first),
                ref Unsafe.AsRef<int>(Labels + first),
                count,
                first,
                Count,
                ref Buffers.Parameters.Start,
                ref gradients.Start,
                ref Buffers.Gradients.Start,
                ref Buffers.State.Start,
                ref workspace,
                Engine._capacity,
                ref Engine._shared!.Start,
                _dropoutSeed,
                thread,
                Threads,
                barrier);
            // The parameters this thread owns have their whole gradient now, and no other thread reads them: update them
            // before waiting.
            for (int range = 0; range < Engine.OwnedRanges; range++)
            {
                (int ownedFirst, int ownedEnd) = Engine.OwnedParameters(range, thread, Threads);
                if (ownedEnd > ownedFirst)
                {
                    _optimizer?.UpdateRange(parameters[ownedFirst..ownedEnd], modelGradients[ownedFirst..ownedEnd], ownedFirst, _step);
                }
            }

            // Each thread takes one part of each range of the other parameters: the sum of the threads' gradients there
            // (always in thread order) into the model's buffer, then the optimizer's update of that part.
            barrier.SignalAndWait();
            for (int range = 0; range < Engine.SummedRanges; range++)
            {
                (int summedFirst, int summedEnd) = Engine.SummedParameters(range);
                (int start, int end) = Partition.Blocks(summedEnd - summedFirst, KerasConventions.Alignment, thread, Threads);
                start += summedFirst;
                end += summedFirst;
                Span<float> total = modelGradients[start..end];
                GradientSum.AddThreads(total, Engine._gradients, Threads, start);
                _optimizer?.UpdateRange(parameters[start..end], total, start, _step);
            }
        }
    }
}

/// <summary>A workspace of <see cref="CompiledEngine"/> for one call running beside the call that holds the engine:
/// room for <paramref name="Capacity"/> samples on one thread.</summary>
internal sealed record AloneWorkspace(AlignedBuffer Buffer, int Capacity);

/// <summary>When <see cref="CompiledEngine"/> splits a small batch layer by layer over its threads.</summary>
internal enum SplitPolicy
{
    /// <summary>When each part gets enough arithmetic to pay for its barriers.</summary>
    Auto,

    /// <summary>Whenever the batch is small enough and there is more than one thread.</summary>
    Always,

    /// <summary>Never: small batches run on one thread.</summary>
    Never,
}
