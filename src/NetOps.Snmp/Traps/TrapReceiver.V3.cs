using System.Net;
using System.Text;

namespace NetOps.Snmp;

/// <summary>
/// SNMPv3 for <see cref="TrapReceiver"/>. A trap's authoritative engine is its sender (RFC 3414 3.2: keys localised to
/// the sender's engine id); an inform's is ours, so we answer discovery and time-window reports as an agent does.
/// The USM processing itself (digest, decryption, protection) is <see cref="UsmUserKeys"/>, shared with the agent.
/// </summary>
public sealed partial class TrapReceiver
{
    private const int MaxRemoteEngines = 4096;
    private readonly UsmAuthority _usm;
    private readonly SenderKeys _senderKeys = new();

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

        var now = _usm.Time;
        var verdict = _usm.Verify(message, datagram.Span, now, out var keys, out var scoped);
        switch (verdict)
        {
            case UsmVerdict.Accepted:
                break;
            case UsmVerdict.UnknownEngineId when !message.IsReportable:
                return HandleV3Trap(datagram, message, address);
            case UsmVerdict.UnknownEngineId:
                // Discovery before an inform (RFC 3414 4), or an inform to an engine we are not: tell our engine id.
                return _usm.Report(message, verdict, keys, now, MaxDatagram);
            case UsmVerdict.UnsupportedSecurityLevel:
                CountMalformed("level");
                return _usm.Report(message, verdict, keys, now, MaxDatagram);
            case UsmVerdict.DecryptionError:
                CountMalformed("decryption");
                return _usm.Report(message, verdict, keys, now, MaxDatagram);
            default:
                CountUnknownSource(verdict switch
                {
                    UsmVerdict.UnknownUserName => "user",
                    UsmVerdict.LevelNotConfigured => "level",
                    UsmVerdict.WrongDigest => "digest",
                    _ => "time_window",
                });
                return _usm.Report(message, verdict, keys, now, MaxDatagram);
        }

        // Accepted: the user's keys and the scoped PDU are known.
        var (userKeys, inform) = (keys!, scoped!);
        var user = userKeys.User;
        if (!TryQueueV3(message, inform, user, UdpReceiveLoop.ToEndPoint(address)) || inform.Pdu.Type != SnmpPduType.InformRequest)
        {
            return default;
        }

        var response = new SnmpPdu(SnmpPduType.Response, inform.Pdu.RequestId, inform.Pdu.VarBinds);
        Interlocked.Increment(ref _acknowledged);
        return _usm.Answer(message, userKeys, message.Level, inform with { Pdu = response }, now,
            message.MaxSize > 0 ? Math.Min(message.MaxSize, MaxDatagram) : MaxDatagram);
    }

    private ReadOnlyMemory<byte> HandleV3Trap(ReadOnlyMemory<byte> datagram, SnmpV3Message message, SocketAddress address)
    {
        var usm = message.Security;
        if (!_usm.Keys.TryGetValue(usm.UserName, out var local))
        {
            CountUnknownSource("user");
            return default;
        }

        var user = local.User;
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

        var keys = _senderKeys.For(user, usm.EngineId.Span);
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

    /// <summary>Trap senders' engines are authoritative for their traps: the users' keys localised to each, on first use.</summary>
    private sealed class SenderKeys
    {
        private readonly Dictionary<string, UsmUserKeys> _keys = new(StringComparer.Ordinal);

        /// <summary>
        /// The user's keys localised to a sending engine. Only the receive loop calls this. Bounded: past
        /// <see cref="MaxRemoteEngines"/> engines an unknown one is refused rather than letting a sender grow the cache.
        /// </summary>
        public UsmUserKeys? For(SnmpV3Security user, ReadOnlySpan<byte> engineId)
        {
            if (engineId.IsEmpty || engineId.Length > 32)
            {
                return null;
            }

            var key = new StringBuilder(user.UserName.Length + 1 + (engineId.Length * 2))
                .Append(user.UserName).Append('/').Append(Convert.ToHexString(engineId)).ToString();
            if (_keys.TryGetValue(key, out var keys))
            {
                return keys;
            }

            if (_keys.Count >= MaxRemoteEngines)
            {
                return null;
            }

            keys = new UsmUserKeys(user, engineId);
            _keys[key] = keys;
            return keys;
        }
    }
}
