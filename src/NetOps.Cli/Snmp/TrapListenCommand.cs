using System.Globalization;
using System.Net;
using System.Text;
using NetOps.Snmp;

namespace NetOps.Cli.Snmp;

/// <summary>
/// <c>netops snmp trap-listen</c>: prints notifications as they arrive, in the spirit of <c>snmptrapd -f -Lo -On</c>,
/// until Ctrl-C. For field engineers: any community is accepted unless <c>-c</c> names one; v3 users come from
/// <c>-u</c> and friends. Communities and pass phrases are never printed.
/// </summary>
public static class TrapListenCommand
{
    public const string Usage =
        "usage: netops snmp trap-listen [-p PORT | udp:HOST:PORT] [-c COMMUNITY]... " +
        "[-u USER -l authNoPriv|authPriv -a MD5|SHA|SHA-224|SHA-256|SHA-384|SHA-512 -A PASSPHRASE -x DES|AES|AES-192|AES-256 " +
        "-X PASSPHRASE [-e SENDERENGINEID]]... (default udp:0.0.0.0:162, which needs CAP_NET_BIND_SERVICE)";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        TrapReceiverOptions options;
        try
        {
            options = Parse(args);
        }
        catch (FormatException e)
        {
            await error.WriteLineAsync($"{e.Message}\n{Usage}").ConfigureAwait(false);
            return 1;
        }

        TrapReceiver receiver;
        try
        {
            receiver = TrapReceiver.Start(options);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            var hint = options.EndPoint.Port < 1024
                ? " (ports below 1024 need CAP_NET_BIND_SERVICE; or use -p 10162 and redirect 162 to it)"
                : string.Empty;
            await error.WriteLineAsync($"Error: cannot listen on udp:{options.EndPoint}: {e.Message}{hint}").ConfigureAwait(false);
            return 1;
        }

        await using (receiver.ConfigureAwait(false))
        {
            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Listening for notifications on udp:{receiver.LocalEndPoint} (engine id {Convert.ToHexString(receiver.EngineId.Span)}); Ctrl-C stops")).ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await foreach (var notification in receiver.Notifications.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    await output.WriteAsync(Format(notification)).ConfigureAwait(false);
                    await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C: the normal end.
            }

            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{receiver.Received} received, {receiver.Malformed} malformed, {receiver.UnknownSource} from unknown sources, {receiver.Dropped} dropped")).ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>
    /// One header line (time, source, version, PDU, user, trap OID), then the bindings in net-snmp's <c>-On</c> form,
    /// indented, then a blank line.
    /// </summary>
    public static string Format(SnmpNotification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var text = new StringBuilder(256);
        text.Append(DateTimeOffset.Now.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))
            .Append(" UDP: [").Append(notification.Source.Address).Append("]:").Append(notification.Source.Port.ToString(CultureInfo.InvariantCulture))
            .Append(' ').Append(notification.Version switch { SnmpVersion.V1 => "SNMPv1", SnmpVersion.V2c => "SNMPv2c", _ => "SNMPv3" })
            .Append(' ').Append(notification.IsInform ? "INFORM" : "TRAP");
        if (notification.UserName is { } user)
        {
            text.Append(" user ").Append(user).Append(' ').Append(notification.SecurityLevel)
                .Append(" engine ").Append(Convert.ToHexString(notification.EngineId.Span));
        }

        if (notification.AgentAddress is { } agent)
        {
            text.Append(" agent ").Append(agent);
        }

        text.Append(' ').Append(notification.TrapOid.ToDottedString()).Append('\n');
        foreach (var binding in notification.VarBinds)
        {
            text.Append("    ").Append(NetSnmpFormat.Format(binding)).Append('\n');
        }

        return text.Append('\n').ToString();
    }

    private static TrapReceiverOptions Parse(string[] args)
    {
        var endPoint = new IPEndPoint(IPAddress.Any, 162);
        var communities = new List<string>();
        var users = new List<SnmpV3Security>();
        UserBuilder? current = null;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string Value(string flag) =>
                arg.Length > flag.Length ? arg[flag.Length..] : ++i < args.Length ? args[i] : throw new FormatException($"{flag} needs a value");

            if (!arg.StartsWith('-'))
            {
                endPoint = ParseEndPoint(arg);
            }
            else if (arg.StartsWith("-p", StringComparison.Ordinal))
            {
                endPoint = new IPEndPoint(endPoint.Address, ParsePort(Value("-p")));
            }
            else if (arg.StartsWith("-c", StringComparison.Ordinal))
            {
                communities.Add(Value("-c"));
            }
            else if (arg.StartsWith("-u", StringComparison.Ordinal))
            {
                if (current is not null)
                {
                    users.Add(current.Build());
                }

                current = new UserBuilder(Value("-u"));
            }
            else if (arg.Length >= 2 && arg[1] is 'l' or 'a' or 'A' or 'x' or 'X' or 'e')
            {
                var flag = arg[..2];
                (current ?? throw new FormatException($"{flag} belongs to a user: give -u USER first")).Set(flag[1], Value(flag));
            }
            else if (arg.StartsWith("-m", StringComparison.Ordinal) || arg.StartsWith("-M", StringComparison.Ordinal))
            {
                _ = Value(arg[..2]); // numeric OIDs only, nothing to load
            }
            else
            {
                throw new FormatException($"unknown option '{arg}'");
            }
        }

        if (current is not null)
        {
            users.Add(current.Build());
        }

        return new TrapReceiverOptions { EndPoint = endPoint, Communities = communities, Users = users };
    }

    private static IPEndPoint ParseEndPoint(string text)
    {
        var spec = text.StartsWith("udp:", StringComparison.OrdinalIgnoreCase) ? text[4..] : text;
        if (IPEndPoint.TryParse(spec, out var endPoint) && spec.Contains(':', StringComparison.Ordinal))
        {
            return endPoint;
        }

        if (int.TryParse(spec, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            return new IPEndPoint(IPAddress.Any, ParsePort(spec));
        }

        throw new FormatException($"'{text}' is not a listening address (udp:HOST:PORT, or -p PORT)");
    }

    private static int ParsePort(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 0 and <= 65535
            ? port
            : throw new FormatException($"'{text}' is not a UDP port");

    /// <summary>One <c>-u</c> user and the options after it, with net-snmp's defaults (MD5, DES).</summary>
    private sealed class UserBuilder(string name)
    {
        private SnmpSecurityLevel? _level;
        private SnmpAuthProtocol _auth = SnmpAuthProtocol.Md5;
        private SnmpPrivProtocol _priv = SnmpPrivProtocol.Des;
        private string? _authPassword;
        private string? _privPassword;
        private byte[]? _engineId;

        public void Set(char flag, string value)
        {
            switch (flag)
            {
                case 'l':
                    _level = value.ToUpperInvariant() switch
                    {
                        "NOAUTHNOPRIV" or "NOAUTH" or "1" => SnmpSecurityLevel.NoAuthNoPriv,
                        "AUTHNOPRIV" or "AUTH" or "2" => SnmpSecurityLevel.AuthNoPriv,
                        "AUTHPRIV" or "PRIV" or "3" => SnmpSecurityLevel.AuthPriv,
                        var other => throw new FormatException($"unknown security level '{other}'"),
                    };
                    break;
                case 'a':
                    _auth = value.ToUpperInvariant() switch
                    {
                        "MD5" => SnmpAuthProtocol.Md5,
                        "SHA" or "SHA1" or "SHA-1" => SnmpAuthProtocol.Sha1,
                        "SHA-224" or "SHA224" => SnmpAuthProtocol.Sha224,
                        "SHA-256" or "SHA256" => SnmpAuthProtocol.Sha256,
                        "SHA-384" or "SHA384" => SnmpAuthProtocol.Sha384,
                        "SHA-512" or "SHA512" => SnmpAuthProtocol.Sha512,
                        var other => throw new FormatException($"unknown authentication protocol '{other}'"),
                    };
                    break;
                case 'A':
                    _authPassword = value;
                    break;
                case 'x':
                    _priv = value.ToUpperInvariant() switch
                    {
                        "DES" => SnmpPrivProtocol.Des,
                        "AES" or "AES128" or "AES-128" => SnmpPrivProtocol.Aes128,
                        "AES192" or "AES-192" => SnmpPrivProtocol.Aes192,
                        "AES256" or "AES-256" => SnmpPrivProtocol.Aes256,
                        var other => throw new FormatException($"unknown privacy protocol '{other}'"),
                    };
                    break;
                case 'X':
                    _privPassword = value;
                    break;
                default:
                    var hex = value.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? value[2..] : value;
                    try
                    {
                        _engineId = Convert.FromHexString(hex);
                    }
                    catch (FormatException e)
                    {
                        throw new FormatException("-e takes the sender's engine id in hexadecimal", e);
                    }

                    break;
            }
        }

        public SnmpV3Security Build()
        {
            // Without -l, the level follows the pass phrases given, as snmptrapd's createUser does.
            var level = _level ?? (_privPassword is not null ? SnmpSecurityLevel.AuthPriv
                : _authPassword is not null ? SnmpSecurityLevel.AuthNoPriv : SnmpSecurityLevel.NoAuthNoPriv);
            var user = new SnmpV3Security(name)
            {
                Level = level,
                AuthProtocol = level == SnmpSecurityLevel.NoAuthNoPriv ? SnmpAuthProtocol.None : _auth,
                AuthPassword = level == SnmpSecurityLevel.NoAuthNoPriv ? null : _authPassword,
                PrivProtocol = level == SnmpSecurityLevel.AuthPriv ? _priv : SnmpPrivProtocol.None,
                PrivPassword = level == SnmpSecurityLevel.AuthPriv ? _privPassword : null,
                EngineId = _engineId,
            };
            try
            {
                user.Validate();
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"-u {name}: {e.Message}", e);
            }

            return user;
        }
    }
}
