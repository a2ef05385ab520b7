using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace NetOps.Snmp;

/// <summary>
/// An SNMPv1/v2c/v3 manager. One UDP socket carries every request in flight, responses are matched by request id
/// (v3: by msgID), and each request has its own timeout and retries, so a dead device costs only its own timeouts.
/// Thread-safe; create one per process and share it.
/// </summary>
public sealed partial class SnmpClient : IAsyncDisposable
{
    private readonly SnmpClientOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<int, PendingRequest<SnmpMessage>> _pending = new();
    private readonly ConcurrentDictionary<IPEndPoint, DeviceState> _devices = new();
    private readonly Lock _socketGate = new();
    private readonly Transport _ipv4;
    private Transport? _ipv6;
    private int _nextRequestId = Random.Shared.Next(1, int.MaxValue / 2);
    private int _disposed;

    public SnmpClient(SnmpClientOptions? options = null, ILogger? logger = null)
    {
        _options = options ?? new SnmpClientOptions();
        if (_options.MaxInFlightPerDevice < 1)
        {
            throw new ArgumentException("MaxInFlightPerDevice must be at least 1", nameof(options));
        }

        _logger = logger ?? NullLogger.Instance;
        _ipv4 = new Transport(this, AddressFamily.InterNetwork);
    }

    /// <summary>The local IPv4 end point requests leave from.</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_ipv4.Socket.LocalEndPoint!;

    /// <summary>GET one object. A missing object is a value (noSuchObject/noSuchInstance) in v2c and an <see cref="SnmpErrorException"/> in v1.</summary>
    public async Task<VarBind> GetAsync(SnmpTarget target, Oid oid, CancellationToken cancellationToken = default)
    {
        var result = await GetAsync(target, [oid], cancellationToken).ConfigureAwait(false);
        return result.Count == 1 ? result[0] : throw new SnmpException($"agent answered a GET for one object with {result.Count} bindings");
    }

    /// <summary>GET several objects in one request.</summary>
    public Task<IReadOnlyList<VarBind>> GetAsync(SnmpTarget target, IReadOnlyList<Oid> oids, CancellationToken cancellationToken = default) =>
        HandOverAsync(RequestBindingsAsync(target, SnmpPduType.GetRequest, oids, cancellationToken));

    /// <summary>GET-NEXT: the first object after each of <paramref name="oids"/>.</summary>
    public Task<IReadOnlyList<VarBind>> GetNextAsync(SnmpTarget target, IReadOnlyList<Oid> oids, CancellationToken cancellationToken = default) =>
        HandOverAsync(RequestBindingsAsync(target, SnmpPduType.GetNextRequest, oids, cancellationToken));

    /// <summary>GET-BULK (v2c only): non-repeaters once, then up to <paramref name="maxRepetitions"/> successors of the rest.</summary>
    public Task<IReadOnlyList<VarBind>> GetBulkAsync(SnmpTarget target, int nonRepeaters, int maxRepetitions,
        IReadOnlyList<Oid> oids, CancellationToken cancellationToken = default) =>
        HandOverAsync(GetBulkCoreAsync(target, nonRepeaters, maxRepetitions, oids, cancellationToken));

    private async Task<IReadOnlyList<VarBind>> GetBulkCoreAsync(SnmpTarget target, int nonRepeaters, int maxRepetitions,
        IReadOnlyList<Oid> oids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(oids);
        RequireBulk(target);
        var request = new SnmpPdu(SnmpPduType.GetBulkRequest, 0, ToRequestBindings(oids))
        {
            NonRepeaters = nonRepeaters,
            MaxRepetitions = maxRepetitions,
        };
        var response = await RequestAsync(target, request, cancellationToken).ConfigureAwait(false);
        ThrowOnError(response);
        return response.VarBinds;
    }

    /// <summary>SET the given bindings atomically; the agent's answer is returned.</summary>
    public Task<IReadOnlyList<VarBind>> SetAsync(SnmpTarget target, IReadOnlyList<VarBind> bindings,
        CancellationToken cancellationToken = default) =>
        HandOverAsync(SetCoreAsync(target, bindings, cancellationToken));

    private async Task<IReadOnlyList<VarBind>> SetCoreAsync(SnmpTarget target, IReadOnlyList<VarBind> bindings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bindings);
        var response = await RequestAsync(target, new SnmpPdu(SnmpPduType.SetRequest, 0, bindings), cancellationToken)
            .ConfigureAwait(false);
        ThrowOnError(response);
        return response.VarBinds;
    }

    /// <summary>
    /// Sends <paramref name="request"/> (its request id is replaced) and returns the response PDU whatever its
    /// error-status. Throws <see cref="SnmpTimeoutException"/> when no attempt is answered.
    /// </summary>
    public Task<SnmpPdu> SendAsync(SnmpTarget target, SnmpPdu request, CancellationToken cancellationToken = default) =>
        HandOverAsync(RequestAsync(target, request, cancellationToken));

    /// <summary>
    /// <see cref="SendAsync"/> for the client's own operations: when the answer comes, the caller goes on on the receive
    /// thread, which is what a walk or a table read wants between pages (no thread woken per request).
    /// </summary>
    private async Task<SnmpPdu> RequestAsync(SnmpTarget target, SnmpPdu request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (target.Timeout <= TimeSpan.Zero || target.Retries < 0)
        {
            throw new ArgumentException("a target needs a positive timeout and zero or more retries", nameof(target));
        }

        if (target.Version == SnmpVersion.V3)
        {
            return await SendV3Async(target, request, cancellationToken).ConfigureAwait(false);
        }

        var answer = await ExchangeAsync(target, Device(target.EndPoint), _pending, (target.Version, target.Community, Request: request),
            static (transport, endPoint, id, state) =>
                transport.Send(new SnmpMessage(state.Version, state.Community, state.Request with { RequestId = id }), endPoint),
            request.Type, cancellationToken).ConfigureAwait(false);
        return answer.Pdu;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Transport? ipv6;
        lock (_socketGate)
        {
            ipv6 = _ipv6;
        }

        await _ipv4.DisposeAsync().ConfigureAwait(false);
        if (ipv6 is not null)
        {
            await ipv6.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var pending in _pending.Values)
        {
            pending.Completion.TrySetException(new ObjectDisposedException(nameof(SnmpClient)));
        }

        foreach (var pending in _pendingV3.Values)
        {
            pending.Completion.TrySetException(new ObjectDisposedException(nameof(SnmpClient)));
        }
    }

    private async Task<IReadOnlyList<VarBind>> RequestBindingsAsync(SnmpTarget target, SnmpPduType type, IReadOnlyList<Oid> oids,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(oids);
        var response = await RequestAsync(target, new SnmpPdu(type, 0, ToRequestBindings(oids)), cancellationToken).ConfigureAwait(false);
        ThrowOnError(response);
        return response.VarBinds;
    }

    /// <summary>
    /// Hands the outcome of an operation to its caller on the thread pool. Its requests and answers ran on the receive
    /// thread (see <see cref="RequestAsync"/>); the caller's code must not, or a slow caller would hold every other answer.
    /// </summary>
    private static async Task<T> HandOverAsync<T>(Task<T> operation)
    {
        try
        {
            return await operation.ConfigureAwait(false);
        }
        finally
        {
            if (UdpReceiveLoop.OnOwnThread)
            {
                await Task.Yield();
            }
        }
    }

    private static VarBind[] ToRequestBindings(IReadOnlyList<Oid> oids)
    {
        var bindings = new VarBind[oids.Count];
        for (var i = 0; i < bindings.Length; i++)
        {
            bindings[i] = VarBind.Request(oids[i]);
        }

        return bindings;
    }

    private static void RequireBulk(SnmpTarget target)
    {
        if (target.Version == SnmpVersion.V1)
        {
            throw new InvalidOperationException("get-bulk needs SNMPv2c; use GetNextAsync or WalkAsync with v1");
        }
    }

    private static void ThrowOnError(SnmpPdu response)
    {
        if (response.ErrorStatus != SnmpErrorStatus.NoError)
        {
            var index = response.ErrorIndex;
            Oid? failed = index >= 1 && index <= response.VarBinds.Count ? response.VarBinds[index - 1].Oid : null;
            throw new SnmpErrorException(response.ErrorStatus, index, failed);
        }
    }

    private static string FormatEndPoint(IPEndPoint endPoint) =>
        endPoint.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{endPoint.Address}]:{endPoint.Port}" : $"{endPoint.Address}:{endPoint.Port}";

    private static IPEndPoint Normalize(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;

    private int NextRequestId()
    {
        var id = Interlocked.Increment(ref _nextRequestId) & int.MaxValue;
        return id == 0 ? NextRequestId() : id;
    }

    private ValueTask OnDatagram(ReadOnlyMemory<byte> datagram, SocketAddress address, CancellationToken cancellationToken)
    {
        // One copy per datagram: decoded values refer to it, and the receive buffer is reused for the next one.
        OnDatagram(datagram.ToArray(), UdpReceiveLoop.ToEndPoint(address));
        return ValueTask.CompletedTask;
    }

    private void OnDatagram(ReadOnlyMemory<byte> packet, IPEndPoint source)
    {
        if (SnmpV3Codec.PeekVersion(packet.Span) == 3)
        {
            OnV3Datagram(packet, source);
            return;
        }

        SnmpMessage message;
        try
        {
            message = SnmpCodec.Decode(packet);
        }
        catch (SnmpDecodeException e)
        {
            OnMalformed(_pending, SnmpVersion.V2c, packet, source, e);
            return;
        }

        if (message.Pdu.Type is not (SnmpPduType.Response or SnmpPduType.Report))
        {
            return;
        }

        if (!TryMatch(_pending, message.Version, message.Pdu.RequestId, source, out var request))
        {
            return;
        }

        if (message.Version != request.Version)
        {
            _logger.LogDebug("Dropped a {Version} response from {Source} to a {RequestVersion} request", message.Version, source, request.Version);
            return;
        }

        request.Completion.TrySetResult(message);
    }
}
