using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace NetOps.Snmp;

/// <summary>
/// SNMPv3 for <see cref="TrapReceiver"/>. A trap's authoritative engine is its sender (RFC 3414 3.2: keys localised to
/// the sender's engine id); an inform's is ours, so we answer discovery and time-window reports as an agent does.
/// The USM processing itself (digest, decryption, protection) is <see cref="UsmUserKeys"/>, shared with the agent.
/// </summary>
public sealed partial class TrapReceiver
{
    private const int TimeWindowSeconds = 150;
    private const int MaxRemoteEngines = 4096;
    private readonly ReceiverUsm _usm;

    /// <summary>Handles one v3 datagram; returns a report or the inform's acknowledgement, or nothing.</summary>
    private ReadOnlyMemory<byte> HandleV3(ReadOnlyMemory<byte> datagram, SocketAddress address)
    {
        SnmpV3Message message;
        try
        {
            message = SnmpV3Codec.Decode(datagram);
        }
        catch (SnmpDecodeException)
        {
            CountMalformed(SnmpNotificationDecoder.ReasonBer);
            return default;
        }

        var usm = message.Security;
        if (!usm.EngineId.Span.SequenceEqual(_usm.EngineId.Span))
        {
            if (message.IsReportable)
            {
                // Discovery before an inform (RFC 3414 4), or an inform to an engine we are not: tell our engine id.
                return Report(message, 4, null, SnmpSecurityLevel.NoAuthNoPriv);
            }

            return HandleV3Trap(datagram, message, address);
        }

        if (!_usm.Users.TryGetValue(usm.UserName, out var user) || !_usm.LocalKeys.TryGetValue(usm.UserName, out var keys))
        {
            CountUnknownSource("user");
            return Report(message, 3, null, SnmpSecurityLevel.NoAuthNoPriv);
        }

        if (message.Level > keys.MaxLevel)
        {
            CountUnknownSource("level");
            return Report(message, 1, null, SnmpSecurityLevel.NoAuthNoPriv);
        }

        var check = keys.Check(message, datagram.Span, out var scoped);
        if (check == UsmCheck.WrongDigest)
        {
            CountUnknownSource("digest");
            return Report(message, 5, null, SnmpSecurityLevel.NoAuthNoPriv);
        }

        var now = _usm.Time;
        if (message.IsAuthenticated && (usm.EngineBoots != _usm.Boots || Math.Abs((long)usm.EngineTime - now) > TimeWindowSeconds))
        {
            // Authenticated, so that the sender may trust the boots and time it carries (RFC 3414 3.2.7 a).
            CountUnknownSource("time_window");
            return Report(message, 2, keys, SnmpSecurityLevel.AuthNoPriv);
        }

        if (check != UsmCheck.Ok || scoped is null)
        {
            CountMalformed(check == UsmCheck.UnsupportedSecurityLevel ? "level" : "decryption");
            return Report(message, check == UsmCheck.UnsupportedSecurityLevel ? 1 : 6, null, SnmpSecurityLevel.NoAuthNoPriv);
        }

        if (!TryQueueV3(message, scoped, user, UdpReceiveLoop.ToEndPoint(address)) || scoped.Pdu.Type != SnmpPduType.InformRequest)
        {
            return default;
        }

        var response = new SnmpPdu(SnmpPduType.Response, scoped.Pdu.RequestId, scoped.Pdu.VarBinds);
        Interlocked.Increment(ref _acknowledged);
        return keys.Protect(message.MessageId, message.MaxSize > 0 ? Math.Min(message.MaxSize, MaxDatagram) : MaxDatagram, message.Level,
            reportable: false, _usm.Boots, now, scoped with { Pdu = response }, _usm.NextSalt());
    }

    private ReadOnlyMemory<byte> HandleV3Trap(ReadOnlyMemory<byte> datagram, SnmpV3Message message, SocketAddress address)
    {
        var usm = message.Security;
        if (!_usm.Users.TryGetValue(usm.UserName, out var user))
        {
            CountUnknownSource("user");
            return default;
        }

        if (user.EngineId is { } bound && !usm.EngineId.Span.SequenceEqual([.. bound]))
        {
            CountUnknownSource("engine");
            return default;
        }

        if (message.Level > user.Level)
        {
            CountUnknownSource("level");
            return default;
        }

        var keys = _usm.RemoteKeys(user, usm.EngineId.Span);
        if (keys is null)
        {
            CountUnknownSource("engine");
            return default;
        }

        // No time window: net-snmp's snmptrapd does not keep one per sending engine either, so replays are not refused.
        switch (keys.Check(message, datagram.Span, out var scoped))
        {
            case UsmCheck.WrongDigest:
                CountUnknownSource("digest");
                return default;
            case UsmCheck.UnsupportedSecurityLevel:
                CountUnknownSource("level");
                return default;
            case UsmCheck.DecryptionError:
                CountMalformed("decryption");
                return default;
        }

        if (scoped!.Pdu.Type != SnmpPduType.TrapV2)
        {
            CountMalformed(SnmpNotificationDecoder.ReasonPduType);
            return default;
        }

        TryQueueV3(message, scoped, user, UdpReceiveLoop.ToEndPoint(address));
        return default;
    }

    private bool TryQueueV3(SnmpV3Message message, ScopedPdu scoped, SnmpV3Security user, IPEndPoint source)
    {
        if (SnmpNotificationDecoder.FromPdu(scoped.Pdu, SnmpVersion.V3, source, out var notification) is { } reason)
        {
            CountMalformed(reason);
            return false;
        }

        return TryQueue(notification! with
        {
            UserName = user.UserName,
            SecurityLevel = message.Level,
            EngineId = message.Security.EngineId.ToArray(),
            ContextEngineId = scoped.ContextEngineId.ToArray(),
        });
    }

    /// <summary>A report of usmStats counter <paramref name="counter"/>, or nothing when the message may not be answered with one.</summary>
    private ReadOnlyMemory<byte> Report(SnmpV3Message request, int counter, UsmUserKeys? keys, SnmpSecurityLevel level)
    {
        var count = Interlocked.Increment(ref _usm.Stats[counter]);
        if (!request.IsReportable)
        {
            return default;
        }

        var now = _usm.Time;
        var oid = new Oid([1, 3, 6, 1, 6, 3, 15, 1, 1, (uint)counter, 0]);
        var report = new SnmpPdu(SnmpPduType.Report, request.Scoped?.Pdu.RequestId ?? 0, [new VarBind(oid, SnmpValue.Counter32((uint)count))]);
        var scoped = new ScopedPdu(_usm.EngineId, request.Scoped?.ContextName ?? string.Empty, report);
        if (keys is not null)
        {
            return keys.Protect(request.MessageId, MaxDatagram, level, reportable: false, _usm.Boots, now, scoped, _usm.NextSalt());
        }

        return SnmpV3Codec.Encode(new SnmpV3Message
        {
            MessageId = request.MessageId,
            MaxSize = MaxDatagram,
            Flags = 0,
            Security = new UsmSecurityParameters(_usm.EngineId, _usm.Boots, now, request.Security.UserName,
                ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty),
            Scoped = scoped,
        }, out _);
    }

    /// <summary>Our engine, the users, and their keys: localised once to our engine, on first use to each sender's.</summary>
    private sealed class ReceiverUsm
    {
        private readonly long _started = Stopwatch.GetTimestamp();
        private readonly Dictionary<string, UsmUserKeys> _remoteKeys = new(StringComparer.Ordinal);
        private long _salt = Random.Shared.NextInt64();

        public ReceiverUsm(TrapReceiverOptions options)
        {
            EngineId = EngineIds.ConfiguredOrRandom(options.EngineId);

            Boots = options.EngineBoots;
            foreach (var user in options.Users)
            {
                user.Validate();
                Users[user.UserName] = user;
                LocalKeys[user.UserName] = new UsmUserKeys(user, EngineId.Span);
            }
        }

        public ReadOnlyMemory<byte> EngineId { get; }

        public int Boots { get; }

        public Dictionary<string, SnmpV3Security> Users { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, UsmUserKeys> LocalKeys { get; } = new(StringComparer.Ordinal);

        public long[] Stats { get; } = new long[7];

        public int Time => (int)Stopwatch.GetElapsedTime(_started).TotalSeconds;

        public ulong NextSalt() => (ulong)Interlocked.Increment(ref _salt);

        /// <summary>
        /// The user's keys localised to a sending engine. Only the receive loop calls this. Bounded: past
        /// <see cref="MaxRemoteEngines"/> engines an unknown one is refused rather than letting a sender grow the cache.
        /// </summary>
        public UsmUserKeys? RemoteKeys(SnmpV3Security user, ReadOnlySpan<byte> engineId)
        {
            if (engineId.IsEmpty || engineId.Length > 32)
            {
                return null;
            }

            var key = new StringBuilder(user.UserName.Length + 1 + (engineId.Length * 2))
                .Append(user.UserName).Append('/').Append(Convert.ToHexString(engineId)).ToString();
            if (_remoteKeys.TryGetValue(key, out var keys))
            {
                return keys;
            }

            if (_remoteKeys.Count >= MaxRemoteEngines)
            {
                return null;
            }

            keys = new UsmUserKeys(user, engineId);
            _remoteKeys[key] = keys;
            return keys;
        }
    }
}
