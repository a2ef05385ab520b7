using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace NetOps.Snmp;

/// <summary>
/// SNMPv3 with the user-based security model: engine discovery, time synchronisation, reports turned into
/// <see cref="SnmpSecurityException"/>s, and per-device engine state that follows reboots.
/// </summary>
public sealed partial class SnmpClient
{
    private const int V3MaxMessageSize = 65507;

    /// <summary>usmStats (RFC 3414 5): .1 unsupportedSecLevels, .2 notInTimeWindows, .3 unknownUserNames,
    /// .4 unknownEngineIDs, .5 wrongDigests, .6 decryptionErrors.</summary>
    private static readonly Oid UsmStats = Oid.Parse("1.3.6.1.6.3.15.1.1");

    private static readonly Oid SysUpTime = Oid.Parse("1.3.6.1.2.1.1.3.0");

    private readonly ConcurrentDictionary<int, PendingRequest<(SnmpV3Message Message, ReadOnlyMemory<byte> Packet)>> _pendingV3 = new();
    private long _saltCounter = Random.Shared.NextInt64();

    private async Task<SnmpPdu> SendV3Async(SnmpTarget target, SnmpPdu request, CancellationToken cancellationToken)
    {
        var security = target.V3 ?? throw new ArgumentException("an SNMPv3 target needs its V3 settings", nameof(target));
        security.Validate();
        var device = Device(target.EndPoint);
        var name = FormatEndPoint(target.EndPoint);
        try
        {
            return await RequestV3Async(target, security, request, device, name, cancellationToken).ConfigureAwait(false);
        }
        catch (SnmpTimeoutException) when (security.Level == SnmpSecurityLevel.AuthPriv && device.Engine.IsKnown)
        {
            // An agent drops a request it cannot decrypt (net-snmp sends no decryptionError report): when it answers
            // the same user at authNoPriv, the user and the authentication key are right and the privacy key is not.
            var probe = security with { Level = SnmpSecurityLevel.AuthNoPriv, PrivProtocol = SnmpPrivProtocol.None, PrivPassword = null };
            bool answers;
            try
            {
                await RequestV3Async(target with { Retries = 0 }, probe, new SnmpPdu(SnmpPduType.GetRequest, 0, [VarBind.Request(SysUpTime)]),
                    device, name, cancellationToken).ConfigureAwait(false);
                answers = true;
            }
            catch (SnmpTimeoutException)
            {
                answers = false;
            }

            if (answers)
            {
                _logger.LogWarning("SNMPv3 user {User} at {Device} authenticates but its encrypted requests go unanswered",
                    security.UserName, name);
                throw new SnmpSecurityException(SnmpSecurityFailure.PrivacyMismatch, name, security.UserName,
                    "the agent authenticates the user but drops its encrypted requests: wrong privacy pass phrase or protocol");
            }

            throw;
        }
    }

    private async Task<SnmpPdu> RequestV3Async(SnmpTarget target, SnmpV3Security security, SnmpPdu request, DeviceState device,
        string name, CancellationToken cancellationToken)
    {
        var engine = device.Engine;
        if (!engine.IsKnown)
        {
            if (security.EngineId is { Count: > 0 } configured)
            {
                engine.Learn([.. configured], 0, 0); // the time comes with the first notInTimeWindow report
            }
            else
            {
                await DiscoverAsync(target, device, name, cancellationToken).ConfigureAwait(false);
            }
        }

        var rediscovered = false;
        var resynchronised = false;
        while (true)
        {
            var (engineId, boots, time) = engine.Now();
            var keys = engine.KeysFor(security, engineId);
            var contextEngineId = security.ContextEngineId is { Count: > 0 } context ? context.ToArray() : engineId;
            var (reply, packet) = await ExchangeV3Async(target, device, id => keys.Protect(id, V3MaxMessageSize, security.Level,
                    reportable: true, boots, time, new ScopedPdu(contextEngineId, security.ContextName, request with { RequestId = id }),
                    (ulong)Interlocked.Increment(ref _saltCounter)),
                request.Type, cancellationToken).ConfigureAwait(false);

            var replyKeys = reply.Security.EngineId.Span.SequenceEqual(engineId)
                ? keys
                : new UsmUserKeys(security, reply.Security.EngineId.Span);
            var scoped = reply.Scoped;
            if (reply.IsAuthenticated || reply.IsEncrypted)
            {
                var check = replyKeys.Check(reply, packet.Span, out scoped);
                if (check != UsmCheck.Ok)
                {
                    throw new SnmpSecurityException(SnmpSecurityFailure.ResponseNotAuthentic, name, security.UserName,
                        $"the agent's answer failed our check ({check})");
                }
            }

            var pdu = scoped!.Pdu;
            if (pdu.Type == SnmpPduType.Report)
            {
                var oid = pdu.VarBinds.Count > 0 ? pdu.VarBinds[0].Oid : Oid.Empty;
                var counter = oid.Length > UsmStats.Length && oid.StartsWith(UsmStats) ? oid[UsmStats.Length] : 0;
                if (counter == 4 && !rediscovered && reply.Security.EngineId.Length > 0)
                {
                    rediscovered = true;
                    _logger.LogInformation("SNMPv3 engine id of {Device} changed; using the one it reported", name);
                    engine.Learn(reply.Security.EngineId.ToArray(), reply.Security.EngineBoots, reply.Security.EngineTime);
                    continue;
                }

                if (counter == 2 && !resynchronised && reply.IsAuthenticated)
                {
                    resynchronised = true;
                    _logger.LogInformation("SNMPv3 engine of {Device} out of our time window (boots {OldBoots}, now {Boots}); resynchronised",
                        name, boots, reply.Security.EngineBoots);
                    engine.Learn(reply.Security.EngineId.ToArray(), reply.Security.EngineBoots, reply.Security.EngineTime);
                    continue;
                }

                throw ReportFailure(counter, oid, name, security.UserName);
            }

            if (reply.Level < security.Level)
            {
                throw new SnmpSecurityException(SnmpSecurityFailure.ResponseNotAuthentic, name, security.UserName,
                    $"the agent answered at {reply.Level} a request sent at {security.Level}");
            }

            if (reply.IsAuthenticated)
            {
                engine.Observe(reply.Security.EngineBoots, reply.Security.EngineTime);
            }

            return pdu;
        }
    }

    private static SnmpSecurityException ReportFailure(uint counter, Oid oid, string device, string user)
    {
        var (failure, detail) = counter switch
        {
            1 => (SnmpSecurityFailure.UnsupportedSecurityLevel, "the user is not configured for this security level (usmStatsUnsupportedSecLevels)"),
            2 => (SnmpSecurityFailure.NotSynchronised, "still outside the agent's time window after resynchronising (usmStatsNotInTimeWindows)"),
            3 => (SnmpSecurityFailure.UnknownUserName, "the agent does not know this user (usmStatsUnknownUserNames)"),
            4 => (SnmpSecurityFailure.NotSynchronised, "the agent refuses our engine id even after rediscovery (usmStatsUnknownEngineIDs)"),
            5 => (SnmpSecurityFailure.WrongDigest,
                "authentication failed: wrong authentication pass phrase or protocol (usmStatsWrongDigests)"),
            6 => (SnmpSecurityFailure.DecryptionError,
                "the agent could not decrypt the request: wrong privacy protocol or pass phrase (usmStatsDecryptionErrors)"),
            _ => (SnmpSecurityFailure.OtherReport, $"the agent reported {(oid.IsEmpty ? "nothing it names" : oid.ToDottedString())}"),
        };
        return new SnmpSecurityException(failure, device, user, detail) { ReportOid = oid.IsEmpty ? null : oid };
    }

    /// <summary>Learns the agent's engine id, boots and time from the report to an empty request (RFC 3414 4).</summary>
    private async Task DiscoverAsync(SnmpTarget target, DeviceState device, string name, CancellationToken cancellationToken)
    {
        var (reply, _) = await ExchangeV3Async(target, device, id => SnmpV3Codec.Encode(new SnmpV3Message
            {
                MessageId = id,
                MaxSize = V3MaxMessageSize,
                Flags = SnmpV3Message.FlagReportable,
                Security = UsmSecurityParameters.Discovery,
                Scoped = new ScopedPdu(ReadOnlyMemory<byte>.Empty, string.Empty, new SnmpPdu(SnmpPduType.GetRequest, id, [])),
            }, out _),
            SnmpPduType.GetRequest, cancellationToken).ConfigureAwait(false);
        if (reply.Security.EngineId.IsEmpty)
        {
            throw new SnmpException($"{name} answered SNMPv3 engine discovery without an engine id");
        }

        device.Engine.Learn(reply.Security.EngineId.ToArray(), reply.Security.EngineBoots, reply.Security.EngineTime);
        _logger.LogDebug("SNMPv3 engine of {Device} discovered: {EngineId}, boots {Boots}, time {Time}",
            name, Convert.ToHexString(reply.Security.EngineId.Span), reply.Security.EngineBoots, reply.Security.EngineTime);
    }

    /// <summary>Sends what <paramref name="build"/> makes for each attempt's msgID and returns the first answer to any of them.</summary>
    private Task<(SnmpV3Message Message, ReadOnlyMemory<byte> Packet)> ExchangeV3Async(SnmpTarget target, DeviceState device,
        Func<int, byte[]> build, SnmpPduType type, CancellationToken cancellationToken) =>
        ExchangeAsync(target, device, _pendingV3, build,
            static (transport, endPoint, id, build) => transport.Send(build(id), endPoint),
            type, cancellationToken);

    private void OnV3Datagram(ReadOnlyMemory<byte> packet, IPEndPoint source)
    {
        SnmpV3Message message;
        try
        {
            message = SnmpV3Codec.Decode(packet);
        }
        catch (SnmpDecodeException e)
        {
            OnMalformed(_pendingV3, SnmpVersion.V3, packet, source, e);
            return;
        }

        if (!TryMatch(_pendingV3, SnmpVersion.V3, message.MessageId, source, out var request))
        {
            return;
        }

        request.Completion.TrySetResult((message, packet));
    }

    /// <summary>
    /// A device's SNMPv3 engine as this client knows it: engine id, boots, and time anchored to our monotonic clock
    /// (the offset between its clock and ours), plus the keys last localised for it.
    /// </summary>
    private sealed class UsmEngineState
    {
        private readonly Lock _gate = new();
        private byte[]? _engineId;
        private int _boots;
        private int _time;
        private long _learnedAt;
        private UsmUserKeys? _keys;

        public bool IsKnown
        {
            get
            {
                lock (_gate)
                {
                    return _engineId is not null;
                }
            }
        }

        public void Learn(byte[] engineId, int boots, int time)
        {
            lock (_gate)
            {
                _engineId = engineId;
                _boots = boots;
                _time = time;
                _learnedAt = Stopwatch.GetTimestamp();
            }
        }

        /// <summary>Takes the boots and time of an authentic message when they are later than ours (RFC 3414 3.2.7 b).</summary>
        public void Observe(int boots, int time)
        {
            lock (_gate)
            {
                if (boots > _boots || (boots == _boots && time > Estimate()))
                {
                    _boots = boots;
                    _time = time;
                    _learnedAt = Stopwatch.GetTimestamp();
                }
            }
        }

        /// <summary>The engine id, and the engine's boots and time as they should be now.</summary>
        public (byte[] EngineId, int Boots, int Time) Now()
        {
            lock (_gate)
            {
                return (_engineId ?? throw new InvalidOperationException("engine not discovered"), _boots, Estimate());
            }
        }

        public UsmUserKeys KeysFor(SnmpV3Security security, byte[] engineId)
        {
            lock (_gate)
            {
                if (_keys is { } keys && keys.User.Equals(security) && keys.EngineId.AsSpan().SequenceEqual(engineId))
                {
                    return keys;
                }
            }

            var fresh = new UsmUserKeys(security, engineId); // password to key may take a while: outside the lock
            lock (_gate)
            {
                _keys = fresh;
            }

            return fresh;
        }

        private int Estimate()
        {
            var elapsed = (long)Stopwatch.GetElapsedTime(_learnedAt).TotalSeconds;
            return (int)Math.Min(int.MaxValue, _time + elapsed);
        }
    }
}
