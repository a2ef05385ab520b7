using System.Globalization;
using NetOps.Security;

namespace NetOps.Cli.Users;

/// <summary>
/// <c>netops tokens create|revoke|list</c>: personal access tokens (<c>Authorization: Bearer netops_…</c>) of an account.
/// <c>create</c> prints the token alone on standard output, once: only its SHA-256 is stored.
/// </summary>
public static class TokensCommand
{
    private const string Usage = """
        usage: netops tokens create NAME [--user USER] [--expires DAYS|DATE] [--config FILE]
               netops tokens revoke NAME [--user USER] [--config FILE]
               netops tokens list [--user USER] [--config FILE]
        A token acts with its account's role. Without --user, NAME is the account and the token is named after it. Without --expires it is valid until revoked; DAYS counts from now, a DATE
        (2027-06-30, or 2027-06-30T12:00Z) is UTC unless it names an offset. Settings as for netops users.
        """;

    /// <summary>Runs one subcommand; 0 on success, 1 when it failed, 2 for a usage error.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        return args switch
        {
            ["create", .. var rest] => CreateAsync(rest, output, error, cancellationToken),
            ["revoke", .. var rest] => RevokeAsync(rest, output, error, cancellationToken),
            ["list", .. var rest] => ListAsync(rest, output, error, cancellationToken),
            ["-h" or "--help" or "help", ..] => Help(output),
            _ => UsersCommand.UsageErrorAsync(error, args.Length == 0 ? "netops tokens needs a subcommand" : $"unknown subcommand '{args[0]}'", Usage),
        };
    }

    private static async Task<int> CreateAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        DateTimeOffset? expires = null;
        if (!TryParse(args, error, out var name, out var user, out var config, expires: value => expires = Expiry(value, now)) ||
            await RequireAsync(error, name, user).ConfigureAwait(false) is not null)
        {
            return 2;
        }

        return await UsersCommand.WithStoreAsync(config, error, async (session, _) =>
        {
            user ??= name;
            var token = await session.Tokens.CreateAsync(user!, name!, expires, cancellationToken).ConfigureAwait(false);
            // The token alone on standard output, for a script to capture; it cannot be shown again.
            await output.WriteLineAsync(token).ConfigureAwait(false);
            await error.WriteLineAsync($"created the token {name} of {user}, " +
                (expires is { } at ? $"valid until {UsersCommand.Invariant(at)}" : "valid until revoked") + "; it is shown once (above)").ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> RevokeAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (!TryParse(args, error, out var name, out var user, out var config, expires: null) ||
            await RequireAsync(error, name, user).ConfigureAwait(false) is not null)
        {
            return 2;
        }

        return await UsersCommand.WithStoreAsync(config, error, async (session, _) =>
        {
            user ??= name;
            if (!await session.Tokens.RevokeAsync(user!, name!, cancellationToken).ConfigureAwait(false))
            {
                await error.WriteLineAsync($"{user} has no active token named {name}").ConfigureAwait(false);
                return 1;
            }

            await output.WriteLineAsync($"revoked the token {name} of {user}").ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> ListAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        string? user = null;
        string? config = null;
        try
        {
            new CommandLine()
                .Option("--user", value => user = value)
                .Option(AccountStoreSession.ConfigOption, value => config = value)
                .Parse(args);
        }
        catch (CommandLineException e)
        {
            return await UsersCommand.UsageErrorAsync(error, e.Message, Usage).ConfigureAwait(false);
        }

        return await UsersCommand.WithStoreAsync(config, error, async (session, _) =>
        {
            var now = DateTimeOffset.UtcNow;
            var accounts = await session.Accounts.ListAsync(cancellationToken).ConfigureAwait(false);
            if (user is not null && !accounts.Any(a => a.Name == user))
            {
                await error.WriteLineAsync($"no account {user}").ConfigureAwait(false);
                return 1;
            }

            var rows = accounts.Where(a => user is null || a.Name == user)
                .SelectMany(a => a.Tokens.Select(t => new[]
                {
                    t.Name,
                    a.Name,
                    UsersCommand.Invariant(t.CreatedAt),
                    t.ExpiresAt is { } at ? UsersCommand.Invariant(at) : "never",
                    t.RevokedAt is not null ? "revoked" : t.IsActive(now) ? "active" : "expired",
                }))
                .ToList();
            await UsersCommand.WriteTableAsync(output, ["NAME", "USER", "CREATED", "EXPIRES", "STATE"], rows).ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static bool TryParse(string[] args, TextWriter error, out string? name, out string? user, out string? config, Action<string>? expires)
    {
        string? n = null;
        string? u = null;
        string? c = null;
        var line = new CommandLine()
            .Option("--user", value => u = value)
            .Option(AccountStoreSession.ConfigOption, value => c = value)
            .Positional(value => n = n is null ? value : throw new CommandLineException(value, $"unexpected argument '{value}'"));
        if (expires is not null)
        {
            line.Option("--expires", expires);
        }

        try
        {
            line.Parse(args);
        }
        catch (CommandLineException e)
        {
            error.WriteLine(e.Message);
            error.WriteLine(Usage);
            (name, user, config) = (null, null, null);
            return false;
        }

        (name, user, config) = (n, u, c);
        return true;
    }

    /// <summary>The usage error for a missing NAME or --user, already written; null when both are there.</summary>
    private static async Task<string?> RequireAsync(TextWriter error, string? name, string? user)
    {
        var missing = string.IsNullOrWhiteSpace(name) ? "the token's NAME is required"
            : user is not null && string.IsNullOrWhiteSpace(user) ? "--user needs the account the token acts as"
            : null;
        if (missing is not null)
        {
            await UsersCommand.UsageErrorAsync(error, missing, Usage).ConfigureAwait(false);
        }

        return missing;
    }

    /// <summary>A whole number of days from <paramref name="now"/>, or a date or time in the future (UTC unless it says otherwise).</summary>
    internal static DateTimeOffset Expiry(string value, DateTimeOffset now)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var days))
        {
            return days is > 0 and <= 36500 ? now.AddDays(days) : throw new FormatException($"takes 1 to 36500 days, not {days}");
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
        {
            return at > now ? at : throw new FormatException($"{value} is not in the future");
        }

        throw new FormatException($"takes a number of days or a date (2027-06-30), not '{value}'");
    }

    private static Task<int> Help(TextWriter output)
    {
        output.WriteLine(Usage);
        return Task.FromResult(0);
    }
}
