using System.Collections.Frozen;

namespace NetOps.Snmp;

/// <summary>
/// The one table of SNMPv3 names: security levels, authentication and privacy protocols as net-snmp writes them, and
/// the aliases accepted for them. The command line, credential strings and the trap listener all read names here.
/// </summary>
/// <remarks>Names are matched ignoring case. The first name of each value is the one written back.</remarks>
public static class UsmNames
{
    private static readonly (string Name, SnmpAuthProtocol Protocol)[] AuthTable =
    [
        ("MD5", SnmpAuthProtocol.Md5),
        ("SHA", SnmpAuthProtocol.Sha1), ("SHA1", SnmpAuthProtocol.Sha1), ("SHA-1", SnmpAuthProtocol.Sha1),
        ("SHA-224", SnmpAuthProtocol.Sha224), ("SHA224", SnmpAuthProtocol.Sha224),
        ("SHA-256", SnmpAuthProtocol.Sha256), ("SHA256", SnmpAuthProtocol.Sha256),
        ("SHA-384", SnmpAuthProtocol.Sha384), ("SHA384", SnmpAuthProtocol.Sha384),
        ("SHA-512", SnmpAuthProtocol.Sha512), ("SHA512", SnmpAuthProtocol.Sha512),
    ];

    private static readonly (string Name, SnmpPrivProtocol Protocol)[] PrivTable =
    [
        ("DES", SnmpPrivProtocol.Des),
        ("AES", SnmpPrivProtocol.Aes128), ("AES128", SnmpPrivProtocol.Aes128), ("AES-128", SnmpPrivProtocol.Aes128),
        ("AES-192", SnmpPrivProtocol.Aes192), ("AES192", SnmpPrivProtocol.Aes192),
        ("AES-256", SnmpPrivProtocol.Aes256), ("AES256", SnmpPrivProtocol.Aes256),
    ];

    /// <summary>Levels by name; net-snmp's <c>-l</c> also takes the short forms and numbers, credential strings do not.</summary>
    private static readonly (string Name, SnmpSecurityLevel Level, bool Short)[] LevelTable =
    [
        ("noAuthNoPriv", SnmpSecurityLevel.NoAuthNoPriv, false), ("noAuth", SnmpSecurityLevel.NoAuthNoPriv, true),
        ("1", SnmpSecurityLevel.NoAuthNoPriv, true),
        ("authNoPriv", SnmpSecurityLevel.AuthNoPriv, false), ("auth", SnmpSecurityLevel.AuthNoPriv, true),
        ("2", SnmpSecurityLevel.AuthNoPriv, true),
        ("authPriv", SnmpSecurityLevel.AuthPriv, false), ("priv", SnmpSecurityLevel.AuthPriv, true),
        ("3", SnmpSecurityLevel.AuthPriv, true),
    ];

    private static readonly FrozenDictionary<string, SnmpAuthProtocol> AuthByName =
        AuthTable.ToFrozenDictionary(e => e.Name, e => e.Protocol, StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<string, SnmpPrivProtocol> PrivByName =
        PrivTable.ToFrozenDictionary(e => e.Name, e => e.Protocol, StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<string, (SnmpSecurityLevel Level, bool Short)> LevelByName =
        LevelTable.ToFrozenDictionary(e => e.Name, e => (e.Level, e.Short), StringComparer.OrdinalIgnoreCase);

    /// <summary>The authentication protocols by their written names, in order: MD5, SHA, SHA-224 ... SHA-512.</summary>
    public static IReadOnlyList<string> AuthProtocols { get; } = [.. AuthTable.DistinctBy(e => e.Protocol).Select(e => e.Name)];

    /// <summary>The privacy protocols by their written names, in order: DES, AES, AES-192, AES-256.</summary>
    public static IReadOnlyList<string> PrivProtocols { get; } = [.. PrivTable.DistinctBy(e => e.Protocol).Select(e => e.Name)];

    /// <summary>The security levels by their written names: noAuthNoPriv, authNoPriv, authPriv.</summary>
    public static IReadOnlyList<string> Levels { get; } = [.. LevelTable.Where(e => !e.Short).Select(e => e.Name)];

    /// <summary>The authentication protocol <paramref name="name"/> names ("SHA-256", "sha256"), if any.</summary>
    public static bool TryParseAuth(string name, out SnmpAuthProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(name);
        return AuthByName.TryGetValue(name, out protocol);
    }

    /// <summary>The privacy protocol <paramref name="name"/> names ("AES-256", "aes256", "AES" for AES-128), if any.</summary>
    public static bool TryParsePriv(string name, out SnmpPrivProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(name);
        return PrivByName.TryGetValue(name, out protocol);
    }

    /// <summary>
    /// The security level <paramref name="name"/> names; with <paramref name="shortForms"/> also net-snmp's
    /// <c>noAuth</c>, <c>auth</c>, <c>priv</c> and <c>1</c>, <c>2</c>, <c>3</c>.
    /// </summary>
    public static bool TryParseLevel(string name, bool shortForms, out SnmpSecurityLevel level)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (LevelByName.TryGetValue(name, out var entry) && (shortForms || !entry.Short))
        {
            level = entry.Level;
            return true;
        }

        level = default;
        return false;
    }

    /// <summary>The written name of <paramref name="protocol"/>: "MD5", "SHA", "SHA-224" ...</summary>
    public static string Name(SnmpAuthProtocol protocol) =>
        protocol == SnmpAuthProtocol.None
            ? throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "no authentication protocol")
            : AuthTable.First(e => e.Protocol == protocol).Name;

    /// <summary>The written name of <paramref name="protocol"/>: "DES", "AES", "AES-192", "AES-256".</summary>
    public static string Name(SnmpPrivProtocol protocol) =>
        protocol == SnmpPrivProtocol.None
            ? throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "no privacy protocol")
            : PrivTable.First(e => e.Protocol == protocol).Name;

    /// <summary>The written name of <paramref name="level"/>: "noAuthNoPriv", "authNoPriv", "authPriv".</summary>
    public static string Name(SnmpSecurityLevel level) => LevelTable.First(e => e.Level == level && !e.Short).Name;
}
