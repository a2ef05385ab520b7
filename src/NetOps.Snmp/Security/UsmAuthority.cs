using System.Diagnostics;

namespace NetOps.Snmp;

/// <summary>
/// Why an authoritative engine refuses an incoming SNMPv3 message, in the order RFC 3414 3.2 checks; each but
/// <see cref="Accepted"/> is answered with a report of one usmStats counter (see <see cref="UsmAuthority.Report"/>).
/// </summary>
internal enum UsmVerdict
{
    Accepted,
    /// <summary>usmStatsUnknownEngineIDs: discovery, or a manager that knew another engine.</summary>
    UnknownEngineId,
    /// <summary>usmStatsUnknownUserNames.</summary>
    UnknownUserName,
    /// <summary>usmStatsUnsupportedSecLevels: a level above what the user is configured for.</summary>
    LevelNotConfigured,
    /// <summary>usmStatsWrongDigests.</summary>
    WrongDigest,
    /// <summary>usmStatsNotInTimeWindows: authentic, but boots or time are not ours.</summary>
    NotInTimeWindow,
    /// <summary>usmStatsUnsupportedSecLevels: the flags and the security parameters do not agree.</summary>
    UnsupportedSecurityLevel,
    /// <summary>usmStatsDecryptionErrors.</summary>
    DecryptionError,
}

/// <summary>
/// Our side of USM where we are the authoritative engine (RFC 3414 3.2): the agent for requests, the trap receiver for
/// informs. Holds the engine id, boots and time, the users' keys localised to it once, and the usmStats counters.
/// </summary>
internal sealed class UsmAuthority
{
    private const int TimeWindowSeconds = 150;
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _salt = Random.Shared.NextInt64();

    public UsmAuthority(IReadOnlyList<byte>? engineId, int boots, IReadOnlyList<SnmpV3Security> users)
    {
        EngineId = EngineIds.ConfiguredOrRandom(engineId);
        Boots = boots;
        foreach (var user in users)
        {
            user.Validate();
            Keys[user.UserName] = new UsmUserKeys(user, EngineId.Span);
        }
    }

    public ReadOnlyMemory<byte> EngineId { get; }

    public int Boots { get; }

    /// <summary>Each user's keys localised to <see cref="EngineId"/>, by user name.</summary>
    public Dictionary<string, UsmUserKeys> Keys { get; } = new(StringComparer.Ordinal);

    /// <summary>usmStats counters by their last arc (1 unsupportedSecLevels ... 6 decryptionErrors): reports sent so far.</summary>
    public long[] Stats { get; } = new long[7];

    /// <summary>snmpEngineTime: seconds since the engine started.</summary>
    public int Time => (int)Stopwatch.GetElapsedTime(_started).TotalSeconds;

    public ulong NextSalt() => (ulong)Interlocked.Increment(ref _salt);

    /// <summary>
    /// Checks <paramref name="message"/> as RFC 3414 3.2 orders it; when accepted, <paramref name="scoped"/> is its
    /// (decrypted) scoped PDU. <paramref name="keys"/> are the user's keys whenever the user is known.
    /// </summary>
    public UsmVerdict Verify(SnmpV3Message message, ReadOnlySpan<byte> packet, int now, out UsmUserKeys? keys, out ScopedPdu? scoped)
    {
        keys = null;
        scoped = null;
        var usm = message.Security;
        if (!usm.EngineId.Span.SequenceEqual(EngineId.Span))
        {
            return UsmVerdict.UnknownEngineId;
        }

        if (!Keys.TryGetValue(usm.UserName, out keys))
        {
            return UsmVerdict.UnknownUserName;
        }

        if (message.Level > keys.MaxLevel)
        {
            return UsmVerdict.LevelNotConfigured;
        }

        var check = keys.Check(message, packet, out scoped);
        if (check == UsmCheck.WrongDigest)
        {
            return UsmVerdict.WrongDigest;
        }

        if (message.IsAuthenticated && (usm.EngineBoots != Boots || Math.Abs((long)usm.EngineTime - now) > TimeWindowSeconds))
        {
            return UsmVerdict.NotInTimeWindow;
        }

        if (check != UsmCheck.Ok || scoped is null)
        {
            return check == UsmCheck.UnsupportedSecurityLevel ? UsmVerdict.UnsupportedSecurityLevel : UsmVerdict.DecryptionError;
        }

        return UsmVerdict.Accepted;
    }

    /// <summary>
    /// Counts the refusal and encodes its report, or nothing when the message may not be answered with one.
    /// A time-window report is authenticated, so that the other side may trust the boots and time it carries (RFC 3414 3.2.7 a).
    /// </summary>
    public ReadOnlyMemory<byte> Report(SnmpV3Message request, UsmVerdict verdict, UsmUserKeys? keys, int now, int maxSize)
    {
        var counter = verdict switch
        {
            UsmVerdict.LevelNotConfigured or UsmVerdict.UnsupportedSecurityLevel => 1,
            UsmVerdict.NotInTimeWindow => 2,
            UsmVerdict.UnknownUserName => 3,
            UsmVerdict.UnknownEngineId => 4,
            UsmVerdict.WrongDigest => 5,
            UsmVerdict.DecryptionError => 6,
            _ => throw new ArgumentOutOfRangeException(nameof(verdict), verdict, "an accepted message gets no report"),
        };
        var count = Interlocked.Increment(ref Stats[counter]);
        if (!request.IsReportable)
        {
            return default;
        }

        var oid = new Oid([1, 3, 6, 1, 6, 3, 15, 1, 1, (uint)counter, 0]);
        var report = new SnmpPdu(SnmpPduType.Report, request.Scoped?.Pdu.RequestId ?? 0, [new VarBind(oid, SnmpValue.Counter32((uint)count))]);
        var scoped = new ScopedPdu(EngineId, request.Scoped?.ContextName ?? string.Empty, report);
        if (verdict == UsmVerdict.NotInTimeWindow && keys is not null)
        {
            return Answer(request, keys, SnmpSecurityLevel.AuthNoPriv, scoped, now, maxSize);
        }

        return SnmpV3Codec.Encode(new SnmpV3Message
        {
            MessageId = request.MessageId,
            MaxSize = maxSize,
            Flags = 0,
            Security = new UsmSecurityParameters(EngineId, Boots, now, request.Security.UserName,
                ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty),
            Scoped = scoped,
        }, out _);
    }

    /// <summary>Encodes our answer to <paramref name="request"/>, protected with the user's keys at <paramref name="level"/>.</summary>
    public byte[] Answer(SnmpV3Message request, UsmUserKeys keys, SnmpSecurityLevel level, ScopedPdu scoped, int now, int maxSize,
        BerEncoding? encoding = null) =>
        keys.Protect(request.MessageId, maxSize, level, reportable: false, Boots, now, scoped, NextSalt(), encoding);
}
