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
    public static readonly string Usage =
        "usage: netops snmp trap-listen [-p PORT | udp:HOST:PORT] [-c COMMUNITY]... " +
        $"[-u USER -l authNoPriv|authPriv -a {UsmArguments.AuthChoices} -A PASSPHRASE -x {UsmArguments.PrivChoices} " +
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
        UserBuilder User() => current ?? throw new FormatException("belongs to a user: give -u USER first");
        new CommandLine()
            .Option("-p", value => endPoint = new IPEndPoint(endPoint.Address, ParsePort(value)))
            .Option("-c", communities.Add)
            .Option("-u", value =>
            {
                if (current is not null)
                {
                    users.Add(current.Build());
                }

                current = new UserBuilder(value);
            })
            .Option("-l", value => User().Level = UsmArguments.Level(value))
            .Option("-a", value => User().Auth = UsmArguments.Auth(value))
            .Option("-A", value => User().AuthPassword = value)
            .Option("-x", value => User().Priv = UsmArguments.Priv(value))
            .Option("-X", value => User().PrivPassword = value)
            .Option("-e", value => User().EngineId = UsmArguments.EngineId(value))
            .Option(["-m", "-M"], _ => { }) // numeric OIDs only, nothing to load
            .Positional(value => endPoint = ParseEndPoint(value))
            .Parse(args);

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
        public SnmpSecurityLevel? Level { get; set; }

        public SnmpAuthProtocol Auth { get; set; } = SnmpAuthProtocol.Md5;

        public SnmpPrivProtocol Priv { get; set; } = SnmpPrivProtocol.Des;

        public string? AuthPassword { get; set; }

        public string? PrivPassword { get; set; }

        public byte[]? EngineId { get; set; }

        public SnmpV3Security Build()
        {
            // Without -l, the level follows the pass phrases given, as snmptrapd's createUser does.
            var level = Level ?? (PrivPassword is not null ? SnmpSecurityLevel.AuthPriv
                : AuthPassword is not null ? SnmpSecurityLevel.AuthNoPriv : SnmpSecurityLevel.NoAuthNoPriv);
            var user = new SnmpV3Security(name)
            {
                Level = level,
                AuthProtocol = level == SnmpSecurityLevel.NoAuthNoPriv ? SnmpAuthProtocol.None : Auth,
                AuthPassword = level == SnmpSecurityLevel.NoAuthNoPriv ? null : AuthPassword,
                PrivProtocol = level == SnmpSecurityLevel.AuthPriv ? Priv : SnmpPrivProtocol.None,
                PrivPassword = level == SnmpSecurityLevel.AuthPriv ? PrivPassword : null,
                EngineId = EngineId,
            };
            try
            {
                user.Validate();
            }
            catch (ArgumentException e)
            {
                throw new CommandLineException("-u", $"-u {name}: {e.Message}", e);
            }

            return user;
        }
    }
}
