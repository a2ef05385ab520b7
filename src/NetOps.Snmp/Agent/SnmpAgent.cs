using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace NetOps.Snmp;

/// <summary>
/// An SNMPv1/v2c/v3 agent serving a <see cref="MibView"/> on one UDP end point: get, get-next, get-bulk and set
/// of writable entries (v3: read-only, for the configured USM users). Many agents can run in one process, each on
/// its own address or port.
/// </summary>
public sealed partial class SnmpAgent : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly SnmpAgentOptions _options;
    private readonly ILogger _logger;
    private readonly BerWriter _writer;
    private readonly BerWriter _measure;
    private readonly UdpReceiveLoop _receiving;
    private volatile AgentQuirks _quirks;
    private long _answered;
    private long _malformed;

    private SnmpAgent(Socket socket, MibView view, SnmpAgentOptions options, ILogger logger)
    {
        _socket = socket;
        _options = options;
        _logger = logger;
        _quirks = options.Quirks;
        _writer = new BerWriter(options.Quirks.Encoding);
        _measure = new BerWriter(options.Quirks.Encoding);
        View = view;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _usm = new UsmAuthority(options.EngineId, options.EngineBoots, options.Users);
        _receiving = UdpReceiveLoop.Start(socket, ServeAsync, logger, "SNMP agent");
    }

    /// <summary>The bound end point; its port is the real one when port 0 was asked for.</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The served objects; change them at any time.</summary>
    public MibView View { get; }

    /// <summary>Misbehaviour in force; may be changed while the agent runs.</summary>
    public AgentQuirks Quirks
    {
        get => _quirks;
        set => _quirks = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Requests answered so far.</summary>
    public long RequestsAnswered => Interlocked.Read(ref _answered);

    /// <summary>Datagrams dropped because they were not valid SNMP.</summary>
    public long MalformedRequests => Interlocked.Read(ref _malformed);

    /// <summary>Binds <paramref name="endPoint"/> (port 0 picks a free port) and starts answering.</summary>
    public static SnmpAgent Start(IPEndPoint endPoint, MibView view, SnmpAgentOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(view);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(endPoint);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new SnmpAgent(socket, view, options ?? new SnmpAgentOptions(), logger ?? NullLogger.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        await _receiving.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Answers one request, at once or, for a slow device, later.</summary>
    private async ValueTask ServeAsync(ReadOnlyMemory<byte> datagram, SocketAddress address, CancellationToken cancellationToken)
    {
        var source = UdpReceiveLoop.ToEndPoint(address);
        var response = Answer(datagram, source);
        if (response.Length > 0 && _quirks.ResponseDelay > TimeSpan.Zero)
        {
            _ = AnswerLaterAsync(response, source, _quirks.ResponseDelay, cancellationToken);
        }
        else if (response.Length > 0)
        {
            await _socket.SendToAsync(response, SocketFlags.None, source, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _answered);
        }
    }

    private async Task AnswerLaterAsync(ReadOnlyMemory<byte> response, IPEndPoint source, TimeSpan delay, CancellationToken token)
    {
        try
        {
            await Task.Delay(delay, token).ConfigureAwait(false);
            await _socket.SendToAsync(response, SocketFlags.None, source, token).ConfigureAwait(false);
            Interlocked.Increment(ref _answered);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // The agent stopped meanwhile, or the network refused: a slow device may lose answers too.
        }
    }

    /// <summary>The encoded response to one datagram, or nothing when it is to be dropped.</summary>
    private ReadOnlyMemory<byte> Answer(ReadOnlyMemory<byte> datagram, IPEndPoint source)
    {
        var quirks = _quirks;
        if (quirks.Silent)
        {
            return default;
        }

        if (SnmpV3Codec.PeekVersion(datagram.Span) == 3)
        {
            return AnswerV3(datagram, source, quirks);
        }

        SnmpMessage request;
        try
        {
            request = SnmpCodec.Decode(datagram);
        }
        catch (SnmpDecodeException e)
        {
            Interlocked.Increment(ref _malformed);
            _logger.LogDebug("SNMP agent on {EndPoint} dropped a malformed datagram from {Source}: {Reason}", LocalEndPoint, source, e.Message);
            return default;
        }

        var pdu = request.Pdu;
        var isSet = pdu.Type == SnmpPduType.SetRequest;
        var mayRead = request.Community == _options.ReadCommunity || request.Community == _options.WriteCommunity;
        var mayWrite = _options.WriteCommunity is not null && request.Community == _options.WriteCommunity;
        if (!(isSet ? mayWrite || mayRead : mayRead))
        {
            // As snmpd: no answer to an unknown community (the community itself is never logged).
            _logger.LogDebug("SNMP agent on {EndPoint} dropped a request with an unknown community from {Source}", LocalEndPoint, source);
            return default;
        }

        var response = Serve(request.Version, pdu, mayWrite, request.Community.Length, quirks);
        if (response is null)
        {
            return default;
        }

        var encoded = Encode(request, response, quirks);
        if (encoded.Length > _options.MaxMessageSize)
        {
            encoded = Encode(request, TooBig(request.Version, pdu), quirks);
        }

        return encoded;
    }

    /// <summary>RFC 3416 4.2.1: the answer that does not fit is tooBig with an empty binding list (v1 echoes the request's).</summary>
    private static SnmpPdu TooBig(SnmpVersion version, SnmpPdu request) =>
        Error(request, SnmpErrorStatus.TooBig, 0) with { VarBinds = version == SnmpVersion.V1 ? request.VarBinds : [] };

    /// <summary>The response to one request PDU, or null when the PDU type is not one to answer.</summary>
    private SnmpPdu? Serve(SnmpVersion version, SnmpPdu pdu, bool mayWrite, int headerOverhead, AgentQuirks quirks)
    {
        try
        {
            return pdu.Type switch
            {
                SnmpPduType.GetRequest => Get(version, pdu),
                SnmpPduType.GetNextRequest => GetNext(version, pdu, quirks),
                SnmpPduType.GetBulkRequest when version != SnmpVersion.V1 => GetBulk(pdu, quirks, headerOverhead),
                SnmpPduType.SetRequest => mayWrite
                    ? Set(version, pdu)
                    : Error(pdu, version == SnmpVersion.V1 ? SnmpErrorStatus.NoSuchName : SnmpErrorStatus.NoAccess, 1),
                _ => null,
            };
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A provider failed: the agent stays up and says so, as genErr.
            _logger.LogWarning(e, "SNMP agent on {EndPoint} failed to answer a {PduType}", LocalEndPoint, pdu.Type);
            return Error(pdu, SnmpErrorStatus.GenErr, 0);
        }
    }

    private ReadOnlyMemory<byte> Encode(SnmpMessage request, SnmpPdu response, AgentQuirks quirks)
    {
        _writer.Encoding = quirks.Encoding;
        _writer.Reset();
        SnmpCodec.Write(_writer, new SnmpMessage(request.Version, request.Community, response));
        return _writer.ToArray();
    }

    private SnmpPdu Get(SnmpVersion version, SnmpPdu pdu)
    {
        var results = new VarBind[pdu.VarBinds.Count];
        for (var i = 0; i < results.Length; i++)
        {
            var oid = pdu.VarBinds[i].Oid;
            if (View.TryGet(oid, out var value) && !(version == SnmpVersion.V1 && (value.Type == SnmpType.Counter64 || value.IsException)))
            {
                results[i] = new VarBind(oid, value);
            }
            else if (version == SnmpVersion.V1)
            {
                return Error(pdu, SnmpErrorStatus.NoSuchName, i + 1);
            }
            else
            {
                results[i] = new VarBind(oid, View.HasSiblingInstance(oid) ? SnmpValue.NoSuchInstance : SnmpValue.NoSuchObject);
            }
        }

        return Response(pdu, results);
    }

    private SnmpPdu GetNext(SnmpVersion version, SnmpPdu pdu, AgentQuirks quirks)
    {
        var results = new VarBind[pdu.VarBinds.Count];
        for (var i = 0; i < results.Length; i++)
        {
            if (Next(pdu.VarBinds[i].Oid, version, quirks) is { } next)
            {
                results[i] = next;
            }
            else if (version == SnmpVersion.V1)
            {
                return Error(pdu, SnmpErrorStatus.NoSuchName, i + 1);
            }
            else
            {
                results[i] = new VarBind(pdu.VarBinds[i].Oid, SnmpValue.EndOfMibView);
            }
        }

        return Response(pdu, results);
    }

    private SnmpPdu GetBulk(SnmpPdu pdu, AgentQuirks quirks, int communityLength)
    {
        var requested = pdu.VarBinds;
        var nonRepeaters = Math.Clamp(pdu.NonRepeaters, 0, requested.Count);
        var repetitions = Math.Max(0, pdu.MaxRepetitions);
        if (quirks.TooBigAboveRepetitions is { } limit && repetitions > limit)
        {
            return Error(pdu, SnmpErrorStatus.TooBig, 0) with { VarBinds = [] };
        }

        if (quirks.MaxBulkRepetitions is { } cap)
        {
            repetitions = Math.Min(repetitions, cap);
        }

        // Budget the answer as it grows instead of encoding it again and again: the header is measured on an
        // empty response, with room for every length field to grow to its longest form.
        var budget = _options.MaxMessageSize - (communityLength + 48);
        var results = new List<VarBind>();
        var size = 0;
        for (var i = 0; i < nonRepeaters; i++)
        {
            var binding = Next(requested[i].Oid, SnmpVersion.V2c, quirks) ?? new VarBind(requested[i].Oid, SnmpValue.EndOfMibView);
            if (!Fits(binding, ref size, budget))
            {
                return results.Count == 0 ? Error(pdu, SnmpErrorStatus.TooBig, 0) with { VarBinds = [] } : Response(pdu, results);
            }

            results.Add(binding);
        }

        var repeaters = requested.Count - nonRepeaters;
        if (repeaters == 0)
        {
            return Response(pdu, results);
        }

        var cursor = new Oid[repeaters];
        for (var j = 0; j < repeaters; j++)
        {
            cursor[j] = requested[nonRepeaters + j].Oid;
        }

        for (var r = 0; r < repetitions; r++)
        {
            var allEnded = true;
            for (var j = 0; j < repeaters; j++)
            {
                var binding = Next(cursor[j], SnmpVersion.V2c, quirks) ?? new VarBind(cursor[j], SnmpValue.EndOfMibView);
                if (!Fits(binding, ref size, budget))
                {
                    return results.Count == 0 ? Error(pdu, SnmpErrorStatus.TooBig, 0) with { VarBinds = [] } : Response(pdu, results);
                }

                results.Add(binding);
                cursor[j] = binding.Oid;
                allEnded &= binding.Value.Type == SnmpType.EndOfMibView;
            }

            if (allEnded)
            {
                break;
            }
        }

        return Response(pdu, results);
    }

    private bool Fits(VarBind binding, ref int size, int budget)
    {
        _measure.Encoding = _quirks.Encoding;
        _measure.Reset();
        _measure.WriteVarBind(binding);
        if (size + _measure.Length > budget)
        {
            return false;
        }

        size += _measure.Length;
        return true;
    }

    private SnmpPdu Set(SnmpVersion version, SnmpPdu pdu)
    {
        var entries = new MibView.Entry[pdu.VarBinds.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            var binding = pdu.VarBinds[i];
            if (!View.TryGetEntry(binding.Oid, out var entry))
            {
                return Error(pdu, version == SnmpVersion.V1 ? SnmpErrorStatus.NoSuchName : SnmpErrorStatus.NoCreation, i + 1);
            }

            if (!entry.Source.Writable)
            {
                return Error(pdu, version == SnmpVersion.V1 ? SnmpErrorStatus.NoSuchName : SnmpErrorStatus.NotWritable, i + 1);
            }

            if (entry.Read().Type != binding.Value.Type)
            {
                return Error(pdu, version == SnmpVersion.V1 ? SnmpErrorStatus.BadValue : SnmpErrorStatus.WrongType, i + 1);
            }

            entries[i] = entry;
        }

        for (var i = 0; i < entries.Length; i++)
        {
            // The request's bytes are reused by the next datagram: keep a copy of the value.
            entries[i].Source = entries[i].Source with { Value = Detach(pdu.VarBinds[i].Value), Provider = null };
        }

        return Response(pdu, pdu.VarBinds.Select(b => new VarBind(b.Oid, Detach(b.Value))).ToArray());
    }

    private static SnmpValue Detach(SnmpValue value) => value.Type switch
    {
        SnmpType.OctetString or SnmpType.IpAddress or SnmpType.Opaque => SnmpValue.FromBytes(value.Type, value.AsBytes()),
        _ => value,
    };

    private VarBind? Next(Oid oid, SnmpVersion version, AgentQuirks quirks)
    {
        if (quirks.RepeatAfter is { } repeat && oid >= repeat && View.TryGet(repeat, out var repeated))
        {
            return new VarBind(repeat, repeated);
        }

        var cursor = oid;
        while (View.TryGetNext(cursor, out var next))
        {
            // v1 cannot carry Counter64 or exception values: skip them (RFC 3584 4.2.2.1).
            if (version != SnmpVersion.V1 || (next.Value.Type != SnmpType.Counter64 && !next.Value.IsException))
            {
                return next;
            }

            cursor = next.Oid;
        }

        return null;
    }

    private static SnmpPdu Response(SnmpPdu request, IReadOnlyList<VarBind> bindings) =>
        new(SnmpPduType.Response, request.RequestId, bindings);

    private static SnmpPdu Error(SnmpPdu request, SnmpErrorStatus status, int index) =>
        new(SnmpPduType.Response, request.RequestId, request.VarBinds) { ErrorStatus = status, ErrorIndex = index };
}
