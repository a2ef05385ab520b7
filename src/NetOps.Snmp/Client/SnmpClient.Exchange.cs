using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace NetOps.Snmp;

/// <summary>
/// Request and answer, the same for every version: each attempt gets its own id, the answer to any attempt completes
/// the request, and an answer that matches nothing in flight is dropped. v1/v2c match by request id, v3 by msgID.
/// </summary>
public sealed partial class SnmpClient
{
    /// <summary>
    /// Sends what <paramref name="send"/> writes for each attempt's id until one is answered. <paramref name="send"/> is
    /// a static lambda and <paramref name="state"/> its argument, so that a request allocates no closure. The answer
    /// arrives on the transport's receive thread, and what follows the exchange runs on there until it waits again.
    /// </summary>
    private async Task<TAnswer> ExchangeAsync<TAnswer, TState>(SnmpTarget target, DeviceState device,
        ConcurrentDictionary<int, PendingRequest<TAnswer>> inFlight, TState state,
        Action<Transport, IPEndPoint, int, TState> send, SnmpPduType type, CancellationToken cancellationToken)
    {
        var endPoint = Normalize(target.EndPoint);
        var transport = TransportFor(endPoint);
        await device.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var pending = new PendingRequest<TAnswer>(endPoint, target.Version);
        var ids = new List<int>(target.Retries + 1);
        try
        {
            for (var attempt = 0; attempt <= target.Retries; attempt++)
            {
                var id = NextRequestId();
                ids.Add(id);
                inFlight[id] = pending;
                try
                {
                    send(transport, endPoint, id, state);
                }
                catch (SocketException e)
                {
                    throw new SnmpException($"cannot send to {FormatEndPoint(target.EndPoint)}: {e.SocketErrorCode}", e);
                }

                try
                {
                    return await pending.Completion.Task.WaitAsync(target.Timeout, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    _logger.LogDebug("{Protocol} {PduType} to {Device} unanswered after attempt {Attempt} of {Attempts}",
                        ProtocolName(target.Version), type, target.EndPoint, attempt + 1, target.Retries + 1);
                }
            }

            if (pending.DecodeError is { } decodeError)
            {
                throw new SnmpDecodeException($"{target.EndPoint} answered with a malformed packet: {decodeError.Message}", decodeError);
            }

            _logger.LogInformation("{Protocol} {PduType} to {Device} timed out after {Attempts} attempts",
                ProtocolName(target.Version), type, target.EndPoint, target.Retries + 1);
            throw new SnmpTimeoutException($"Timeout: No Response from {FormatEndPoint(target.EndPoint)}.");
        }
        finally
        {
            foreach (var id in ids)
            {
                inFlight.TryRemove(id, out _);
            }

            device.Gate.Release();
        }
    }

    /// <summary>
    /// Remembers an undecodable datagram for the requests to its sender: when they time out, the error says the device
    /// answered with garbage rather than not at all.
    /// </summary>
    private void OnMalformed<TAnswer>(ConcurrentDictionary<int, PendingRequest<TAnswer>> inFlight, SnmpVersion version,
        ReadOnlyMemory<byte> packet, IPEndPoint source, SnmpDecodeException error)
    {
        _logger.LogDebug("Dropped a malformed {Protocol} datagram of {Length} bytes from {Source}: {Reason}",
            ProtocolName(version), packet.Length, source, error.Message);
        foreach (var pending in inFlight.Values)
        {
            if (pending.EndPoint.Equals(source))
            {
                pending.DecodeError = error;
            }
        }
    }

    /// <summary>The request an answer with <paramref name="id"/> from <paramref name="source"/> belongs to, if any.</summary>
    private bool TryMatch<TAnswer>(ConcurrentDictionary<int, PendingRequest<TAnswer>> inFlight, SnmpVersion version, int id,
        IPEndPoint source, [NotNullWhen(true)] out PendingRequest<TAnswer>? request)
    {
        if (!inFlight.TryGetValue(id, out request))
        {
            _logger.LogDebug("Dropped an {Protocol} answer with unknown id {RequestId} from {Source}", ProtocolName(version), id, source);
            return false;
        }

        if (_options.RequireMatchingSource && !request.EndPoint.Equals(source))
        {
            _logger.LogDebug("Dropped an {Protocol} answer from {Source} to a request sent to {Device}", ProtocolName(version), source,
                request.EndPoint);
            request = null;
            return false;
        }

        return true;
    }

    private static string ProtocolName(SnmpVersion version) => version == SnmpVersion.V3 ? "SNMPv3" : "SNMP";

    /// <summary>A request in flight: the ids of all its attempts map to it.</summary>
    private sealed class PendingRequest<TAnswer>(IPEndPoint endPoint, SnmpVersion version)
    {
        public IPEndPoint EndPoint { get; } = endPoint;

        public SnmpVersion Version { get; } = version;

        /// <summary>
        /// Completed by the receive thread, which goes on with the request's continuation itself (decode, next page, next
        /// send) instead of waking a pool thread for it; the public operations hand their outcome to the pool at the end.
        /// </summary>
        public TaskCompletionSource<TAnswer> Completion { get; } = new();

        public SnmpDecodeException? DecodeError { get; set; }
    }
}
