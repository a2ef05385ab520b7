using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace NetOps.Snmp;

/// <summary>
/// An SNMPv3 user written as one secret string, the way a credential store holds it:
/// <c>user=ops;level=authPriv;auth=SHA-256;authPass=...;priv=AES-256;privPass=...</c>.
/// </summary>
/// <remarks>
/// <para>Fields are <c>key=value</c>, separated by <c>;</c>. Keys are case-insensitive: <c>user</c> (required),
/// <c>level</c> (<c>noAuthNoPriv</c>, <c>authNoPriv</c>, <c>authPriv</c>; when omitted, the level the other fields
/// make up), <c>auth</c> (MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512), <c>authPass</c>, <c>priv</c> (DES, AES,
/// AES-192, AES-256), <c>privPass</c>, <c>context</c>.</para>
/// <para>A value runs from the first <c>=</c> of its field to the next <c>;</c> and is taken as written, spaces
/// included. A backslash takes the next character literally: <c>\;</c> is <c>;</c>, <c>\\</c> is <c>\</c>. Any other
/// character, <c>=</c> included, needs no escape.</para>
/// <para>Errors name the field, never a value: a pass phrase written into the wrong field must not reach a log line
/// through the error that reports it.</para>
/// </remarks>
public static class SnmpV3Credential
{
    private const string User = "user", Level = "level", Auth = "auth", AuthPass = "authPass", Priv = "priv",
        PrivPass = "privPass", Context = "context";

    private static readonly string[] Keys = [User, Level, Auth, AuthPass, Priv, PrivPass, Context];

    /// <summary>Parses a credential; throws <see cref="FormatException"/> naming the field at fault, never a value.</summary>
    public static SnmpV3Security Parse(string text) =>
        TryParse(text, out var security, out var error) ? security : throw new FormatException(error);

    /// <summary>Parses a credential; on failure, <paramref name="error"/> names the field at fault, never a value.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out SnmpV3Security? security, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        security = null;
        if (!TrySplit(text, out var fields, out error))
        {
            return false;
        }

        var user = fields.GetValueOrDefault(User);
        if (string.IsNullOrEmpty(user))
        {
            error = "field 'user' is missing";
            return false;
        }

        if (Encoding.UTF8.GetByteCount(user) > 32)
        {
            error = "field 'user': a USM user name has at most 32 octets";
            return false;
        }

        SnmpSecurityLevel level;
        if (fields.TryGetValue(Level, out var levelText))
        {
            if (!UsmNames.TryParseLevel(levelText, shortForms: false, out level))
            {
                error = $"field 'level' is not a security level ({string.Join(", ", UsmNames.Levels)})";
                return false;
            }
        }
        else
        {
            level = fields.ContainsKey(Priv) || fields.ContainsKey(PrivPass) ? SnmpSecurityLevel.AuthPriv
                : fields.ContainsKey(Auth) || fields.ContainsKey(AuthPass) ? SnmpSecurityLevel.AuthNoPriv
                : SnmpSecurityLevel.NoAuthNoPriv;
        }

        // A field the level does not use is refused rather than ignored: it means the writer expected more security.
        string[] unused = level switch
        {
            SnmpSecurityLevel.NoAuthNoPriv => [Auth, AuthPass, Priv, PrivPass],
            SnmpSecurityLevel.AuthNoPriv => [Priv, PrivPass],
            _ => [],
        };
        if (unused.FirstOrDefault(fields.ContainsKey) is { } surplus)
        {
            error = $"field '{surplus}' is not used at level {UsmNames.Name(level)}: remove it or raise the level";
            return false;
        }

        var auth = SnmpAuthProtocol.None;
        string? authPass = null;
        var priv = SnmpPrivProtocol.None;
        string? privPass = null;
        if (level != SnmpSecurityLevel.NoAuthNoPriv &&
            (!TryRequire(fields, Auth, level, out var authText, out error) || !TryAuth(authText, out auth, out error) ||
             !TryPassPhrase(fields, AuthPass, level, out authPass, out error)))
        {
            return false;
        }

        if (level == SnmpSecurityLevel.AuthPriv &&
            (!TryRequire(fields, Priv, level, out var privText, out error) || !TryPriv(privText, out priv, out error) ||
             !TryPassPhrase(fields, PrivPass, level, out privPass, out error)))
        {
            return false;
        }

        security = new SnmpV3Security(user)
        {
            Level = level,
            AuthProtocol = auth,
            AuthPassword = authPass,
            PrivProtocol = priv,
            PrivPassword = privPass,
            ContextName = fields.GetValueOrDefault(Context) ?? string.Empty,
        };
        return true;
    }

    /// <summary>The credential string of <paramref name="security"/>, escaped so that it parses back: a secret.</summary>
    public static string Format(SnmpV3Security security)
    {
        ArgumentNullException.ThrowIfNull(security);
        var builder = new StringBuilder();
        Append(builder, User, security.UserName);
        Append(builder, Level, UsmNames.Name(security.Level));
        if (security.Level != SnmpSecurityLevel.NoAuthNoPriv)
        {
            Append(builder, Auth, UsmNames.Name(security.AuthProtocol));
            Append(builder, AuthPass, security.AuthPassword ?? string.Empty);
        }

        if (security.Level == SnmpSecurityLevel.AuthPriv)
        {
            Append(builder, Priv, UsmNames.Name(security.PrivProtocol));
            Append(builder, PrivPass, security.PrivPassword ?? string.Empty);
        }

        if (security.ContextName.Length > 0)
        {
            Append(builder, Context, security.ContextName);
        }

        return builder.ToString();
    }

    private static bool TrySplit(string text, out Dictionary<string, string> fields, [NotNullWhen(false)] out string? error)
    {
        fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        error = null;
        var current = new StringBuilder();
        string? key = null;
        var position = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] == '\\')
            {
                if (i + 1 == text.Length)
                {
                    error = "the text ends in a lone '\\' (write '\\\\' for a backslash)";
                    return false;
                }

                current.Append(text[++i]);
            }
            else if (i == text.Length || text[i] == ';')
            {
                if (key is null && current.Length == 0)
                {
                    continue; // an empty field, e.g. after a trailing ';'
                }

                position++;
                if (key is null)
                {
                    // Not echoed: a field without '=' is most likely a pass phrase whose ';' was not escaped.
                    error = string.Create(CultureInfo.InvariantCulture,
                        $"field {position} has no '=' (fields are key=value; write '\\;' for a ';' inside a value)");
                    return false;
                }

                if (Keys.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase)) is not { } known)
                {
                    // Not echoed either: after an unescaped ';' in a pass phrase, the rest of it reads as a key.
                    error = string.Create(CultureInfo.InvariantCulture,
                        $"field {position} has an unknown key (known: {string.Join(", ", Keys)}; write '\\;' for a ';' inside a value)");
                    return false;
                }

                if (!fields.TryAdd(known, current.ToString()))
                {
                    error = $"field '{known}' is given twice";
                    return false;
                }

                key = null;
                current.Clear();
            }
            else if (text[i] == '=' && key is null)
            {
                key = current.ToString();
                current.Clear();
            }
            else
            {
                current.Append(text[i]);
            }
        }

        return true;
    }

    private static bool TryRequire(Dictionary<string, string> fields, string key, SnmpSecurityLevel level,
        [NotNullWhen(true)] out string? value, [NotNullWhen(false)] out string? error)
    {
        if (fields.TryGetValue(key, out value) && value.Length > 0)
        {
            error = null;
            return true;
        }

        error = $"field '{key}' is missing (level {UsmNames.Name(level)} needs it)";
        return false;
    }

    private static bool TryPassPhrase(Dictionary<string, string> fields, string key, SnmpSecurityLevel level,
        [NotNullWhen(true)] out string? value, [NotNullWhen(false)] out string? error)
    {
        if (!TryRequire(fields, key, level, out value, out error))
        {
            return false;
        }

        if (value.Length < 8)
        {
            error = $"field '{key}': a USM pass phrase needs at least 8 characters";
            value = null;
            return false;
        }

        return true;
    }

    private static bool TryAuth(string text, out SnmpAuthProtocol protocol, [NotNullWhen(false)] out string? error)
    {
        error = UsmNames.TryParseAuth(text, out protocol)
            ? null
            : $"field 'auth' is not an authentication protocol ({string.Join(", ", UsmNames.AuthProtocols)})";
        return error is null;
    }

    private static bool TryPriv(string text, out SnmpPrivProtocol protocol, [NotNullWhen(false)] out string? error)
    {
        error = UsmNames.TryParsePriv(text, out protocol)
            ? null
            : $"field 'priv' is not a privacy protocol ({string.Join(", ", UsmNames.PrivProtocols)})";
        return error is null;
    }

    private static void Append(StringBuilder builder, string key, string value)
    {
        if (builder.Length > 0)
        {
            builder.Append(';');
        }

        builder.Append(key).Append('=');
        foreach (var c in value)
        {
            if (c is '\\' or ';')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }
    }
}
