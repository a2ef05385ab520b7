using System.Globalization;
using NetOps.Core.Security;
using NetOps.Inventory;
using NetOps.Security;

namespace NetOps.Cli.Users;

/// <summary>
/// <c>netops users add|list|remove</c>: the local accounts of the operational database a host serves. A generated
/// password is the only thing printed on standard output by <c>add</c> (messages go to standard error), so a script can
/// capture it; it is shown once and must be changed at the first login.
/// </summary>
public static class UsersCommand
{
    private const string Usage = """
        usage: netops users add NAME --role admin|operator|oncall|coordinator [--event ID ...] [--password-stdin] [--config FILE]
               netops users list [--config FILE]
               netops users remove NAME [--config FILE]
        Settings are the host's: --config FILE (default ./appsettings.json when present), then environment variables
        (Storage__DataDirectory, Database__Provider, Database__ConnectionString, ...).
        """;

    /// <summary>Runs one subcommand; 0 on success, 1 when it failed, 2 for a usage error.</summary>
    public static Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        return args switch
        {
            ["add", .. var rest] => AddAsync(rest, input, output, error, cancellationToken),
            ["list", .. var rest] => ListAsync(rest, output, error, cancellationToken),
            ["remove", .. var rest] => RemoveAsync(rest, output, error, cancellationToken),
            ["-h" or "--help" or "help", ..] => Help(output),
            _ => UsageError(error, args.Length == 0 ? "netops users needs a subcommand" : $"unknown subcommand '{args[0]}'"),
        };
    }

    private static async Task<int> AddAsync(string[] args, TextReader input, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        string? name = null;
        string? role = null;
        string? config = null;
        var events = new List<string>();
        var fromStdin = false;
        try
        {
            new CommandLine()
                .Option("--role", value => role = value)
                .Option("--event", events.Add)
                .Flag("--password-stdin", () => fromStdin = true)
                .Option(AccountStoreSession.ConfigOption, value => config = value)
                .Positional(value => name = name is null ? value : throw new CommandLineException(value, $"unexpected argument '{value}'"))
                .Parse(args);
        }
        catch (CommandLineException e)
        {
            return await UsageErrorAsync(error, e.Message).ConfigureAwait(false);
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            return await UsageErrorAsync(error, "users add needs the account's NAME").ConfigureAwait(false);
        }

        if (role is null)
        {
            return await UsageErrorAsync(error, $"--role is required: one of {string.Join(", ", NetOpsRoles.All)}").ConfigureAwait(false);
        }

        if (!NetOpsRoles.All.Contains(role, StringComparer.Ordinal))
        {
            return await UsageErrorAsync(error, $"--role is one of {string.Join(", ", NetOpsRoles.All)}, not '{role}'").ConfigureAwait(false);
        }

        if (events.Count > 0 && role != NetOpsRoles.Coordinator)
        {
            return await UsageErrorAsync(error, $"--event is for coordinators only: the {role} role sees every event").ConfigureAwait(false);
        }

        if (events.Any(string.IsNullOrWhiteSpace))
        {
            return await UsageErrorAsync(error, "--event needs an event id, not an empty one").ConfigureAwait(false);
        }

        string password;
        if (fromStdin)
        {
            // One line: the password as a script pipes it (echo, a secret store), without the line break.
            var line = await input.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrEmpty(line))
            {
                await error.WriteLineAsync("--password-stdin: no password on standard input").ConfigureAwait(false);
                return 1;
            }

            password = line;
        }
        else
        {
            password = Accounts.NewPassword();
        }

        return await WithStoreAsync(config, error, async (session, settings) =>
        {
            if (role == NetOpsRoles.Coordinator && !await EventsExistAsync(settings, events, error, cancellationToken).ConfigureAwait(false))
            {
                return 1;
            }

            await session.Accounts.CreateAsync(name, role, password, mustChangePassword: !fromStdin, events, cancellationToken).ConfigureAwait(false);
            var scope = role == NetOpsRoles.Coordinator
                ? events.Count == 0 ? " (no event yet: it sees nothing until one is assigned)" : $" for {string.Join(", ", events)}"
                : "";
            if (fromStdin)
            {
                await output.WriteLineAsync($"created the {role} account {name}{scope}").ConfigureAwait(false);
            }
            else
            {
                // The password alone on standard output, once; it is never written anywhere else.
                await output.WriteLineAsync(password).ConfigureAwait(false);
                await error.WriteLineAsync($"created the {role} account {name}{scope}; its password (above) is shown once and must be changed at the first login")
                    .ConfigureAwait(false);
            }

            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> ListAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        string? config = null;
        try
        {
            new CommandLine().Option(AccountStoreSession.ConfigOption, value => config = value).Parse(args);
        }
        catch (CommandLineException e)
        {
            return await UsageErrorAsync(error, e.Message).ConfigureAwait(false);
        }

        return await WithStoreAsync(config, error, async (session, _) =>
        {
            var now = DateTimeOffset.UtcNow;
            var rows = (await session.Accounts.ListAsync(cancellationToken).ConfigureAwait(false)).Select(a => new[]
            {
                a.Name,
                a.Roles.Count == 0 ? "-" : string.Join(',', a.Roles),
                a.EventIds.Count == 0 ? "-" : string.Join(',', a.EventIds),
                a.LockedOut ? "yes" : "no",
                a.MustChangePassword ? "yes" : "no",
                a.Tokens.Count == 0 ? "-" : string.Join(',', a.Tokens.Select(t => t.Name + TokenMark(t, now))),
            }).ToList();
            await WriteTableAsync(output, ["NAME", "ROLE", "EVENTS", "LOCKED", "MUST-CHANGE", "TOKENS"], rows).ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> RemoveAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        string? name = null;
        string? config = null;
        try
        {
            new CommandLine()
                .Option(AccountStoreSession.ConfigOption, value => config = value)
                .Positional(value => name = name is null ? value : throw new CommandLineException(value, $"unexpected argument '{value}'"))
                .Parse(args);
        }
        catch (CommandLineException e)
        {
            return await UsageErrorAsync(error, e.Message).ConfigureAwait(false);
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            return await UsageErrorAsync(error, "users remove needs the account's NAME").ConfigureAwait(false);
        }

        return await WithStoreAsync(config, error, async (session, _) =>
        {
            if (!await session.Accounts.RemoveAsync(name, cancellationToken).ConfigureAwait(false))
            {
                await error.WriteLineAsync($"no account {name}").ConfigureAwait(false);
                return 1;
            }

            await output.WriteLineAsync($"removed the account {name} and its access tokens").ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// With an inventory directory in the settings that loads, every event must be one of its events (a typo would give
    /// a coordinator an empty view without a word). Without one, or when it does not load, the ids are stored as given.
    /// </summary>
    private static async Task<bool> EventsExistAsync(Microsoft.Extensions.Configuration.IConfiguration settings, IReadOnlyList<string> events,
        TextWriter error, CancellationToken cancellationToken)
    {
        if (events.Count == 0 || settings["Inventory:Directory"] is not { Length: > 0 } directory || !Directory.Exists(directory))
        {
            return true;
        }

        var loader = new InventoryLoader(new CredentialStore(settings["Inventory:SecretsFile"]), TimeProvider.System);
        var loaded = await loader.LoadDirectoryAsync(directory, cancellationToken).ConfigureAwait(false);
        if (loaded.Inventory is not { } inventory)
        {
            await error.WriteLineAsync($"warning: the inventory in {directory} does not load ({loaded.Errors.Count} errors; netops validate shows them): " +
                "the events are stored unchecked").ConfigureAwait(false);
            return true;
        }

        var unknown = events.Where(e => !inventory.Events.ContainsKey(e)).ToList();
        if (unknown.Count == 0)
        {
            return true;
        }

        await error.WriteLineAsync($"unknown event{(unknown.Count == 1 ? "" : "s")} {string.Join(", ", unknown)}; the inventory in {directory} has: " +
            (inventory.Events.Count == 0 ? "none" : string.Join(", ", inventory.Events.Keys.Order(StringComparer.Ordinal)))).ConfigureAwait(false);
        return false;
    }

    private static string TokenMark(AccessTokenSummary token, DateTimeOffset now) =>
        token.RevokedAt is not null ? "(revoked)" : token.IsActive(now) ? "" : "(expired)";

    /// <summary>Opens the database, runs <paramref name="action"/>, and turns the failures a person can fix into a message and exit code 1.</summary>
    internal static async Task<int> WithStoreAsync(string? configFile, TextWriter error,
        Func<AccountStoreSession, Microsoft.Extensions.Configuration.IConfiguration, Task<int>> action, CancellationToken cancellationToken)
    {
        try
        {
            var settings = AccountStoreSession.ReadSettings(configFile);
            var session = await AccountStoreSession.OpenAsync(settings, cancellationToken).ConfigureAwait(false);
            await using (session.ConfigureAwait(false))
            {
                return await action(session, settings).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (AccountStoreSession.Describe(e) is { } message)
        {
            await error.WriteLineAsync(message).ConfigureAwait(false);
            return 1;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // Identity's and the account store's refusals: a name taken, a weak password, the last admin, an unknown account.
            await error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 1;
        }
    }

    internal static async Task WriteTableAsync(TextWriter output, string[] header, IReadOnlyList<string[]> rows)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        foreach (var row in rows.Prepend(header))
        {
            var cells = row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]));
            await output.WriteLineAsync(string.Join("  ", cells).TrimEnd()).ConfigureAwait(false);
        }
    }

    private static Task<int> Help(TextWriter output)
    {
        output.WriteLine(Usage);
        return Task.FromResult(0);
    }

    private static Task<int> UsageError(TextWriter error, string message) => UsageErrorAsync(error, message);

    internal static async Task<int> UsageErrorAsync(TextWriter error, string message, string usage = Usage)
    {
        await error.WriteLineAsync(message).ConfigureAwait(false);
        await error.WriteLineAsync(usage).ConfigureAwait(false);
        return 2;
    }

    internal static string Invariant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);
}
