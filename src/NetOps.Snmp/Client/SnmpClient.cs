using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
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
    private readonly ConcurrentDictionary<int, PendingRequest> _pending = new();
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
        RequestBindingsAsync(target, SnmpPduType.GetRequest, oids, cancellationToken);

    /// <summary>GET-NEXT: the first object after each of <paramref name="oids"/>.</summary>
    public Task<IReadOnlyList<VarBind>> GetNextAsync(SnmpTarget target, IReadOnlyList<Oid> oids, CancellationToken cancellationToken = default) =>
        RequestBindingsAsync(target, SnmpPduType.GetNextRequest, oids, cancellationToken);

    /// <summary>GET-BULK (v2c only): non-repeaters once, then up to <paramref name="maxRepetitions"/> successors of the rest.</summary>
    public async Task<IReadOnlyList<VarBind>> GetBulkAsync(SnmpTarget target, int nonRepeaters, int maxRepetitions,
        IReadOnlyList<Oid> oids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(oids);
        RequireBulk(target);
        var request = new SnmpPdu(SnmpPduType.GetBulkRequest, 0, ToRequestBindings(oids))
        {
            NonRepeaters = nonRepeaters,
            MaxRepetitions = maxRepetitions,
        };
        var response = await SendAsync(target, request, cancellationToken).ConfigureAwait(false);
        ThrowOnError(response);
        return response.VarBinds;
    }

    /// <summary>SET the given bindings atomically; the agent's answer is returned.</summary>
    public async Task<IReadOnlyList<VarBind>> SetAsync(SnmpTarget target, IReadOnlyList<VarBind> bindings,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bindings);
        var response = await SendAsync(target, new SnmpPdu(SnmpPduType.SetRequest, 0, bindings), cancellationToken)
            .ConfigureAwait(false);
        ThrowOnError(response);
        return response.VarBinds;
    }

    /// <summary>
    /// Every object under <paramref name="root"/>, in order: get-bulk for v2c (max-repetitions adapted per device
    /// on tooBig, empty answers, timeouts and truncated answers, and remembered), get-next for v1. Stops at the
    /// end of the subtree or of the MIB view; an agent that returns a non-increasing OID raises an
    /// <see cref="SnmpException"/> instead of looping. When the subtree is empty, the root itself is tried with
    /// a GET, as snmpwalk does.
    /// </summary>
    public IAsyncEnumerable<VarBind> WalkAsync(SnmpTarget target, Oid root, CancellationToken cancellationToken = default) =>
        WalkAsync(target, root, useGetBulk: true, cancellationToken);

    /// <summary>
    /// A walk as <see cref="WalkAsync(SnmpTarget, Oid, CancellationToken)"/>; with <paramref name="useGetBulk"/>
    /// false it uses get-next also for v2c, as snmpwalk does.
    /// </summary>
    public async IAsyncEnumerable<VarBind> WalkAsync(SnmpTarget target, Oid root, bool useGetBulk,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        var device = Device(target.EndPoint);
        var current = root;
        var returned = false;
        var retry = new BulkRetry();
        while (true)
        {
            IReadOnlyList<VarBind> page;
            if (target.Version == SnmpVersion.V1 || !useGetBulk)
            {
                var response = await SendAsync(target, new SnmpPdu(SnmpPduType.GetNextRequest, 0, [VarBind.Request(current)]),
                    cancellationToken).ConfigureAwait(false);
                if (response.ErrorStatus == SnmpErrorStatus.NoSuchName)
                {
                    break; // v1's end of the MIB view
                }

                ThrowOnError(response);
                page = response.VarBinds;
            }
            else
            {
                var (response, repetitions) = await BulkPageAsync(target, device, [current], retry, cancellationToken).ConfigureAwait(false);
                if (response is null)
                {
                    continue;
                }

                page = response.VarBinds;
                if (page.Count < repetitions && !page[^1].Value.IsException && page[^1].Oid.IsChildOf(root))
                {
                    // The agent silently caps repetitions (some switches skip rows above a limit): ask for no more.
                    Shrink(device, target, repetitions, page.Count, "a truncated answer");
                }
            }

            var finished = false;
            foreach (var binding in page)
            {
                if (binding.Value.Type == SnmpType.EndOfMibView || !binding.Oid.IsChildOf(root))
                {
                    finished = true;
                    break;
                }

                if (binding.Oid <= current)
                {
                    throw new SnmpException(
                        $"OID not increasing: {current.ToDottedString()} >= {binding.Oid.ToDottedString()} from {target.EndPoint}");
                }

                current = binding.Oid;
                returned = true;
                yield return binding;
            }

            if (finished || page.Count == 0)
            {
                break;
            }
        }

        if (!returned && root.Length > 0)
        {
            var response = await SendAsync(target, new SnmpPdu(SnmpPduType.GetRequest, 0, [VarBind.Request(root)]),
                cancellationToken).ConfigureAwait(false);
            if (response.ErrorStatus == SnmpErrorStatus.NoError && response.VarBinds.Count == 1 && !response.VarBinds[0].Value.IsException)
            {
                yield return response.VarBinds[0];
            }
        }
    }

    /// <summary>
    /// Reads a table by walking its columns under <paramref name="entry"/> (the table's entry OID, ifEntry
    /// 1.3.6.1.2.1.2.2.1): all of them, or only <paramref name="columns"/>. Rows are keyed by index suffix.
    /// Several columns are read side by side with get-bulk (v2c and later), one request for a page of rows of all of them.
    /// </summary>
    public async Task<SnmpTable> GetTableAsync(SnmpTarget target, Oid entry, IReadOnlyList<uint>? columns = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        var rows = new SortedDictionary<Oid, Dictionary<uint, SnmpValue>>();
        if (columns is { Count: > 1 } && target.Version != SnmpVersion.V1)
        {
            await ReadColumnsSideBySideAsync(target, entry, [.. columns.Distinct()], rows, cancellationToken).ConfigureAwait(false);
            return new SnmpTable(entry, rows.Select(r => new SnmpTableRow(r.Key, r.Value)).ToArray());
        }

        var roots = columns is null ? [entry] : columns.Select(c => entry.Append(c)).ToArray();
        foreach (var root in roots)
        {
            await foreach (var binding in WalkAsync(target, root, cancellationToken).ConfigureAwait(false))
            {
                if (binding.Oid.Length <= entry.Length + 1 || !binding.Oid.StartsWith(entry))
                {
                    continue; // a scalar the walk's GET fallback found, not a cell
                }

                AddCell(rows, entry, binding);
            }
        }

        return new SnmpTable(entry, rows.Select(r => new SnmpTableRow(r.Key, r.Value)).ToArray());
    }

    /// <summary>
    /// One get-bulk per page for all columns still going, as snmptable does: the answer holds rows in order, one
    /// binding per column each, so four columns of 59 rows take 3 requests instead of 12 (when the agent's maximum
    /// message size lets an answer hold 100 bindings; fewer fit, more requests, still fewer). Repetitions adapt to the
    /// device as in a walk (tooBig, empty and truncated answers, a timeout), and a column that does not increase
    /// raises an <see cref="SnmpException"/> instead of looping.
    /// </summary>
    private async Task ReadColumnsSideBySideAsync(SnmpTarget target, Oid entry, uint[] columns,
        SortedDictionary<Oid, Dictionary<uint, SnmpValue>> rows, CancellationToken cancellationToken)
    {
        var device = Device(target.EndPoint);
        var roots = columns.Select(c => entry.Append(c)).ToArray();
        var cursors = (Oid[])roots.Clone();
        var active = Enumerable.Range(0, roots.Length).ToList();
        var retry = new BulkRetry();
        while (active.Count > 0)
        {
            var (response, repetitions) = await BulkPageAsync(target, device, [.. active.Select(c => cursors[c])], retry, cancellationToken)
                .ConfigureAwait(false);
            if (response is null)
            {
                continue;
            }

            var page = response.VarBinds;
            var ended = new bool[active.Count];
            for (var k = 0; k < page.Count; k++)
            {
                var slot = k % active.Count;
                var column = active[slot];
                var binding = page[k];
                if (ended[slot])
                {
                    continue;
                }

                if (binding.Value.Type == SnmpType.EndOfMibView || !binding.Oid.IsChildOf(roots[column]))
                {
                    ended[slot] = true; // past the column: the rest of its slots hold the next column's cells
                    continue;
                }

                if (binding.Oid <= cursors[column])
                {
                    throw new SnmpException(
                        $"OID not increasing: {cursors[column].ToDottedString()} >= {binding.Oid.ToDottedString()} from {target.EndPoint}");
                }

                cursors[column] = binding.Oid;
                AddCell(rows, entry, binding);
            }

            if (page.Count < active.Count * repetitions && !ended.Any(e => e))
            {
                // The agent silently caps what it answers (some switches skip rows above a limit): ask for no more.
                Shrink(device, target, repetitions, Math.Max(1, page.Count / active.Count), "a truncated answer");
            }

            active = [.. active.Where((_, slot) => !ended[slot])];
        }
    }

    private static void AddCell(SortedDictionary<Oid, Dictionary<uint, SnmpValue>> rows, Oid entry, VarBind binding)
    {
        var column = binding.Oid[entry.Length];
        var index = binding.Oid.Slice(entry.Length + 1);
        if (!rows.TryGetValue(index, out var cells))
        {
            cells = [];
            rows.Add(index, cells);
        }

        cells[column] = binding.Value;
    }

    /// <summary>
    /// Sends <paramref name="request"/> (its request id is replaced) and returns the response PDU whatever its
    /// error-status. Throws <see cref="SnmpTimeoutException"/> when no attempt is answered.
    /// </summary>
    public async Task<SnmpPdu> SendAsync(SnmpTarget target, SnmpPdu request, CancellationToken cancellationToken = default)
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

        var endPoint = Normalize(target.EndPoint);
        var transport = TransportFor(endPoint);
        var device = Device(target.EndPoint);
        await device.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var pending = new PendingRequest(endPoint, target.Version);
        var ids = new List<int>(target.Retries + 1);
        try
        {
            for (var attempt = 0; attempt <= target.Retries; attempt++)
            {
                var id = NextRequestId();
                ids.Add(id);
                _pending[id] = pending;
                try
                {
                    await transport.SendAsync(new SnmpMessage(target.Version, target.Community, request with { RequestId = id }),
                        endPoint, cancellationToken).ConfigureAwait(false);
                }
                catch (SocketException e)
                {
                    throw new SnmpException($"cannot send to {FormatEndPoint(target.EndPoint)}: {e.SocketErrorCode}", e);
                }

                try
                {
                    var response = await pending.Completion.Task.WaitAsync(target.Timeout, cancellationToken).ConfigureAwait(false);
                    return response.Pdu;
                }
                catch (TimeoutException)
                {
                    _logger.LogDebug("SNMP {PduType} to {Device} unanswered after attempt {Attempt} of {Attempts}",
                        request.Type, target.EndPoint, attempt + 1, target.Retries + 1);
                }
            }

            if (pending.DecodeError is { } decodeError)
            {
                throw new SnmpDecodeException($"{target.EndPoint} answered with a malformed packet: {decodeError.Message}", decodeError);
            }

            _logger.LogInformation("SNMP {PduType} to {Device} timed out after {Attempts} attempts",
                request.Type, target.EndPoint, target.Retries + 1);
            throw new SnmpTimeoutException($"Timeout: No Response from {FormatEndPoint(target.EndPoint)}.");
        }
        finally
        {
            foreach (var id in ids)
            {
                _pending.TryRemove(id, out _);
            }

            device.Gate.Release();
        }
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
        var response = await SendAsync(target, new SnmpPdu(type, 0, ToRequestBindings(oids)), cancellationToken).ConfigureAwait(false);
        ThrowOnError(response);
        return response.VarBinds;
    }

    /// <summary>
    /// One get-bulk page after <paramref name="starts"/> at the repetitions that work for the device. A timeout (once per
    /// walk: large answers get lost or take a slow agent too long), tooBig, or an empty answer (some agents' way of
    /// saying tooBig) lowers the repetitions and returns a null response: ask again. At one repetition they are errors.
    /// </summary>
    private async Task<(SnmpPdu? Response, int Repetitions)> BulkPageAsync(SnmpTarget target, DeviceState device,
        IReadOnlyList<Oid> starts, BulkRetry retry, CancellationToken cancellationToken)
    {
        var repetitions = device.Repetitions(target.MaxRepetitions);
        var request = new SnmpPdu(SnmpPduType.GetBulkRequest, 0, ToRequestBindings(starts)) { MaxRepetitions = repetitions };
        SnmpPdu response;
        try
        {
            response = await SendAsync(target, request, cancellationToken).ConfigureAwait(false);
        }
        catch (SnmpTimeoutException) when (repetitions > 1 && !retry.ShrankOnTimeout)
        {
            retry.ShrankOnTimeout = true;
            Shrink(device, target, repetitions, Math.Max(1, repetitions / 5), "timeout");
            return (null, repetitions);
        }

        if (response.ErrorStatus == SnmpErrorStatus.TooBig ||
            (response.ErrorStatus == SnmpErrorStatus.NoError && response.VarBinds.Count == 0))
        {
            if (repetitions == 1)
            {
                throw response.ErrorStatus == SnmpErrorStatus.TooBig
                    ? new SnmpErrorException(SnmpErrorStatus.TooBig, response.ErrorIndex, starts[0])
                    : new SnmpException($"agent answered get-bulk after {starts[0].ToDottedString()} with no bindings");
            }

            Shrink(device, target, repetitions, repetitions / 2, response.ErrorStatus == SnmpErrorStatus.TooBig ? "tooBig" : "an empty answer");
            return (null, repetitions);
        }

        ThrowOnError(response);
        return (response, repetitions);
    }

    /// <summary>What one walk or table read has tried already.</summary>
    private sealed class BulkRetry
    {
        public bool ShrankOnTimeout { get; set; }
    }

    private void Shrink(DeviceState device, SnmpTarget target, int from, int to, string reason)
    {
        device.LimitRepetitions(to);
        _logger.LogInformation("Get-bulk to {Device} lowered from {From} to {To} repetitions after {Reason}",
            target.EndPoint, from, to, reason);
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

    private DeviceState Device(IPEndPoint endPoint) =>
        _devices.GetOrAdd(Normalize(endPoint), static (_, limit) => new DeviceState(limit), _options.MaxInFlightPerDevice);

    private Transport TransportFor(IPEndPoint endPoint)
    {
        if (endPoint.AddressFamily == AddressFamily.InterNetwork)
        {
            return _ipv4;
        }

        lock (_socketGate)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            return _ipv6 ??= new Transport(this, AddressFamily.InterNetworkV6);
        }
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
            _logger.LogDebug("Dropped a malformed datagram of {Length} bytes from {Source}: {Reason}", packet.Length, source, e.Message);
            foreach (var pending in _pending.Values)
            {
                if (pending.EndPoint.Equals(source))
                {
                    pending.DecodeError = e;
                }
            }

            return;
        }

        if (message.Pdu.Type is not (SnmpPduType.Response or SnmpPduType.Report))
        {
            return;
        }

        if (!_pending.TryGetValue(message.Pdu.RequestId, out var request))
        {
            _logger.LogDebug("Dropped a response with unknown request id {RequestId} from {Source}", message.Pdu.RequestId, source);
            return;
        }

        if (_options.RequireMatchingSource && !request.EndPoint.Equals(source))
        {
            _logger.LogDebug("Dropped a response from {Source} to a request sent to {Device}", source, request.EndPoint);
            return;
        }

        if (message.Version != request.Version)
        {
            _logger.LogDebug("Dropped a {Version} response from {Source} to a {RequestVersion} request", message.Version, source, request.Version);
            return;
        }

        request.Completion.TrySetResult(message);
    }

    private sealed class PendingRequest(IPEndPoint endPoint, SnmpVersion version)
    {
        public IPEndPoint EndPoint { get; } = endPoint;

        public SnmpVersion Version { get; } = version;

        public TaskCompletionSource<SnmpMessage> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public SnmpDecodeException? DecodeError { get; set; }
    }

    /// <summary>What the client learned about one device, and its share of concurrency.</summary>
    private sealed class DeviceState(int maxInFlight)
    {
        private int _repetitionLimit = int.MaxValue;

        public SemaphoreSlim Gate { get; } = new(maxInFlight, maxInFlight);

        /// <summary>The device's SNMPv3 engine as last learned.</summary>
        public UsmEngineState Engine { get; } = new();

        public int Repetitions(int requested) => Math.Max(1, Math.Min(requested, Volatile.Read(ref _repetitionLimit)));

        public void LimitRepetitions(int limit)
        {
            limit = Math.Max(1, limit);
            int seen;
            do
            {
                seen = Volatile.Read(ref _repetitionLimit);
                if (seen <= limit)
                {
                    return;
                }
            }
            while (Interlocked.CompareExchange(ref _repetitionLimit, limit, seen) != seen);
        }
    }

    /// <summary>One UDP socket and its receive loop.</summary>
    private sealed class Transport : IAsyncDisposable
    {
        private readonly UdpReceiveLoop _receiving;

        public Transport(SnmpClient client, AddressFamily family)
        {
            var socket = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                socket.Bind(new IPEndPoint(family == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0));
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            _receiving = UdpReceiveLoop.Start(socket, client.OnDatagram, client._logger, "SNMP client");
        }

        public Socket Socket => _receiving.Socket;

        public ValueTask<int> SendBytesAsync(ReadOnlyMemory<byte> packet, IPEndPoint endPoint, CancellationToken cancellationToken) =>
            Socket.SendToAsync(packet, SocketFlags.None, endPoint, cancellationToken);

        public async ValueTask SendAsync(SnmpMessage message, IPEndPoint endPoint, CancellationToken cancellationToken)
        {
            var writer = RentWriter();
            SnmpCodec.Write(writer, message);
            var length = writer.Length;
            var buffer = ArrayPool<byte>.Shared.Rent(length);
            writer.Written.CopyTo(buffer);
            ReturnWriter(writer);
            try
            {
                await Socket.SendToAsync(buffer.AsMemory(0, length), SocketFlags.None, endPoint, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        public ValueTask DisposeAsync() => _receiving.DisposeAsync();

        [ThreadStatic]
        private static BerWriter? _threadWriter;

        private static BerWriter RentWriter()
        {
            var writer = _threadWriter ?? new BerWriter(BerEncoding.Canonical);
            _threadWriter = null;
            writer.Reset();
            return writer;
        }

        private static void ReturnWriter(BerWriter writer) => _threadWriter = writer;
    }
}
