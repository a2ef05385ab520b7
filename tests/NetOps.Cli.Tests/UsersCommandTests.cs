using NetOps.Testing;

namespace NetOps.Cli.Tests;

/// <summary><c>netops users</c> on a real SQLite database in a data directory, as a host would find it.</summary>
public sealed class UsersCommandTests
{
    private const string Password = "Cli-test-password-1";

    [Fact]
    public async Task UsersAdd_WithoutPassword_PrintsAGeneratedOneOnce_AndTheAccountMustChangeIt()
    {
        using var data = new CliDataDirectory();

        var added = await data.RunAsync("users", "add", "alice", "--role", "operator");

        Assert.Equal(0, added.ExitCode);
        var password = added.Output.Trim();
        Assert.True(password.Length >= 20 && !password.Contains(' ', StringComparison.Ordinal), $"a generated password alone on stdout, not '{added.Output}'");
        Assert.DoesNotContain(password, added.Error, StringComparison.Ordinal);
        Assert.Contains("must be changed", added.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(data.DataDirectory, "netops.db")), "the host's database file in the data directory");

        var list = await data.RunAsync("users", "list");
        Assert.Equal(0, list.ExitCode);
        Assert.Equal(["NAME", "ROLE", "EVENTS", "LOCKED", "MUST-CHANGE", "TOKENS"], Words(list.Output)[0]);
        Assert.Equal(["alice", "operator", "-", "no", "yes", "-"], Words(list.Output)[1]);
        Assert.DoesNotContain(password, list.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UsersAdd_PasswordFromStdin_IsKept_WeakOrTakenIsRefused()
    {
        using var data = new CliDataDirectory();

        var added = await data.RunWithInputAsync(Password + "\n", "users", "add", "bob", "--role", "oncall", "--password-stdin");
        var weak = await data.RunWithInputAsync("short\n", "users", "add", "carol", "--role", "oncall", "--password-stdin");
        var taken = await data.RunWithInputAsync(Password + "\n", "users", "add", "bob", "--role", "admin", "--password-stdin");
        var empty = await data.RunWithInputAsync("", "users", "add", "dave", "--role", "oncall", "--password-stdin");

        Assert.Equal(0, added.ExitCode);
        Assert.DoesNotContain(Password, added.Output + added.Error, StringComparison.Ordinal);
        Assert.Equal(1, weak.ExitCode);
        Assert.Contains("at least 12 characters", weak.Error, StringComparison.Ordinal);
        Assert.Equal(1, taken.ExitCode);
        Assert.Contains("'bob' is already taken", taken.Error, StringComparison.Ordinal);
        Assert.Equal(1, empty.ExitCode);
        Assert.Contains("no password on standard input", empty.Error, StringComparison.Ordinal);
        var rows = Words((await data.RunAsync("users", "list")).Output);
        Assert.Equal(2, rows.Count);
        Assert.Equal(["bob", "oncall", "-", "no", "no", "-"], rows[1]);
    }

    [Fact]
    public async Task UsersAdd_Events_OnlyForCoordinators_AndCheckedAgainstTheInventory()
    {
        using var data = new CliDataDirectory(new Dictionary<string, object>
        {
            ["Inventory"] = new Dictionary<string, string>
            {
                ["Directory"] = Path.Combine(RepoPaths.Root, "config", "inventory"),
                ["SecretsFile"] = Path.Combine(RepoPaths.Root, "config", "secrets.demo.yaml"),
            },
        });

        var operatorWithEvent = await data.RunWithInputAsync(Password + "\n", "users", "add", "op", "--role", "operator", "--event", "kerwe", "--password-stdin");
        var unknown = await data.RunWithInputAsync(Password + "\n", "users", "add", "co", "--role", "coordinator", "--event", "kerwee", "--password-stdin");
        var known = await data.RunWithInputAsync(Password + "\n", "users", "add", "co", "--role", "coordinator", "--event", "kerwe", "--event", "altstadtfest",
            "--password-stdin");

        Assert.Equal(2, operatorWithEvent.ExitCode);
        Assert.Contains("--event is for coordinators only", operatorWithEvent.Error, StringComparison.Ordinal);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("unknown event kerwee", unknown.Error, StringComparison.Ordinal);
        Assert.Contains("kerwe", unknown.Error.Split("has:")[1], StringComparison.Ordinal);
        Assert.Equal(0, known.ExitCode);
        var rows = Words((await data.RunAsync("users", "list")).Output);
        Assert.Equal(["co", "coordinator", "kerwe,altstadtfest", "no", "no", "-"], Assert.Single(rows.Skip(1)));
    }

    [Fact]
    public async Task UsersRemove_TakesTheTokensAlong_AndNeverTheLastAdmin()
    {
        using var data = new CliDataDirectory();
        Assert.Equal(0, (await data.RunWithInputAsync(Password + "\n", "users", "add", "root", "--role", "admin", "--password-stdin")).ExitCode);
        Assert.Equal(0, (await data.RunWithInputAsync(Password + "\n", "users", "add", "ops", "--role", "operator", "--password-stdin")).ExitCode);
        Assert.Equal(0, (await data.RunAsync("tokens", "create", "script", "--user", "ops")).ExitCode);

        var lastAdmin = await data.RunAsync("users", "remove", "root");
        var removed = await data.RunAsync("users", "remove", "ops");
        var again = await data.RunAsync("users", "remove", "ops");

        Assert.Equal(1, lastAdmin.ExitCode);
        Assert.Contains("last admin", lastAdmin.Error, StringComparison.Ordinal);
        Assert.Equal(0, removed.ExitCode);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("no account ops", again.Error, StringComparison.Ordinal);
        var tokens = await data.RunAsync("tokens", "list");
        Assert.Single(Words(tokens.Output));
        // A new account of the same name starts without the old one's tokens.
        Assert.Equal(0, (await data.RunWithInputAsync(Password + "\n", "users", "add", "ops", "--role", "operator", "--password-stdin")).ExitCode);
        Assert.Equal(0, (await data.RunAsync("tokens", "create", "script", "--user", "ops")).ExitCode);
    }

    [Theory]
    [InlineData(2, "users")]
    [InlineData(2, "users", "rename", "x")]
    [InlineData(2, "users", "add")]
    [InlineData(2, "users", "add", "x")]
    [InlineData(2, "users", "add", "x", "--role", "root")]
    [InlineData(2, "users", "add", "x", "y", "--role", "admin")]
    [InlineData(2, "users", "remove")]
    [InlineData(2, "tokens", "create", "--user", "u")]
    [InlineData(2, "tokens", "create", "t", "--user", "u", "--expires", "yesterday")]
    [InlineData(2, "tokens", "create", "t", "--user", "u", "--expires", "2001-01-01")]
    [InlineData(0, "users", "--help")]
    [InlineData(0, "tokens", "--help")]
    public async Task BadArguments_ExitWithUsage_BeforeTouchingTheDatabase(int exitCode, params string[] args)
    {
        using var data = new CliDataDirectory();

        var result = await data.RunAsync(args);

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Contains("usage: netops", exitCode == 0 ? result.Output : result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(data.DataDirectory), "no database created for a usage error");
    }

    [Fact]
    public async Task BadSettings_AreNamed_WithoutEchoingAConnectionString()
    {
        using var data = new CliDataDirectory(new Dictionary<string, object>
        {
            ["Database"] = new Dictionary<string, string> { ["Provider"] = "Oracle" },
        });

        var wrongProvider = await data.RunAsync("users", "list");
        var missingFile = await Cli.RunAsync("", "users", "list", "--config", Path.Combine(data.Root, "nope.json"));

        Assert.Equal(1, wrongProvider.ExitCode);
        Assert.Contains("Database:Provider is 'Oracle'", wrongProvider.Error, StringComparison.Ordinal);
        Assert.Equal(1, missingFile.ExitCode);
        Assert.Contains("settings file not found", missingFile.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Binary_ReadsTheHostsEnvironmentVariables()
    {
        using var data = new CliDataDirectory();
        var elsewhere = Directory.CreateTempSubdirectory("netops-cli-cwd-").FullName;
        try
        {
            // No appsettings.json in the working directory: the data directory comes from the environment alone.
            var (code, output) = await Cli.RunBinaryAsync(elsewhere, new Dictionary<string, string> { ["Storage__DataDirectory"] = data.DataDirectory },
                "users", "add", "env-user", "--role", "oncall");

            Assert.True(code == 0, output);
            Assert.Contains("env-user", Words((await data.RunAsync("users", "list")).Output)[1]);
            Assert.False(Directory.Exists(Path.Combine(elsewhere, "data")), "nothing created in the working directory");
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
        }
    }

    internal static List<string[]> Words(string table) =>
        [.. table.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))];
}
