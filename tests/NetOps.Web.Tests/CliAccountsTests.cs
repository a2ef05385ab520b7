using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace NetOps.Web.Tests;

/// <summary>
/// Accounts and tokens made by the <c>netops</c> command line on the data directory of a running all-in-one host: the
/// host lets the account log in and takes the token, and refuses the token once the command line revoked it.
/// </summary>
public sealed class CliAccountsTests : IAsyncLifetime
{
    private const string Password = "Cli-made-password-1";

    private readonly AllInOneHost _host = new("--Security:LoginAttemptsPerMinute", "100");
    private string _settings = null!;

    public async Task InitializeAsync()
    {
        await _host.InitializeAsync();
        // The host's settings as the command line reads them: the same data directory, so the same netops.db.
        _settings = Path.Combine(_host.InventoryDirectory, "cli-appsettings.json");
        await File.WriteAllTextAsync(_settings, JsonSerializer.Serialize(new { Storage = new { DataDirectory = _host.EffectiveDataDirectory } }));
    }

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task AccountMadeByTheCli_LogsIn_TokenMadeByTheCli_IsAcceptedUntilRevoked()
    {
        var added = await NetopsAsync(Password + "\n", "users", "add", "cli-oncall", "--role", "oncall", "--password-stdin");
        Assert.True(added.Code == 0, added.Error);
        var generated = await NetopsAsync("", "users", "add", "cli-fresh", "--role", "operator");
        Assert.True(generated.Code == 0, generated.Error);

        Assert.Equal("/", await _host.LogInAsync(new CookieContainer(), "cli-oncall", Password));
        // A generated password opens the change-password form only.
        Assert.StartsWith("/change-password", await _host.LogInAsync(new CookieContainer(), "cli-fresh", generated.Output.Trim()), StringComparison.Ordinal);

        var created = await NetopsAsync("", "tokens", "create", "script", "--user", "cli-oncall", "--expires", "1");
        Assert.True(created.Code == 0, created.Error);
        var token = created.Output.Trim();
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _host.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };

        async Task<HttpStatusCode> StateAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("api/state", UriKind.Relative));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await StateAsync());
        var revoked = await NetopsAsync("", "tokens", "revoke", "script", "--user", "cli-oncall");
        Assert.True(revoked.Code == 0, revoked.Error);
        Assert.Equal(HttpStatusCode.Unauthorized, await StateAsync());

        var removed = await NetopsAsync("", "users", "remove", "cli-oncall");
        Assert.True(removed.Code == 0, removed.Error);
        Assert.Contains("error=invalid", await _host.LogInAsync(new CookieContainer(), "cli-oncall", Password), StringComparison.Ordinal);
    }

    private async Task<(int Code, string Output, string Error)> NetopsAsync(string stdin, params string[] args)
    {
        using var input = new StringReader(stdin);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await NetOps.Cli.Program.RunAsync([.. args, "--config", _settings], input, output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }
}

/// <summary>Accounts a deployment makes with the command line before the host's first start: the host still creates its admin.</summary>
public sealed class CliBeforeFirstStartTests : IAsyncLifetime
{
    private const string Password = "Cli-made-password-1";

    private readonly AllInOneHost _host = new("--Security:LoginAttemptsPerMinute", "100");

    public async Task InitializeAsync()
    {
        var settings = Path.Combine(Path.GetTempPath(), "netops-cli-first-" + Guid.NewGuid().ToString("N")[..8] + ".json");
        await File.WriteAllTextAsync(settings, JsonSerializer.Serialize(new { Storage = new { DataDirectory = _host.DataDirectory } }));
        try
        {
            using var input = new StringReader(Password + "\n");
            using var output = new StringWriter();
            using var error = new StringWriter();
            var code = await NetOps.Cli.Program.RunAsync(["users", "add", "early-oncall", "--role", "oncall", "--password-stdin", "--config", settings],
                input, output, error, CancellationToken.None);
            Assert.True(code == 0, error.ToString());
        }
        finally
        {
            File.Delete(settings);
        }

        // Logs in as admin with the generated password: it fails unless the host created its admin.
        await _host.InitializeAsync();
    }

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task NonAdminAccountsMadeBeforeTheFirstStart_DoNotKeepTheHostFromCreatingItsAdmin()
    {
        Assert.True(File.Exists(Path.Combine(_host.DataDirectory, "initial-admin-password")));
        Assert.Equal("/", await _host.LogInAsync(new CookieContainer(), "early-oncall", Password));
        using var state = await _host.Http.GetAsync(new Uri("api/audit?action=account.created", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, state.StatusCode);
    }
}
