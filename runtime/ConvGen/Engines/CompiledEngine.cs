using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ConvGen.Engines;

/// <summary>
/// Base of the engines the generator emits, one per annotated class. It owns the workspace (sized at build time per
/// sample, grown only when a larger batch arrives, so a training step allocates nothing), checks that the generated
/// layout matches this runtime's, and hands the generated code plain references into the buffers.
/// The generated code picks its instruction set once, from <see cref="IsAvx512"/> and <see cref="IsAvx2"/>, which the
/// JIT folds to constants. An engine is not thread-safe: use one per model, from one thread at a time.
/// </summary>
public abstract class CompiledEngine : Engine
{
    private readonly int _workspacePerSample;
    private readonly int _workspaceFixed;
    private AlignedBuffer? _workspace;
    private int _capacity;

    /// <summary>Checks the generated layout against <paramref name="description"/>'s and remembers the workspace size.</summary>
    /// <param name="description">The model, as the runtime lays it out.</param>
    /// <param name="parameterLength">The generated parameter-buffer length.</param>
    /// <param name="stateLength">The generated state-buffer length.</param>
    /// <param name="workspacePerSample">Workspace floats per sample of a batch.</param>
    /// <param name="workspaceFixed">Workspace floats independent of the batch size.</param>
    /// <param name="weightOffsets">The generated offset of every weight, in Keras order.</param>
    protected CompiledEngine(ModelDescription description, int parameterLength, int stateLength, int workspacePerSample, int workspaceFixed, int[] weightOffsets)
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
        _workspaceFixed = workspaceFixed;
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

    /// <summary>Workspace floats a batch of <paramref name="count"/> samples uses.</summary>
    public long WorkspaceLength(int count) => ((long)_workspacePerSample * count) + _workspaceFixed;

    /// <inheritdoc/>
    protected sealed override void PredictCore(ModelBuffers buffers, ReadOnlySpan<float> images, int count, Span<float> probabilities)
    {
        AlignedBuffer workspace = Workspace(count);
        Infer(
            ref MemoryMarshal.GetReference(images),
            count,
            ref buffers.Parameters.Start,
            ref buffers.State.Start,
            ref workspace.Start,
            _capacity,
            ref MemoryMarshal.GetReference(probabilities));
    }

    /// <inheritdoc/>
    protected sealed override BatchMetrics EvaluateCore(ModelBuffers buffers, ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count)
    {
        AlignedBuffer workspace = Workspace(count);
        return Evaluate(
            ref MemoryMarshal.GetReference(images),
            ref MemoryMarshal.GetReference(labels),
            count,
            ref buffers.Parameters.Start,
            ref buffers.State.Start,
            ref workspace.Start,
            _capacity);
    }

    /// <inheritdoc/>
    protected sealed override BatchMetrics ComputeGradientsCore(ModelBuffers buffers, ReadOnlySpan<float> images, ReadOnlySpan<int> labels, int count, ulong dropoutSeed)
    {
        AlignedBuffer workspace = Workspace(count);
        return Train(
            ref MemoryMarshal.GetReference(images),
            ref MemoryMarshal.GetReference(labels),
            count,
            ref buffers.Parameters.Start,
            ref buffers.Gradients.Start,
            ref buffers.State.Start,
            ref workspace.Start,
            _capacity,
            dropoutSeed);
    }

    /// <summary>Inference on <paramref name="count"/> images: writes their class probabilities.</summary>
    protected abstract void Infer(ref float images, int count, ref float parameters, ref float state, ref float workspace, int capacity, ref float probabilities);

    /// <summary>Inference on <paramref name="count"/> labelled images: their summed loss and correct count.</summary>
    protected abstract BatchMetrics Evaluate(ref float images, ref int labels, int count, ref float parameters, ref float state, ref float workspace, int capacity);

    /// <summary>A training step's forward and backward pass: writes every gradient of the mean loss.</summary>
    protected abstract BatchMetrics Train(ref float images, ref int labels, int count, ref float parameters, ref float gradients, ref float state, ref float workspace, int capacity, ulong dropoutSeed);

    private AlignedBuffer Workspace(int count)
    {
        if (_workspace is null || count > _capacity)
        {
            long length = WorkspaceLength(count);
            if (length > Array.MaxLength - 64)
            {
                throw new ArgumentOutOfRangeException(nameof(count), count, $"A batch of {count} needs {length:N0} floats of workspace in model '{Description.Name}', more than one array holds; use smaller batches.");
            }

            _workspace = new AlignedBuffer((int)length);
            _capacity = count;
        }

        return _workspace;
    }
}
