using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace NetOps.Snmp;

/// <summary>SNMPv3 for <see cref="SnmpAgent"/>: the authoritative side of USM (RFC 3414 3.2) for configured users.</summary>
public sealed partial class SnmpAgent
{
    private const int TimeWindowSeconds = 150;
    private readonly AgentUsm _usm;

    /// <summary>The agent's snmpEngineID.</summary>
    public ReadOnlyMemory<byte> EngineId => _usm.EngineId;

    /// <summary>Reports sent so far for usmStats counter <paramref name="counter"/> (1 unsupportedSecLevels ... 6 decryptionErrors).</summary>
    public long UsmReports(int counter) => Interlocked.Read(ref _usm.Stats[counter]);

    private ReadOnlyMemory<byte> AnswerV3(ReadOnlyMemory<byte> datagram, IPEndPoint source, AgentQuirks quirks)
    {
        if (_usm.Users.Count == 0)
        {
            return default;
        }

        SnmpV3Message request;
        try
        {
            request = SnmpV3Codec.Decode(datagram);
        }
        catch (SnmpDecodeException e)
        {
            Interlocked.Increment(ref _malformed);
            _logger.LogDebug("SNMP agent on {EndPoint} dropped a malformed SNMPv3 datagram from {Source}: {Reason}", LocalEndPoint, source, e.Message);
            return default;
        }

        var usm = request.Security;
        var now = _usm.Time;
        if (!usm.EngineId.Span.SequenceEqual(_usm.EngineId.Span))
        {
            // Discovery (RFC 3414 4), or a manager that knew another engine.
            return Report(request, 4, null, SnmpSecurityLevel.NoAuthNoPriv, now);
        }

        if (!_usm.Users.TryGetValue(usm.UserName, out var keys))
        {
            _logger.LogDebug("SNMP agent on {EndPoint} got an SNMPv3 request for an unknown user from {Source}", LocalEndPoint, source);
            return Report(request, 3, null, SnmpSecurityLevel.NoAuthNoPriv, now);
        }

        if (request.Level > keys.MaxLevel)
        {
            return Report(request, 1, null, SnmpSecurityLevel.NoAuthNoPriv, now);
        }

        var check = keys.Check(request, datagram.Span, out var scoped);
        if (check == UsmCheck.WrongDigest)
        {
            _logger.LogDebug("SNMP agent on {EndPoint}: wrong digest for SNMPv3 user {User} from {Source}", LocalEndPoint, usm.UserName, source);
            return Report(request, 5, null, SnmpSecurityLevel.NoAuthNoPriv, now);
        }

        if (request.IsAuthenticated && (usm.EngineBoots != _usm.Boots || Math.Abs((long)usm.EngineTime - now) > TimeWindowSeconds))
        {
            // Authenticated, so that the manager may trust the boots and time it carries (RFC 3414 3.2.7 a).
            return Report(request, 2, keys, SnmpSecurityLevel.AuthNoPriv, now);
        }

        if (check != UsmCheck.Ok || scoped is null)
        {
            return Report(request, check == UsmCheck.UnsupportedSecurityLevel ? 1 : 6, null, SnmpSecurityLevel.NoAuthNoPriv, now);
        }

        var overhead = 64 + usm.EngineId.Length + Encoding.UTF8.GetByteCount(usm.UserName) + Usm.DigestLength(keys.User.AuthProtocol) +
                       scoped.ContextName.Length + 24;
        var response = Serve(SnmpVersion.V3, scoped.Pdu, mayWrite: false, overhead, quirks);
        if (response is null)
        {
            return default;
        }

        var encoded = Protect(request, keys, scoped, response, now, quirks);
        if (encoded.Length > _options.MaxMessageSize)
        {
            encoded = Protect(request, keys, scoped, Error(scoped.Pdu, SnmpErrorStatus.TooBig, 0) with { VarBinds = [] }, now, quirks);
        }

        return encoded;
    }

    private byte[] Protect(SnmpV3Message request, UsmUserKeys keys, ScopedPdu scoped, SnmpPdu response, int now, AgentQuirks quirks) =>
        keys.Protect(request.MessageId, _options.MaxMessageSize, request.Level, reportable: false, _usm.Boots, now,
            new ScopedPdu(_usm.EngineId, scoped.ContextName, response), _usm.NextSalt(), quirks.Encoding);

    /// <summary>A report of usmStats counter <paramref name="counter"/>, or nothing when the request may not be answered with one.</summary>
    private ReadOnlyMemory<byte> Report(SnmpV3Message request, int counter, UsmUserKeys? keys, SnmpSecurityLevel level, int now)
    {
        var count = Interlocked.Increment(ref _usm.Stats[counter]);
        if (!request.IsReportable)
        {
            return default;
        }

        var oid = new Oid([1, 3, 6, 1, 6, 3, 15, 1, 1, (uint)counter, 0]);
        var report = new SnmpPdu(SnmpPduType.Report, request.Scoped?.Pdu.RequestId ?? 0, [new VarBind(oid, SnmpValue.Counter32((uint)count))]);
        var scoped = new ScopedPdu(_usm.EngineId, request.Scoped?.ContextName ?? string.Empty, report);
        if (keys is not null)
        {
            return keys.Protect(request.MessageId, _options.MaxMessageSize, level, reportable: false, _usm.Boots, now, scoped, _usm.NextSalt());
        }

        return SnmpV3Codec.Encode(new SnmpV3Message
        {
            MessageId = request.MessageId,
            MaxSize = _options.MaxMessageSize,
            Flags = 0,
            Security = new UsmSecurityParameters(_usm.EngineId, _usm.Boots, now, request.Security.UserName,
                ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty),
            Scoped = scoped,
        }, out _);
    }

    /// <summary>The agent's engine and its users' keys, localised once at start.</summary>
    private sealed class AgentUsm
    {
        private readonly long _started = Stopwatch.GetTimestamp();
        private long _salt = Random.Shared.NextInt64();

        public AgentUsm(SnmpAgentOptions options)
        {
            EngineId = EngineIds.ConfiguredOrRandom(options.EngineId);

            Boots = options.EngineBoots;
            foreach (var user in options.Users)
            {
                user.Validate();
                Users[user.UserName] = new UsmUserKeys(user, EngineId.Span);
            }
        }

        public ReadOnlyMemory<byte> EngineId { get; }

        public int Boots { get; }

        public Dictionary<string, UsmUserKeys> Users { get; } = new(StringComparer.Ordinal);

        public long[] Stats { get; } = new long[7];

        /// <summary>snmpEngineTime: seconds since the agent started.</summary>
        public int Time => (int)Stopwatch.GetElapsedTime(_started).TotalSeconds;

        public ulong NextSalt() => (ulong)Interlocked.Increment(ref _salt);
    }
}
