using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;

namespace NetOps.Snmp;

/// <summary>SNMPv3 for <see cref="SnmpAgent"/>: the authoritative side of USM (RFC 3414 3.2) for configured users.</summary>
public sealed partial class SnmpAgent
{
    private readonly UsmAuthority _usm;

    /// <summary>The agent's snmpEngineID.</summary>
    public ReadOnlyMemory<byte> EngineId => _usm.EngineId;

    /// <summary>Reports sent so far for usmStats counter <paramref name="counter"/> (1 unsupportedSecLevels ... 6 decryptionErrors).</summary>
    public long UsmReports(int counter) => Interlocked.Read(ref _usm.Stats[counter]);

    private ReadOnlyMemory<byte> AnswerV3(ReadOnlyMemory<byte> datagram, IPEndPoint source, AgentQuirks quirks)
    {
        if (_usm.Keys.Count == 0)
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
        var verdict = _usm.Verify(request, datagram.Span, now, out var keys, out var scoped);
        if (verdict != UsmVerdict.Accepted)
        {
            if (verdict == UsmVerdict.UnknownUserName)
            {
                _logger.LogDebug("SNMP agent on {EndPoint} got an SNMPv3 request for an unknown user from {Source}", LocalEndPoint, source);
            }
            else if (verdict == UsmVerdict.WrongDigest)
            {
                _logger.LogDebug("SNMP agent on {EndPoint}: wrong digest for SNMPv3 user {User} from {Source}", LocalEndPoint, usm.UserName, source);
            }

            return _usm.Report(request, verdict, keys, now, _options.MaxMessageSize);
        }

        // Accepted: the user's keys and the scoped PDU are known.
        var (userKeys, accepted) = (keys!, scoped!);
        var overhead = 64 + usm.EngineId.Length + Encoding.UTF8.GetByteCount(usm.UserName) + Usm.DigestLength(userKeys.User.AuthProtocol) +
                       accepted.ContextName.Length + 24;
        var response = Serve(SnmpVersion.V3, accepted.Pdu, mayWrite: false, overhead, quirks);
        if (response is null)
        {
            return default;
        }

        var encoded = Protect(request, userKeys, accepted, response, now, quirks);
        if (encoded.Length > _options.MaxMessageSize)
        {
            encoded = Protect(request, userKeys, accepted, TooBig(SnmpVersion.V3, accepted.Pdu), now, quirks);
        }

        return encoded;
    }

    private byte[] Protect(SnmpV3Message request, UsmUserKeys keys, ScopedPdu scoped, SnmpPdu response, int now, AgentQuirks quirks) =>
        _usm.Answer(request, keys, request.Level, new ScopedPdu(_usm.EngineId, scoped.ContextName, response), now, _options.MaxMessageSize,
            quirks.Encoding);
}
