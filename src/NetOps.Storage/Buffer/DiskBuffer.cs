using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace NetOps.Storage.Buffer;

/// <summary>Where the durable buffer lives and how large it may grow.</summary>
public sealed record DiskBufferOptions(string Directory)
{
    /// <summary>A segment is sealed and a new one started past this size.</summary>
    public long SegmentBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>The bound: past it new points are dropped (loudly), never points already accepted.</summary>
    public long MaxBytes { get; init; } = 1024L * 1024 * 1024;
}

/// <summary>A run of whole records read from one segment, handed to the sender and acknowledged as a whole.</summary>
internal sealed class BufferBatch(DiskBuffer.Segment segment, long end, byte[] payload, int length, int lines) : IDisposable
{
    internal DiskBuffer.Segment Segment { get; } = segment;
    internal long End { get; } = end;
    public int Lines { get; } = lines;
    public ReadOnlyMemory<byte> Payload => payload.AsMemory(0, length);

    public void Dispose() => System.Buffers.ArrayPool<byte>.Shared.Return(payload);
}

/// <summary>
/// The durable buffer in front of InfluxDB: line protocol in append-only segment files. A record (a batch of lines
/// with its length, line count and CRC-32) is accepted once it is fsync'd; concurrent appends share one fsync. One
/// reader takes records in order and acknowledges them once InfluxDB confirmed them; the acknowledged offset of a
/// segment is kept beside it, so after a crash exactly the unconfirmed records are sent again (at most the batch that
/// was in flight twice, which InfluxDB overwrites with itself). A torn record at the end of a segment (a crash mid
/// write, never acknowledged to its writer) is cut off when the buffer opens.
/// </summary>
public sealed class DiskBuffer : IDisposable
{
    private const uint Magic = 0x4E4F5042; // "NOPB"
    private const int HeaderBytes = 16;

    private readonly DiskBufferOptions _options;
    private readonly ILogger _logger;
    private readonly StorageMetrics _metrics;
    private readonly object _gate = new();
    private readonly List<Segment> _segments = [];
    private readonly List<(byte[] Record, int Length, int Lines, TaskCompletionSource<bool> Done)> _queue = [];
    private readonly SemaphoreSlim _dataAvailable = new(0, 1);
    private Segment _current;
    private FileStream _writer;
    private bool _flushing;
    private long _bytes;
    private long _pendingLines;
    private long _droppedSinceLog;
    private DateTimeOffset _lastDropLog = DateTimeOffset.MinValue;
    private bool _disposed;

    public DiskBuffer(DiskBufferOptions options, StorageMetrics metrics, ILogger? logger = null)
    {
        _options = options;
        _metrics = metrics;
        _logger = logger ?? NullLogger.Instance;
        System.IO.Directory.CreateDirectory(options.Directory);
        var recovered = Recover();
        var nextId = _segments.Count == 0 ? 1 : _segments[^1].Id + 1;
        (_current, _writer) = CreateSegment(nextId);
        metrics.ObserveBuffer(this);
        if (recovered > 0)
        {
            metrics.Replayed(recovered);
            _logger.LogInformation("Storage buffer in {Directory} holds {Points} unconfirmed points from before: replaying them",
                options.Directory, recovered);
        }
    }

    /// <summary>Points on disk not yet confirmed by InfluxDB.</summary>
    public long PendingPoints => Interlocked.Read(ref _pendingLines);

    /// <summary>Bytes the segment files take.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    internal StorageMetrics Metrics => _metrics;

    /// <summary>
    /// Appends a record of <paramref name="lines"/> line-protocol lines; completes true once it is fsync'd, false when
    /// the buffer is at its bound and the record was dropped.
    /// </summary>
    public Task<bool> AppendAsync(ReadOnlySpan<byte> lineProtocol, int lines)
    {
        var record = System.Buffers.ArrayPool<byte>.Shared.Rent(HeaderBytes + lineProtocol.Length);
        var span = record.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], lineProtocol.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], lines);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], Crc32.HashToUInt32(lineProtocol));
        lineProtocol.CopyTo(span[HeaderBytes..]);

        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool start;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _queue.Add((record, HeaderBytes + lineProtocol.Length, lines, done));
            start = !_flushing;
            _flushing = true;
        }

        if (start)
        {
            _ = Task.Run(FlushQueue);
        }

        return done.Task;
    }

    private void FlushQueue()
    {
        var taken = new List<(byte[] Record, int Length, int Lines, TaskCompletionSource<bool> Done)>();
        while (true)
        {
            lock (_gate)
            {
                if (_queue.Count == 0)
                {
                    _flushing = false;
                    Monitor.PulseAll(_gate);
                    return;
                }

                taken.AddRange(_queue);
                _queue.Clear();
            }

            var accepted = new List<(int Length, int Lines)>(taken.Count);
            Exception? failure = null;
            try
            {
                foreach (var (record, length, lines, done) in taken)
                {
                    if (Bytes + length > _options.MaxBytes)
                    {
                        Dropped(lines);
                        done.TrySetResult(false);
                        continue;
                    }

                    if (_current.Committed > 0 && _current.Committed + length > _options.SegmentBytes)
                    {
                        Rotate();
                    }

                    _writer.Write(record, 0, length);
                    accepted.Add((length, lines));
                    _current.Written += length;
                    Interlocked.Add(ref _bytes, length);
                }

                // One fsync for every record in this round: a record is accepted only once it is on disk.
                _writer.Flush(flushToDisk: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failure = e;
                _logger.LogError(e, "Storage buffer in {Directory} cannot write: points are not accepted", _options.Directory);
            }

            lock (_gate)
            {
                if (failure is null)
                {
                    _current.Committed = _current.Written;
                    foreach (var (_, lines) in accepted)
                    {
                        Interlocked.Add(ref _pendingLines, lines);
                    }
                }
            }

            foreach (var (record, _, lines, done) in taken)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(record);
                if (failure is not null)
                {
                    done.TrySetException(failure);
                }
                else if (done.TrySetResult(true))
                {
                    _metrics.Accepted(lines);
                }
            }

            taken.Clear();
            if (failure is null && accepted.Count > 0)
            {
                Signal();
            }
        }
    }

    private void Dropped(int lines)
    {
        _metrics.Dropped(lines);
        var now = DateTimeOffset.UtcNow;
        var total = Interlocked.Add(ref _droppedSinceLog, lines);
        if (now - _lastDropLog > TimeSpan.FromSeconds(10))
        {
            _lastDropLog = now;
            Interlocked.Exchange(ref _droppedSinceLog, 0);
            _logger.LogError(
                "STORAGE BUFFER FULL: dropped {Points} points because {Directory} holds {Bytes} bytes, the configured bound of {MaxBytes}; InfluxDB has not confirmed writes for a long time",
                total, _options.Directory, Bytes, _options.MaxBytes);
        }
    }

    private void Rotate()
    {
        _writer.Flush(flushToDisk: true);
        _writer.Dispose();
        lock (_gate)
        {
            _current.Committed = _current.Written;
            _current.Sealed = true;
            (_current, _writer) = CreateSegment(_current.Id + 1);
        }

        // A sealed segment whose records are all confirmed can go at once.
        DeleteConfirmedSegments();
    }

    /// <summary>Waits until records are waiting to be read (returns at once if some are).</summary>
    internal async Task WaitForDataAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (HasUnread())
        {
            return;
        }

        await _dataAvailable.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
    }

    private bool HasUnread()
    {
        lock (_gate)
        {
            return _segments.Any(s => s.Read < s.Committed);
        }
    }

    private void Signal()
    {
        try
        {
            if (_dataAvailable.CurrentCount == 0)
            {
                _dataAvailable.Release();
            }
        }
        catch (SemaphoreFullException)
        {
        }
    }

    /// <summary>
    /// Reads the next records after those already handed out (at least one, then up to the limits). The caller sends
    /// them and calls <see cref="Confirm"/>; batches are confirmed in the order they were read. Null when nothing waits.
    /// </summary>
    internal BufferBatch? ReadBatch(int maxLines, int maxBytes)
    {
        Segment? segment;
        long from, limit;
        lock (_gate)
        {
            segment = _segments.FirstOrDefault(s => s.Read < s.Committed);
            if (segment is null)
            {
                return null;
            }

            from = segment.Read;
            limit = segment.Committed;
        }

        var handle = segment.ReadHandle ??= File.OpenHandle(segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        Span<byte> header = stackalloc byte[HeaderBytes];
        var offset = from;
        var lines = 0;
        var payload = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Min(maxBytes, (int)Math.Min(int.MaxValue / 2, limit - from)) + 1);
        var length = 0;
        while (offset < limit)
        {
            RandomAccess.Read(handle, header, offset);
            var recordLength = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
            var recordLines = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
            if (lines > 0 && (lines + recordLines > maxLines || length + recordLength > maxBytes))
            {
                break;
            }

            if (payload.Length < length + recordLength)
            {
                var bigger = System.Buffers.ArrayPool<byte>.Shared.Rent(length + recordLength);
                payload.AsSpan(0, length).CopyTo(bigger);
                System.Buffers.ArrayPool<byte>.Shared.Return(payload);
                payload = bigger;
            }

            var read = RandomAccess.Read(handle, payload.AsSpan(length, recordLength), offset + HeaderBytes);
            if (read != recordLength)
            {
                throw new IOException($"segment {segment.Path} is shorter than its committed length");
            }

            length += recordLength;
            lines += recordLines;
            offset += HeaderBytes + recordLength;
        }

        lock (_gate)
        {
            segment.Read = offset;
        }

        return new BufferBatch(segment, offset, payload, length, lines);
    }

    /// <summary>InfluxDB confirmed (or dead-lettered) every line of the batch: forget it, durably.</summary>
    internal void Confirm(BufferBatch batch)
    {
        var segment = batch.Segment;
        lock (_gate)
        {
            segment.Acked = batch.End;
            Interlocked.Add(ref _pendingLines, -batch.Lines);
        }

        // The acknowledged offset survives a process crash once written (page cache); after a power loss an older
        // offset only means a batch is sent again, which InfluxDB overwrites with itself.
        segment.AckHandle ??= File.OpenHandle(segment.AckPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, batch.End);
        RandomAccess.Write(segment.AckHandle, bytes, 0);
        DeleteConfirmedSegments();
    }

    /// <summary>The sender could not finish a batch (shutting down): hand its records out again.</summary>
    internal void Return(BufferBatch batch)
    {
        lock (_gate)
        {
            batch.Segment.Read = Math.Min(batch.Segment.Read, batch.Segment.Acked);
            foreach (var s in _segments)
            {
                s.Read = s.Acked;
            }
        }
    }

    private void DeleteConfirmedSegments()
    {
        List<Segment> done;
        lock (_gate)
        {
            done = _segments.Where(s => s.Sealed && s.Acked >= s.Committed).ToList();
            foreach (var s in done)
            {
                _segments.Remove(s);
                Interlocked.Add(ref _bytes, -s.Committed);
            }
        }

        foreach (var s in done)
        {
            s.ReadHandle?.Dispose();
            s.AckHandle?.Dispose();
            File.Delete(s.Path);
            File.Delete(s.AckPath);
        }
    }

    private (Segment, FileStream) CreateSegment(long id)
    {
        var segment = new Segment(id, _options.Directory);
        var stream = new FileStream(segment.Path, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, 0);
        lock (_gate)
        {
            _segments.Add(segment);
        }

        return (segment, stream);
    }

    /// <summary>Finds the segments left by an earlier run, cuts torn tails, and counts what is still to be sent.</summary>
    private long Recover()
    {
        var pending = 0L;
        var files = System.IO.Directory.GetFiles(_options.Directory, "*.seg")
            .Select(p => (Path: p, Id: long.TryParse(System.IO.Path.GetFileNameWithoutExtension(p), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : -1))
            .Where(f => f.Id > 0)
            .OrderBy(f => f.Id)
            .ToList();
        Span<byte> header = stackalloc byte[HeaderBytes];
        foreach (var (path, id) in files)
        {
            var segment = new Segment(id, _options.Directory) { Sealed = true };
            if (File.Exists(segment.AckPath))
            {
                var ack = File.ReadAllBytes(segment.AckPath);
                segment.Acked = ack.Length >= 8 ? BinaryPrimitives.ReadInt64LittleEndian(ack) : 0;
            }

            using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
            {
                var size = RandomAccess.GetLength(handle);
                segment.Acked = Math.Min(segment.Acked, size);
                var offset = segment.Acked;
                var valid = offset;
                var payload = Array.Empty<byte>();
                while (offset + HeaderBytes <= size)
                {
                    RandomAccess.Read(handle, header, offset);
                    var length = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
                    if (BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic || length < 0 || offset + HeaderBytes + length > size)
                    {
                        break;
                    }

                    if (payload.Length < length)
                    {
                        payload = new byte[length];
                    }

                    RandomAccess.Read(handle, payload.AsSpan(0, length), offset + HeaderBytes);
                    if (Crc32.HashToUInt32(payload.AsSpan(0, length)) != BinaryPrimitives.ReadUInt32LittleEndian(header[12..]))
                    {
                        break;
                    }

                    pending += BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
                    offset += HeaderBytes + length;
                    valid = offset;
                }

                if (valid < size)
                {
                    // Never acknowledged to its writer (the crash came before the fsync completed): cut it off.
                    _logger.LogWarning("Storage buffer segment {Segment}: cut {Bytes} bytes of a torn record at its end",
                        path, size - valid);
                    RandomAccess.SetLength(handle, valid);
                }

                segment.Committed = segment.Written = valid;
                segment.Read = segment.Acked;
            }

            if (segment.Acked >= segment.Committed)
            {
                File.Delete(path);
                File.Delete(segment.AckPath);
                continue;
            }

            _segments.Add(segment);
            _bytes += segment.Committed;
        }

        _pendingLines = pending;
        return pending;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _metrics.ForgetBuffer(this);

            // Flush on dispose: what was handed in before is written and fsync'd.
            while (_flushing)
            {
                Monitor.Wait(_gate);
            }
        }

        _writer.Dispose();
        foreach (var s in _segments)
        {
            s.ReadHandle?.Dispose();
            s.AckHandle?.Dispose();
        }

        _dataAvailable.Dispose();
    }

    internal sealed class Segment(long id, string directory)
    {
        public long Id { get; } = id;
        public string Path { get; } = System.IO.Path.Combine(directory, id.ToString("D12", CultureInfo.InvariantCulture) + ".seg");
        public string AckPath => System.IO.Path.ChangeExtension(Path, ".ack");
        public long Written { get; set; }
        public long Committed { get; set; }
        public long Read { get; set; }
        public long Acked { get; set; }
        public bool Sealed { get; set; }
        public SafeFileHandle? ReadHandle { get; set; }
        public SafeFileHandle? AckHandle { get; set; }
    }
}
