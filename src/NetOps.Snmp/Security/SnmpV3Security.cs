using System.Text;

namespace NetOps.Snmp;

/// <summary>
/// A USM user as a manager uses it (and as an agent accepts it): name, level, protocols and pass phrases, and the
/// context to address. Its string form never shows a pass phrase; keys are derived from the pass phrases and
/// cached per engine id, never exposed.
/// </summary>
public sealed record SnmpV3Security(string UserName)
{
    public SnmpSecurityLevel Level { get; init; } = SnmpSecurityLevel.NoAuthNoPriv;

    public SnmpAuthProtocol AuthProtocol { get; init; } = SnmpAuthProtocol.None;

    /// <summary>The authentication pass phrase (at least 8 characters, as net-snmp demands): a secret.</summary>
    public string? AuthPassword { get; init; }

    public SnmpPrivProtocol PrivProtocol { get; init; } = SnmpPrivProtocol.None;

    /// <summary>The privacy pass phrase (at least 8 characters): a secret.</summary>
    public string? PrivPassword { get; init; }

    /// <summary>The context name (net-snmp's <c>-n</c>); empty for the default context.</summary>
    public string ContextName { get; init; } = string.Empty;

    /// <summary>The context engine id (net-snmp's <c>-E</c>); null for the agent's own engine id.</summary>
    public IReadOnlyList<byte>? ContextEngineId { get; init; }

    /// <summary>
    /// The agent's engine id when known in advance (net-snmp's <c>-e</c>): discovery is skipped, only the time is
    /// learned. Null discovers it.
    /// </summary>
    public IReadOnlyList<byte>? EngineId { get; init; }

    /// <summary>A user that authenticates with <paramref name="protocol"/> and does not encrypt.</summary>
    public static SnmpV3Security AuthNoPriv(string userName, SnmpAuthProtocol protocol, string password) =>
        new(userName) { Level = SnmpSecurityLevel.AuthNoPriv, AuthProtocol = protocol, AuthPassword = password };

    /// <summary>A user that authenticates and encrypts.</summary>
    public static SnmpV3Security AuthPriv(string userName, SnmpAuthProtocol auth, string authPassword, SnmpPrivProtocol priv,
        string privPassword) =>
        new(userName)
        {
            Level = SnmpSecurityLevel.AuthPriv,
            AuthProtocol = auth,
            AuthPassword = authPassword,
            PrivProtocol = priv,
            PrivPassword = privPassword,
        };

    /// <summary>Throws <see cref="ArgumentException"/> when the settings cannot work together; the message names no secret.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(UserName, nameof(UserName));
        if (Encoding.UTF8.GetByteCount(UserName) > 32)
        {
            throw new ArgumentException("a USM user name has at most 32 octets", nameof(UserName));
        }

        if (Level != SnmpSecurityLevel.NoAuthNoPriv)
        {
            if (AuthProtocol == SnmpAuthProtocol.None)
            {
                throw new ArgumentException($"security level {Level} needs an authentication protocol", nameof(AuthProtocol));
            }

            RequirePassPhrase(AuthPassword, nameof(AuthPassword));
        }

        if (Level == SnmpSecurityLevel.AuthPriv)
        {
            if (PrivProtocol == SnmpPrivProtocol.None)
            {
                throw new ArgumentException("security level AuthPriv needs a privacy protocol", nameof(PrivProtocol));
            }

            RequirePassPhrase(PrivPassword, nameof(PrivPassword));
        }
    }

    private static void RequirePassPhrase(string? phrase, string name)
    {
        if (phrase is null || phrase.Length < 8)
        {
            throw new ArgumentException("a USM pass phrase needs at least 8 characters", name);
        }
    }

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("UserName = ").Append(UserName)
            .Append(", Level = ").Append(Level)
            .Append(", AuthProtocol = ").Append(AuthProtocol)
            .Append(", AuthPassword = ").Append(AuthPassword is null ? "null" : "***")
            .Append(", PrivProtocol = ").Append(PrivProtocol)
            .Append(", PrivPassword = ").Append(PrivPassword is null ? "null" : "***")
            .Append(", ContextName = ").Append(ContextName);
        if (ContextEngineId is not null)
        {
            builder.Append(", ContextEngineId = ").Append(Convert.ToHexString([.. ContextEngineId]));
        }

        if (EngineId is not null)
        {
            builder.Append(", EngineId = ").Append(Convert.ToHexString([.. EngineId]));
        }

        return true;
    }
}
