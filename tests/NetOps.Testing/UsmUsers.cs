using NetOps.Snmp;

namespace NetOps.Testing;

/// <summary>
/// SNMPv3 users for tests, named by their protocols, one per auth/priv combination net-snmp 5.9 offers. Two pass
/// phrases in all keep the key derivations (a megabyte of hashing each) few.
/// </summary>
public static class UsmUsers
{
    public const string AuthPassword = "netops-auth-secret";
    public const string PrivPassword = "netops-priv-secret";

    public static readonly IReadOnlyList<string> AuthNames = ["MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512"];
    public static readonly IReadOnlyList<string> PrivNames = ["DES", "AES", "AES-192", "AES-256"];

    /// <summary>One user per combination: "noauth", "md5", "md5-des", ... "sha-512-aes-256".</summary>
    public static IEnumerable<User> All =>
        new[] { new User(null, null) }
            .Concat(AuthNames.Select(a => new User(a, null)))
            .Concat(AuthNames.SelectMany(a => PrivNames.Select(p => new User(a, p))));

    /// <summary>The snmpd.conf lines that create <paramref name="users"/> as read-only users at their level.</summary>
    public static IEnumerable<string> SnmpdConfig(IEnumerable<User> users) => users.SelectMany(u => new[]
    {
        u.Auth is null ? $"createUser {u.Name}" : u.Priv is null
            ? $"createUser {u.Name} {u.Auth} {AuthPassword}"
            : $"createUser {u.Name} {u.Auth} {AuthPassword} {u.Priv} {PrivPassword}",
        $"rouser {u.Name} {(u.Auth is null ? "noauth" : u.Priv is null ? "auth" : "priv")}",
    });

    public static SnmpAuthProtocol Auth(string name) =>
        UsmNames.TryParseAuth(name, out var protocol) ? protocol : throw new ArgumentOutOfRangeException(nameof(name), name, null);

    public static SnmpPrivProtocol Priv(string name) =>
        UsmNames.TryParsePriv(name, out var protocol) ? protocol : throw new ArgumentOutOfRangeException(nameof(name), name, null);

    /// <summary>A user, by net-snmp's protocol names; null for none.</summary>
    public sealed record User(string? Auth, string? Priv)
    {
        public string Name => Auth is null ? "noauth" : Priv is null ? Auth.ToLowerInvariant() : $"{Auth}-{Priv}".ToLowerInvariant();

        public SnmpSecurityLevel Level => Auth is null ? SnmpSecurityLevel.NoAuthNoPriv
            : Priv is null ? SnmpSecurityLevel.AuthNoPriv : SnmpSecurityLevel.AuthPriv;

        public SnmpV3Security Security => new(Name)
        {
            Level = Level,
            AuthProtocol = Auth is null ? SnmpAuthProtocol.None : UsmUsers.Auth(Auth),
            AuthPassword = Auth is null ? null : AuthPassword,
            PrivProtocol = Priv is null ? SnmpPrivProtocol.None : UsmUsers.Priv(Priv),
            PrivPassword = Priv is null ? null : PrivPassword,
        };

        /// <summary>The net-snmp tool arguments for this user.</summary>
        public string[] NetSnmpArguments => Level switch
        {
            SnmpSecurityLevel.NoAuthNoPriv => ["-v3", "-u", Name, "-l", "noAuthNoPriv"],
            SnmpSecurityLevel.AuthNoPriv => ["-v3", "-u", Name, "-l", "authNoPriv", "-a", Auth!, "-A", AuthPassword],
            _ => ["-v3", "-u", Name, "-l", "authPriv", "-a", Auth!, "-A", AuthPassword, "-x", Priv!, "-X", PrivPassword],
        };

        public override string ToString() => Name;
    }
}
