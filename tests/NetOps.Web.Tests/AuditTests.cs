using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using NetOps.Testing;

namespace NetOps.Web.Tests;

/// <summary>
/// The audit log of a real all-in-one host: logins and failures with the client's address, accounts and tokens made by
/// the command line, token use, a simulator action and an acknowledgement; /api/audit per role; the page in Chromium.
/// </summary>
public sealed class AuditTests(AuditTests.Fixture fixture) : IClassFixture<AuditTests.Fixture>
{
    private const string Password = "Audit-test-password-1";
    private static readonly TimeSpan Live = TimeSpan.FromSeconds(30);

    private AllInOneHost Host => fixture.Host;

    /// <summary>One host (login rate limit raised: the tests log in often from one address), an operator's client, a Chromium.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public AllInOneHost Host { get; } = new("--Security:LoginAttemptsPerMinute", "100");
        public Browser Browser { get; } = new();
        public HttpClient Operator { get; private set; } = null!;
        public string Settings { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            await Host.InitializeAsync();
            Settings = Path.Combine(Host.InventoryDirectory, "cli-appsettings.json");
            await File.WriteAllTextAsync(Settings, JsonSerializer.Serialize(new { Storage = new { DataDirectory = Host.EffectiveDataDirectory } }));
            Assert.Equal(0, (await NetopsAsync(Password + "\n", "users", "add", "audit-operator", "--role", "operator", "--password-stdin")).Code);
            var cookies = new CookieContainer();
            Assert.Equal("/", await Host.LogInAsync(cookies, "audit-operator", Password));
            Operator = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false })
            {
                BaseAddress = Host.BaseAddress,
                Timeout = TimeSpan.FromSeconds(10),
            };
            await Browser.InitializeAsync();
        }

        public async Task DisposeAsync()
        {
            Operator?.Dispose();
            await Browser.DisposeAsync();
            await Host.DisposeAsync();
        }

        /// <summary>Runs <c>netops</c> in-process on the host's data directory.</summary>
        public async Task<(int Code, string Output, string Error)> NetopsAsync(string stdin, params string[] args)
        {
            using var input = new StringReader(stdin);
            using var output = new StringWriter();
            using var error = new StringWriter();
            var code = await NetOps.Cli.Program.RunAsync([.. args, "--config", Settings], input, output, error, CancellationToken.None);
            return (code, output.ToString(), error.ToString());
        }
    }

    [Fact]
    public async Task FailedThenGoodLogin_AreRecordedWithTheAddress_AndTheCliIsNamedForTheAccount()
    {
        var name = "audit-" + Guid.NewGuid().ToString("N")[..6];
        Assert.Equal(0, (await fixture.NetopsAsync(Password + "\n", "users", "add", name, "--role", "oncall", "--password-stdin")).Code);

        Assert.Contains("error=invalid", await Host.LogInAsync(new CookieContainer(), name, "Wrong-password-123"), StringComparison.Ordinal);
        Assert.Equal("/", await Host.LogInAsync(new CookieContainer(), name, Password));

        var (mine, text) = await AuditAsync($"api/audit?actor={name}");
        Assert.Equal(["login", "login.failed"], mine.Select(e => e.GetProperty("action").GetString()));
        Assert.All(mine, e => Assert.Equal("127.0.0.1", e.GetProperty("address").GetString()));
        Assert.Equal("wrong password", mine[1].GetProperty("detail").GetString());
        Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
        Assert.DoesNotContain("Wrong-password-123", text, StringComparison.Ordinal);

        var (created, _) = await AuditAsync($"api/audit?action=account.created&actor=cli:{Uri.EscapeDataString(Environment.UserName)}");
        var entry = Assert.Single(created, e => e.GetProperty("target").GetString() == name);
        Assert.Equal("role oncall", entry.GetProperty("detail").GetString());
        Assert.Equal(JsonValueKind.Null, entry.GetProperty("address").ValueKind);
    }

    [Fact]
    public async Task TokenUse_IsRecordedOncePerHour_AndItsCreationAndRevocationByTheCli()
    {
        var created = await fixture.NetopsAsync("", "tokens", "create", "audit-script", "--user", "audit-operator");
        Assert.True(created.Code == 0, created.Error);
        var token = created.Output.Trim();
        using var client = new HttpClient { BaseAddress = Host.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        for (var i = 0; i < 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("api/state", UriKind.Relative));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(0, (await fixture.NetopsAsync("", "tokens", "revoke", "audit-script", "--user", "audit-operator")).Code);

        var (used, text) = await AuditAsync("api/audit?action=token.used&actor=audit-operator");
        var use = Assert.Single(used, e => e.GetProperty("target").GetString() == "audit-operator/audit-script");
        Assert.Equal("127.0.0.1", use.GetProperty("address").GetString());
        var (byCli, cliText) = await AuditAsync($"api/audit?actor=cli:{Uri.EscapeDataString(Environment.UserName)}");
        Assert.Contains(byCli, e => e.GetProperty("action").GetString() == "token.created" && e.GetProperty("target").GetString() == "audit-operator/audit-script");
        Assert.Contains(byCli, e => e.GetProperty("action").GetString() == "token.revoked" && e.GetProperty("target").GetString() == "audit-operator/audit-script");
        Assert.DoesNotContain(token, text + cliText, StringComparison.Ordinal);
        Assert.DoesNotContain(token[7..], text + cliText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SimulatorCut_ByTheAdmin_AndTheAcknowledgement_AreRecorded()
    {
        await Host.PostAsync("api/simulator/links/core-acc-nord/cut");
        try
        {
            string? id = null;
            await Eventually.TrueAsync(async () =>
            {
                var alerts = await Host.Http.GetFromJsonAsync<JsonElement>(new Uri("api/alerts", UriKind.Relative));
                id = alerts.EnumerateArray().FirstOrDefault(a => a.GetProperty("rule").GetString() == "LinkDown" &&
                    a.GetProperty("subject").GetString() == "link:core-acc-nord") is { ValueKind: JsonValueKind.Object } alert
                    ? alert.GetProperty("id").GetString()
                    : null;
                return id is not null;
            }, Live, "LinkDown of link:core-acc-nord in /api/alerts\n" + Host.Output);
            using (var acknowledged = await Host.Http.PostAsJsonAsync(new Uri($"api/alerts/{id}/acknowledge", UriKind.Relative), new { comment = "audit test" }))
            {
                Assert.Equal(HttpStatusCode.OK, acknowledged.StatusCode);
            }

            var (cuts, _) = await AuditAsync("api/audit?action=simulator&actor=admin");
            var cut = Assert.Single(cuts, e => e.GetProperty("target").GetString() == "/api/simulator/links/core-acc-nord/cut");
            Assert.Equal("127.0.0.1", cut.GetProperty("address").GetString());
            Assert.Equal("done", cut.GetProperty("detail").GetString());
            var (acks, _) = await AuditAsync("api/audit?action=acknowledged");
            var ack = Assert.Single(acks, e => e.GetProperty("target").GetString() == id);
            Assert.Equal("admin", ack.GetProperty("actor").GetString());
            Assert.Equal("audit test", ack.GetProperty("detail").GetString());
        }
        finally
        {
            await Host.PostAsync("api/simulator/links/core-acc-nord/restore");
        }
    }

    [Theory]
    [InlineData("api/audit?limit=0")]
    [InlineData("api/audit?limit=1001")]
    [InlineData("api/audit?limit=ten")]
    [InlineData("api/audit?from=yesterday")]
    [InlineData("api/audit?until=soon")]
    [InlineData("api/audit?from=2026-12-02T00:00:00Z&until=2026-12-01T00:00:00Z")]
    public async Task AuditApi_RefusesBadParameters(string path)
    {
        using var response = await Host.Http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task AuditApi_AnswersAdminsOnly_AndThePageToo()
    {
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = Host.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        using (var asAdmin = await Host.Http.GetAsync(new Uri("api/audit?limit=1000", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, asAdmin.StatusCode);
        }

        using (var asOperator = await fixture.Operator.GetAsync(new Uri("api/audit", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, asOperator.StatusCode);
        }

        using (var asNobody = await anonymous.GetAsync(new Uri("api/audit", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, asNobody.StatusCode);
        }

        using (var page = await fixture.Operator.GetAsync(new Uri("audit", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
            Assert.Contains("error=denied", page.Headers.Location!.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AuditPage_ShowsAnAdminTheEntries_WithANameTriedAtTheLoginAsText()
    {
        const string hostile = "<img src=x onerror=alert(1)>";
        Assert.Contains("error=invalid", await Host.LogInAsync(new CookieContainer(), hostile, "Whatever-password-1"), StringComparison.Ordinal);

        var page = await Host.NewPageAsync(fixture.Browser.Instance, new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(new Uri(Host.BaseAddress, "audit?action=login.failed").ToString());
        await Assertions.Expect(page.Locator(".audit")).ToHaveAttributeAsync("data-loaded", "true", new() { Timeout = 30_000 });
        var row = page.Locator("tr[data-action='login.failed']").Filter(new() { HasText = hostile });
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row.Locator("td.actor")).ToHaveTextAsync(hostile);
        await Assertions.Expect(row.Locator("td.address")).ToHaveTextAsync("127.0.0.1");
        Assert.Equal(0, await page.Locator(".audit-log img").CountAsync());
        await Assertions.Expect(page.Locator("header nav a[href='audit']")).ToBeVisibleAsync();
        Assert.Empty(errors);
        await page.CloseAsync();
    }

    private async Task<(List<JsonElement> Entries, string Text)> AuditAsync(string path)
    {
        var text = await Host.Http.GetStringAsync(new Uri(path, UriKind.Relative));
        using var document = JsonDocument.Parse(text);
        return ([.. document.RootElement.GetProperty("entries").EnumerateArray().Select(e => e.Clone())], text);
    }
}
