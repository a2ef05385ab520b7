using NetOps.Testing;

namespace NetOps.Cli.Tests;

/// <summary><c>netops tokens</c> on a real SQLite database, and users and tokens on a real PostgreSQL.</summary>
public sealed class TokensCommandTests
{
    private const string Password = "Cli-test-password-1";

    [Fact]
    public async Task TokensCreate_PrintsTheTokenOnce_ListShowsItsNameOnly_RevokeEndsIt_AndTheNameCanBeReused()
    {
        using var data = new CliDataDirectory();
        Assert.Equal(0, (await data.RunWithInputAsync(Password + "\n", "users", "add", "ops", "--role", "operator", "--password-stdin")).ExitCode);

        var created = await data.RunAsync("tokens", "create", "grafana", "--user", "ops", "--expires", "30");
        var twice = await data.RunAsync("tokens", "create", "grafana", "--user", "ops");
        var nobody = await data.RunAsync("tokens", "create", "grafana", "--user", "nobody");
        var listed = await data.RunAsync("tokens", "list", "--user", "ops");
        var users = await data.RunAsync("users", "list");

        Assert.Equal(0, created.ExitCode);
        var token = created.Output.Trim();
        Assert.StartsWith("netops_", token, StringComparison.Ordinal);
        Assert.Contains("valid until " + DateTime.UtcNow.AddDays(30).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            created.Error, StringComparison.Ordinal);
        Assert.Equal(1, twice.ExitCode);
        Assert.Contains("already has an active token named grafana", twice.Error, StringComparison.Ordinal);
        Assert.Equal(1, nobody.ExitCode);
        Assert.Contains("no account nobody", nobody.Error, StringComparison.Ordinal);
        Assert.Equal("active", UsersCommandTests.Words(listed.Output)[1][^1]);
        Assert.DoesNotContain(token, listed.Output + users.Output, StringComparison.Ordinal);
        Assert.Equal("grafana", UsersCommandTests.Words(users.Output)[1][^1]);

        Assert.Equal(0, (await data.RunAsync("tokens", "revoke", "grafana", "--user", "ops")).ExitCode);
        var again = await data.RunAsync("tokens", "revoke", "grafana", "--user", "ops");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("no active token named grafana", again.Error, StringComparison.Ordinal);
        Assert.Equal("revoked", UsersCommandTests.Words((await data.RunAsync("tokens", "list")).Output)[1][^1]);
        Assert.Equal("grafana(revoked)", UsersCommandTests.Words((await data.RunAsync("users", "list")).Output)[1][^1]);

        var renewed = await data.RunAsync("tokens", "create", "grafana", "--user", "ops");
        Assert.Equal(0, renewed.ExitCode);
        Assert.NotEqual(token, renewed.Output.Trim());
        Assert.Equal("never", UsersCommandTests.Words((await data.RunAsync("tokens", "list")).Output)[1][^2]);
    }

    [Fact]
    public async Task TokensCreate_WithTheAccountsNameAlone_MakesThatAccountsToken_AsTheIssueSpellsTheCommand()
    {
        // `netops tokens create NAME`, exactly so: deployment scripts call it that way.
        using var data = new CliDataDirectory();
        Assert.Equal(0, (await data.RunWithInputAsync(Password + "\n", "users", "add", "ops", "--role", "operator", "--password-stdin")).ExitCode);

        var created = await data.RunAsync("tokens", "create", "ops");
        var nobody = await data.RunAsync("tokens", "create", "nobody");

        Assert.Equal(0, created.ExitCode);
        Assert.StartsWith("netops_", created.Output.Trim(), StringComparison.Ordinal);
        Assert.Contains("created the token ops of ops", created.Error, StringComparison.Ordinal);
        Assert.Equal(["ops", "ops"], UsersCommandTests.Words((await data.RunAsync("tokens", "list")).Output)[1][..2]);
        Assert.Equal(1, nobody.ExitCode);
        Assert.Contains("no account nobody", nobody.Error, StringComparison.Ordinal);
        Assert.Equal(0, (await data.RunAsync("tokens", "revoke", "ops")).ExitCode);
        Assert.Equal("revoked", UsersCommandTests.Words((await data.RunAsync("tokens", "list")).Output)[1][^1]);
    }

    [Fact]
    public void Expires_TakesDaysOrAFutureDate()
    {
        var now = new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

        Assert.Equal(now.AddDays(7), Users.TokensCommand.Expiry("7", now));
        Assert.Equal(new DateTimeOffset(2027, 6, 30, 0, 0, 0, TimeSpan.Zero), Users.TokensCommand.Expiry("2027-06-30", now));
        Assert.Equal(new DateTimeOffset(2027, 6, 30, 10, 0, 0, TimeSpan.Zero), Users.TokensCommand.Expiry("2027-06-30T12:00+02:00", now));
        Assert.Throws<FormatException>(() => Users.TokensCommand.Expiry("0", now));
        Assert.Throws<FormatException>(() => Users.TokensCommand.Expiry("2026-12-01", now));
        Assert.Throws<FormatException>(() => Users.TokensCommand.Expiry("soon", now));
    }
}

/// <summary>The same commands on a real PostgreSQL named by the host's settings (Database:Provider, Database:ConnectionString).</summary>
public sealed class PostgresCliTests : IAsyncLifetime
{
    private Postgres _postgres = null!;

    public async Task InitializeAsync() => _postgres = await Postgres.StartAsync();

    public async Task DisposeAsync() => await _postgres.DisposeAsync();

    [Fact]
    public async Task UsersAndTokens_WorkOnPostgreSql_AndNothingGoesToTheDataDirectory()
    {
        using var data = new CliDataDirectory(new Dictionary<string, object>
        {
            ["Database"] = new Dictionary<string, string> { ["Provider"] = "PostgreSQL", ["ConnectionString"] = _postgres.ConnectionString },
        });

        var added = await data.RunWithInputAsync("Cli-test-password-1\n", "users", "add", "pg-user", "--role", "coordinator", "--event", "kerwe", "--password-stdin");
        var token = await data.RunAsync("tokens", "create", "ci", "--user", "pg-user", "--expires", "2099-01-01");
        var list = await data.RunAsync("users", "list");
        var removed = await data.RunAsync("users", "remove", "pg-user");
        var tokens = await data.RunAsync("tokens", "list");

        Assert.True(added.ExitCode == 0, added.Error);
        Assert.True(token.ExitCode == 0, token.Error);
        Assert.Equal(["pg-user", "coordinator", "kerwe", "no", "no", "ci"], UsersCommandTests.Words(list.Output)[1]);
        Assert.Equal(0, removed.ExitCode);
        Assert.Single(UsersCommandTests.Words(tokens.Output));
        Assert.False(File.Exists(Path.Combine(data.DataDirectory, "netops.db")), "no SQLite file when PostgreSQL is configured");
    }
}
