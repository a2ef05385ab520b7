using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace NetOps.Snmp;

/// <summary>
/// Receives SNMP notifications on one UDP end point: v1 traps, v2c traps and informs, v3 traps and informs for the
/// configured users. Informs are acknowledged with a Response echoing request id and bindings (RFC 3416 4.2.7) once
/// the notification is queued. Notifications are read from <see cref="Notifications"/> by one reader.
/// </summary>
/// <remarks>
/// One loop receives, decodes and queues; it never waits for the reader, so a slow consumer costs dropped (and
/// counted) notifications, never a full kernel buffer. A malformed datagram costs one decode attempt and a counter.
/// </remarks>
public sealed partial class TrapReceiver : IAsyncDisposable
{
    private const int MaxDatagram = 65535;

    private readonly Socket _socket;
    private readonly TrapReceiverOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<SnmpNotification> _channel;
    private readonly HashSet<string> _communities;
    private readonly UdpReceiveLoop _receiving;
    private long _received;
    private long _malformed;
    private long _unknownSource;
    private long _dropped;
    private long _acknowledged;

    private TrapReceiver(Socket socket, TrapReceiverOptions options, ILogger logger)
    {
        _socket = socket;
        _options = options;
        _logger = logger;
        _communities = new HashSet<string>(options.Communities, StringComparer.Ordinal);
        _usm = new UsmAuthority(options.EngineId, options.EngineBoots, options.Users);
        // Wait is the full mode so that TryWrite says "full" and the loop can count the drop and withhold an inform's ack.
        _channel = Channel.CreateBounded<SnmpNotification>(new BoundedChannelOptions(options.Capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = true,
        });
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        ReceiveBufferBytes = socket.ReceiveBufferSize;
        _receiving = UdpReceiveLoop.Start(socket, HandleAsync, logger, "Trap receiver");
    }

    /// <summary>The bound end point; its port is the real one when port 0 was asked for.</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>SO_RCVBUF as the kernel granted it (Linux: twice what was asked, capped at twice net.core.rmem_max).</summary>
    public int ReceiveBufferBytes { get; }

    /// <summary>The notifications, in arrival order; completes when the receiver is disposed.</summary>
    public ChannelReader<SnmpNotification> Notifications => _channel.Reader;

    /// <summary>Notifications queued so far.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Datagrams that were no valid notification.</summary>
    public long Malformed => Interlocked.Read(ref _malformed);

    /// <summary>Notifications refused for an unknown community, user or engine, or a wrong digest.</summary>
    public long UnknownSource => Interlocked.Read(ref _unknownSource);

    /// <summary>Notifications dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Informs acknowledged.</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary>Datagrams handled so far, whatever became of them (discovery probes excepted).</summary>
    public long Handled => Received + Malformed + UnknownSource + Dropped;

    /// <summary>Our snmpEngineID, the one informs are sent to.</summary>
    public ReadOnlyMemory<byte> EngineId => _usm.EngineId;

    /// <summary>Binds <paramref name="options"/>' end point (port 0 picks a free port) and starts receiving.</summary>
    public static TrapReceiver Start(TrapReceiverOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Capacity, 1, nameof(options));
        logger ??= NullLogger.Instance;
        var socket = new Socket(options.EndPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.ReceiveBufferSize = options.ReceiveBufferBytes;
            socket.Bind(options.EndPoint);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var receiver = new TrapReceiver(socket, options, logger);
        if (receiver.ReceiveBufferBytes < options.ReceiveBufferBytes)
        {
            logger.LogWarning(
                "Trap receiver on {EndPoint} got a {Granted} byte receive buffer, {Asked} asked: raise net.core.rmem_max for bursts",
                receiver.LocalEndPoint, receiver.ReceiveBufferBytes, options.ReceiveBufferBytes);
        }

        logger.LogInformation("Trap receiver listening on {EndPoint} (receive buffer {Granted} bytes)", receiver.LocalEndPoint,
            receiver.ReceiveBufferBytes);
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _receiving.DisposeAsync().ConfigureAwait(false);
        _channel.Writer.TryComplete();
    }

    /// <summary>Decodes and queues one datagram, and answers it when it is an inform or asks for a report.</summary>
    private async ValueTask HandleAsync(ReadOnlyMemory<byte> datagram, SocketAddress address, CancellationToken cancellationToken)
    {
        var answer = SnmpV3Codec.PeekVersion(datagram.Span) == 3 ? HandleV3(datagram, address) : HandleV1V2c(datagram, address);
        if (answer.Length > 0)
        {
            await _socket.SendToAsync(answer, SocketFlags.None, address, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Handles one v1/v2c datagram; returns the inform's acknowledgement, or nothing.</summary>
    private ReadOnlyMemory<byte> HandleV1V2c(ReadOnlyMemory<byte> datagram, SocketAddress address)
    {
        SnmpMessage message;
        try
        {
            message = SnmpCodec.Decode(datagram);
        }
        catch (SnmpDecodeException)
        {
            CountMalformed(SnmpNotificationDecoder.ReasonBer);
            return default;
        }

        if (_communities.Count > 0 && !_communities.Contains(message.Community))
        {
            CountUnknownSource("community");
            return default;
        }

        var source = UdpReceiveLoop.ToEndPoint(address);
        if (SnmpNotificationDecoder.FromMessage(message, source, out var notification) is { } reason)
        {
            CountMalformed(reason);
            return default;
        }

        if (!TryQueue(notification!) || !notification!.IsInform)
        {
            return default;
        }

        var response = new SnmpPdu(SnmpPduType.Response, message.Pdu.RequestId, message.Pdu.VarBinds);
        Interlocked.Increment(ref _acknowledged);
        return SnmpCodec.Encode(new SnmpMessage(message.Version, message.Community, response));
    }

    private bool TryQueue(SnmpNotification notification)
    {
        if (!_channel.Writer.TryWrite(notification))
        {
            Interlocked.Increment(ref _dropped);
            _options.Metrics?.Dropped();
            return false;
        }

        Interlocked.Increment(ref _received);
        _options.Metrics?.Received(VersionTag(notification.Version), notification.IsInform ? "inform" : "trap");
        return true;
    }

    private void CountMalformed(string reason)
    {
        Interlocked.Increment(ref _malformed);
        _options.Metrics?.Malformed(reason);
    }

    private void CountUnknownSource(string reason)
    {
        Interlocked.Increment(ref _unknownSource);
        _options.Metrics?.UnknownSource(reason);
    }

    private static string VersionTag(SnmpVersion version) => version switch
    {
        SnmpVersion.V1 => "v1",
        SnmpVersion.V2c => "v2c",
        _ => "v3",
    };
}
