using System.Buffers;

namespace NetOps.Storage.Buffer;

/// <summary>A growable byte buffer rented from the shared pool; the written bytes stay addressable for headers.</summary>
internal sealed class PooledBufferWriter(int initialCapacity = 64 * 1024) : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);

    public int Written { get; private set; }

    public Memory<byte> WrittenMemory => _buffer.AsMemory(0, Written);
    public Span<byte> WrittenSpan => _buffer.AsSpan(0, Written);

    public void Advance(int count) => Written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(Written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(Written);
    }

    public void Clear() => Written = 0;

    /// <summary>Forgets everything after <paramref name="length"/> bytes (rolls back a partly written point).</summary>
    public void Truncate(int length) => Written = length;

    private void Ensure(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 1);
        if (_buffer.Length - Written >= sizeHint)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, Written + sizeHint));
        _buffer.AsSpan(0, Written).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
