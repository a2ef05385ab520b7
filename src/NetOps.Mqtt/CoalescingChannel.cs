using System.Buffers;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Channel;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;

namespace NetOps.Mqtt;

/// <summary>
/// An MQTT connection's byte stream with fewer system calls, under MQTTnet's own TCP (and TLS) channel.
/// <list type="bullet">
/// <item>Reads fill a buffer: MQTTnet reads a packet's header and its body separately, so without one every
/// message costs at least two receive calls; with it one call takes whatever the socket holds.</item>
/// <item>While corked, writes collect and go out together when it is uncorked: the ingest corks around a run of
/// acknowledgements, so a hundred PUBACKs are one send instead of a hundred. On loopback each send also runs the
/// receiver's side of TCP, so this halves what an acknowledgement costs.</item>
/// </list>
/// Uncorked writes go straight through, behind whatever was collected. MQTTnet writes one packet at a time; the
/// corking side is one loop, so the bytes on the wire keep the order in which MQTTnet wrote them.
/// </summary>
internal sealed class CoalescingChannel(IMqttChannel inner) : IMqttChannel
{
    internal const int ReadBufferSize = 64 * 1024;

    private readonly byte[] _readBuffer = new byte[ReadBufferSize];
    private int _readStart;
    private int _readEnd;
    private Task<int>? _lastRead;

    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly Lock _gate = new();
    private ArrayBufferWriter<byte> _collected = new(1024);
    private ArrayBufferWriter<byte> _sending = new(1024);
    private bool _corked;

    public X509Certificate2 ClientCertificate => inner.ClientCertificate;

    public System.Net.EndPoint RemoteEndPoint => inner.RemoteEndPoint;

    public System.Net.EndPoint LocalEndPoint => inner.LocalEndPoint;

    public bool IsSecureConnection => inner.IsSecureConnection;

    /// <summary>Bytes written since the start, and the sends they took: how well writes were combined.</summary>
    public long BytesWritten { get; private set; }

    public long Sends { get; private set; }

    public Task ConnectAsync(CancellationToken cancellationToken) => inner.ConnectAsync(cancellationToken);

    public async Task DisconnectAsync(CancellationToken cancellationToken)
    {
        // What was collected (acknowledgements) goes out before the connection closes.
        await UncorkAsync(cancellationToken).ConfigureAwait(false);
        await inner.DisconnectAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        if (_readStart < _readEnd)
        {
            return Completed(TakeBuffered(buffer, offset, count));
        }

        return count >= ReadBufferSize ? inner.ReadAsync(buffer, offset, count, cancellationToken) : FillAndReadAsync(buffer, offset, count, cancellationToken);
    }

    // Packets of one kind have one size: the last completed read's task serves the next read of as many bytes.
    private Task<int> Completed(int count)
    {
        var last = _lastRead;
        return last is not null && last.Result == count ? last : _lastRead = Task.FromResult(count);
    }

    private async Task<int> FillAndReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        var read = await inner.ReadAsync(_readBuffer, 0, ReadBufferSize, cancellationToken).ConfigureAwait(false);
        if (read <= 0)
        {
            return read;
        }

        (_readStart, _readEnd) = (0, read);
        return TakeBuffered(buffer, offset, count);
    }

    private int TakeBuffered(byte[] buffer, int offset, int count)
    {
        var taken = Math.Min(count, _readEnd - _readStart);
        _readBuffer.AsSpan(_readStart, taken).CopyTo(buffer.AsSpan(offset, taken));
        _readStart += taken;
        return taken;
    }

    public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_corked)
            {
                // MQTTnet reuses its buffer once this returns: the bytes are copied.
                foreach (var segment in buffer)
                {
                    _collected.Write(segment.Span);
                }

                return Task.CompletedTask;
            }
        }

        return WriteThroughAsync(buffer, isEndOfPacket, cancellationToken);
    }

    private async Task WriteThroughAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await SendCollectedAsync(cancellationToken).ConfigureAwait(false);
            await SendAsync(buffer, isEndOfPacket, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>From now on, writes collect until <see cref="UncorkAsync"/>.</summary>
    public void Cork()
    {
        lock (_gate)
        {
            _corked = true;
        }
    }

    /// <summary>Sends what collected while corked, in one write, and lets later writes through.</summary>
    public async Task UncorkAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _corked = false;
            if (_collected.WrittenCount == 0)
            {
                return;
            }
        }

        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await SendCollectedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writing.Release();
        }
    }

    // Under _writing: one send of the collected bytes, while new ones collect in the other buffer.
    private async Task SendCollectedAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_collected.WrittenCount == 0)
            {
                return;
            }

            (_collected, _sending) = (_sending, _collected);
        }

        try
        {
            await SendAsync(new ReadOnlySequence<byte>(_sending.WrittenMemory), isEndOfPacket: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sending.ResetWrittenCount();
        }
    }

    private Task SendAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken)
    {
        BytesWritten += buffer.Length;
        Sends++;
        return inner.WriteAsync(buffer, isEndOfPacket, cancellationToken);
    }

    public void Dispose()
    {
        inner.Dispose();
        _writing.Dispose();
    }
}
