using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ConvGen.Engines;

/// <summary>
/// A float buffer whose first value sits on a 64-byte boundary and which never moves (allocated on the pinned object
/// heap), followed by one cache line of zeros that vector loads may read past the end.
/// </summary>
public sealed class AlignedBuffer
{
    private const int AlignmentBytes = 64;
    private const int Slack = AlignmentBytes / sizeof(float);
    private readonly float[] _storage;
    private readonly int _start;

    /// <summary>Allocates <paramref name="length"/> zeroed floats.</summary>
    public AlignedBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        _storage = GC.AllocateArray<float>(length + (2 * Slack), pinned: true);
        unsafe
        {
            nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_storage));
            int misalignment = (int)(address % AlignmentBytes);
            _start = misalignment == 0 ? 0 : (AlignmentBytes - misalignment) / sizeof(float);
        }
    }

    /// <summary>Number of usable floats.</summary>
    public int Length { get; }

    /// <summary>The usable floats.</summary>
    public Span<float> Span => _storage.AsSpan(_start, Length);

    /// <summary>A reference to the first float, 64-byte aligned; the memory stays put for the buffer's lifetime.</summary>
    public ref float Start => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_storage), _start);

    /// <summary>Sets every float to zero.</summary>
    public void Clear() => Span.Clear();
}
