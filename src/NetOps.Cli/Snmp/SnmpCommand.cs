using NetOps.Snmp;

namespace NetOps.Cli.Snmp;

/// <summary>
/// <c>netops snmp get|getnext|walk|bulkwalk|set</c> with net-snmp's arguments, printing net-snmp's <c>-On</c>
/// form, so operators can use it like the tools they know. The community is never printed.
/// </summary>
public static class SnmpCommand
{
    private static readonly string Usage =
        "usage: netops snmp get|getnext|walk|bulkwalk|set|trap-listen (see netops snmp trap-listen -h) [-v1|-v2c|-v3] [-c COMMUNITY] [-t SECONDS] [-r RETRIES] [-Cr N] " +
        $"[-u USER -l {string.Join('|', UsmNames.Levels)} -a {UsmArguments.AuthChoices} -A PASSPHRASE " +
        $"-x {UsmArguments.PrivChoices} -X PASSPHRASE -e ENGINEID -E CONTEXTENGINEID -n CONTEXT] " +
        "HOST[:PORT] OID... (set: OID TYPE VALUE ..., TYPE one of i u c C t a o s x n)";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args is ["trap-listen", .. var listenArgs])
        {
            return await TrapListenCommand.RunAsync(listenArgs, output, error, cancellationToken).ConfigureAwait(false);
        }

        Invocation invocation;
        try
        {
            invocation = Parse(args);
        }
        catch (FormatException e)
        {
            await error.WriteLineAsync($"{e.Message}\n{Usage}").ConfigureAwait(false);
            return 1;
        }

        try
        {
            var endPoint = await SnmpTarget.ParseEndPointAsync(invocation.Host, cancellationToken).ConfigureAwait(false);
            var target = new SnmpTarget(endPoint)
            {
                Version = invocation.Version,
                Community = invocation.Community,
                V3 = invocation.Version == SnmpVersion.V3 ? invocation.V3Security() : null,
                Timeout = invocation.Timeout,
                Retries = invocation.Retries,
                MaxRepetitions = invocation.MaxRepetitions,
            };
            await using var client = new SnmpClient();
            return await ExecuteAsync(client, target, invocation, output, error, cancellationToken).ConfigureAwait(false);
        }
        catch (SnmpTimeoutException)
        {
            await error.WriteLineAsync($"Timeout: No Response from {invocation.Host}.").ConfigureAwait(false);
            return 1;
        }
        catch (SnmpErrorException e)
        {
            var failed = e.FailedOid is { } oid ? $" Failed object: {oid.ToDottedString()}" : string.Empty;
            await error.WriteLineAsync($"Error in packet. Reason: ({NetSnmpFormat.ErrorName(e.Status)}).{failed}").ConfigureAwait(false);
            return 1;
        }
        catch (Exception e) when (e is SnmpException or FormatException or System.Net.Sockets.SocketException or InvalidOperationException or ArgumentException)
        {
            await error.WriteLineAsync($"Error: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    private static async Task<int> ExecuteAsync(SnmpClient client, SnmpTarget target, Invocation invocation, TextWriter output,
        TextWriter error, CancellationToken cancellationToken)
    {
        switch (invocation.Operation)
        {
            case "get":
                await PrintAsync(output, await client.GetAsync(target, invocation.Oids, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                return 0;
            case "getnext":
                await PrintAsync(output, await client.GetNextAsync(target, invocation.Oids, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                return 0;
            case "set":
                await PrintAsync(output, await client.SetAsync(target, invocation.Bindings, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                return 0;
            case "walk":
            case "bulkwalk":
                if (invocation.Operation == "bulkwalk" && target.Version == SnmpVersion.V1)
                {
                    await error.WriteLineAsync("Error: bulkwalk needs -v2c or -v3 (get-bulk does not exist in SNMPv1)").ConfigureAwait(false);
                    return 1;
                }

                var roots = invocation.Oids.Count == 0 ? [Oid.Parse("1.3.6.1.2.1")] : invocation.Oids;
                foreach (var root in roots)
                {
                    Oid? last = null;
                    await foreach (var binding in client.WalkAsync(target, root, invocation.Operation == "bulkwalk", cancellationToken)
                                       .ConfigureAwait(false))
                    {
                        last = binding.Oid;
                        await output.WriteLineAsync(NetSnmpFormat.Format(binding)).ConfigureAwait(false);
                    }

                    await PrintWalkEndAsync(client, target, root, last, output, cancellationToken).ConfigureAwait(false);
                }

                return 0;
            default:
                await error.WriteLineAsync($"unknown operation '{invocation.Operation}'\n{Usage}").ConfigureAwait(false);
                return 1;
        }
    }

    /// <summary>
    /// What net-snmp prints after a walk: the endOfMibView binding (v2c) or "End of MIB" (v1) when the walk ran
    /// into the end of the agent's view, and the GET answer for the root when the subtree was empty.
    /// </summary>
    private static async Task PrintWalkEndAsync(SnmpClient client, SnmpTarget target, Oid root, Oid? last, TextWriter output,
        CancellationToken cancellationToken)
    {
        if (last is null)
        {
            var response = await client.SendAsync(target, new SnmpPdu(SnmpPduType.GetRequest, 0, [VarBind.Request(root)]), cancellationToken)
                .ConfigureAwait(false);
            if (response.ErrorStatus == SnmpErrorStatus.NoError && response.VarBinds.Count == 1 && response.VarBinds[0].Value.IsException)
            {
                await output.WriteLineAsync(NetSnmpFormat.Format(response.VarBinds[0])).ConfigureAwait(false);
            }

            return;
        }

        var next = await client.SendAsync(target, new SnmpPdu(SnmpPduType.GetNextRequest, 0, [VarBind.Request(last.Value)]), cancellationToken)
            .ConfigureAwait(false);
        if (target.Version == SnmpVersion.V1 && next.ErrorStatus == SnmpErrorStatus.NoSuchName)
        {
            await output.WriteLineAsync("End of MIB").ConfigureAwait(false);
        }
        else if (next.ErrorStatus == SnmpErrorStatus.NoError && next.VarBinds.Count == 1 && next.VarBinds[0].Value.Type == SnmpType.EndOfMibView)
        {
            await output.WriteLineAsync(NetSnmpFormat.Format(next.VarBinds[0])).ConfigureAwait(false);
        }
    }

    private static async Task PrintAsync(TextWriter output, IReadOnlyList<VarBind> bindings)
    {
        foreach (var binding in bindings)
        {
            await output.WriteLineAsync(NetSnmpFormat.Format(binding)).ConfigureAwait(false);
        }
    }

    private static Invocation Parse(string[] args)
    {
        if (args.Length == 0)
        {
            throw new FormatException("no operation given");
        }

        var invocation = new Invocation { Operation = args[0] };
        var positional = new List<string>();
        new CommandLine { DashValuesArePositional = true }
            .Option("-v", value => invocation.Version = value switch
            {
                "1" => SnmpVersion.V1,
                "2c" => SnmpVersion.V2c,
                "3" => SnmpVersion.V3,
                _ => throw new FormatException($"unsupported version '{value}' (use -v1, -v2c or -v3)"),
            })
            .Option("-c", value => invocation.Community = value)
            .Option("-t", value => invocation.Timeout = CommandLine.Seconds(value))
            .Option("-r", value => invocation.Retries = CommandLine.WholeNumber(value))
            .Option("-Cr", value => invocation.MaxRepetitions = CommandLine.WholeNumber(value))
            .Option("-u", value => invocation.User = value)
            .Option("-l", value => invocation.Level = UsmArguments.Level(value))
            .Option("-a", value => invocation.AuthProtocol = UsmArguments.Auth(value))
            .Option("-A", value => invocation.AuthPassword = value)
            .Option("-x", value => invocation.PrivProtocol = UsmArguments.Priv(value))
            .Option("-X", value => invocation.PrivPassword = value)
            .Option("-e", value => invocation.EngineId = UsmArguments.EngineId(value))
            .Option("-E", value => invocation.ContextEngineId = UsmArguments.EngineId(value))
            .Option("-n", value => invocation.Context = value)
            .Option(["-m", "-M"], _ => { }) // MIB loading: numeric OIDs only, nothing to load
            .Option("-O", _ => { }) // output is always net-snmp's -On form
            .Positional(positional.Add)
            .Parse(args[1..]);

        if (positional.Count == 0)
        {
            throw new FormatException("no agent address given");
        }

        if (invocation.Version == SnmpVersion.V3)
        {
            try
            {
                invocation.V3Security().Validate();
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"-v3: {e.Message}", e);
            }
        }

        invocation.Host = positional[0];
        var rest = positional.Skip(1).ToList();
        if (invocation.Operation == "set")
        {
            if (rest.Count == 0 || rest.Count % 3 != 0)
            {
                throw new FormatException("set takes OID TYPE VALUE triples");
            }

            for (var i = 0; i < rest.Count; i += 3)
            {
                if (rest[i + 1].Length != 1)
                {
                    throw new FormatException($"'{rest[i + 1]}' is not a type letter");
                }

                invocation.Bindings.Add(new VarBind(ParseOid(rest[i]), NetSnmpFormat.ParseValue(rest[i + 1][0], rest[i + 2])));
            }
        }
        else
        {
            invocation.Oids.AddRange(rest.Select(ParseOid));
            if (invocation.Oids.Count == 0 && invocation.Operation is "get" or "getnext")
            {
                throw new FormatException("no OID given");
            }
        }

        return invocation;
    }

    private static Oid ParseOid(string text) =>
        Oid.TryParse(text, out var oid) ? oid : throw new FormatException($"'{text}' is not a numeric OID (no MIBs are loaded)");

    private sealed class Invocation
    {
        public required string Operation { get; init; }

        public string Host { get; set; } = string.Empty;

        public SnmpVersion Version { get; set; } = SnmpVersion.V2c;

        public string Community { get; set; } = "public";

        // net-snmp's defaults: one second, five retries, ten repetitions for snmpbulkwalk.
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(1);

        public int Retries { get; set; } = 5;

        public int MaxRepetitions { get; set; } = 10;

        public List<Oid> Oids { get; } = [];

        public List<VarBind> Bindings { get; } = [];

        public string? User { get; set; }

        // net-snmp's default level is noAuthNoPriv; -A/-X alone do not raise it.
        public SnmpSecurityLevel Level { get; set; } = SnmpSecurityLevel.NoAuthNoPriv;

        // net-snmp's defaults when -a or -x is not given.
        public SnmpAuthProtocol AuthProtocol { get; set; } = SnmpAuthProtocol.Md5;

        public string? AuthPassword { get; set; }

        public SnmpPrivProtocol PrivProtocol { get; set; } = SnmpPrivProtocol.Des;

        public string? PrivPassword { get; set; }

        public byte[]? EngineId { get; set; }

        public byte[]? ContextEngineId { get; set; }

        public string Context { get; set; } = string.Empty;

        public SnmpV3Security V3Security() => new(User ?? throw new FormatException("-v3 needs a user name (-u USER)"))
        {
            Level = Level,
            AuthProtocol = Level == SnmpSecurityLevel.NoAuthNoPriv ? SnmpAuthProtocol.None : AuthProtocol,
            AuthPassword = Level == SnmpSecurityLevel.NoAuthNoPriv ? null : AuthPassword,
            PrivProtocol = Level == SnmpSecurityLevel.AuthPriv ? PrivProtocol : SnmpPrivProtocol.None,
            PrivPassword = Level == SnmpSecurityLevel.AuthPriv ? PrivPassword : null,
            EngineId = EngineId,
            ContextEngineId = ContextEngineId,
            ContextName = Context,
        };
    }
}
