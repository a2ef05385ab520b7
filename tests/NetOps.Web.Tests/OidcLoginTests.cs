using System.Globalization;
using System.Net;
using System.Security.Claims;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NetOps.Core.Security;
using NetOps.Database;
using NetOps.Security;
using NetOps.Testing;

namespace NetOps.Web.Tests;

/// <summary>
/// The login at an OpenID Connect provider, against a real one: the certified oidc-provider on Node (<see cref="OidcProvider"/>)
/// with its development login form, the all-in-one host configured only by settings, Chromium clicking through both.
/// </summary>
public sealed class OidcLoginTests(OidcLoginTests.Fixture fixture) : IClassFixture<OidcLoginTests.Fixture>
{
    private const string DisplayName = "Test Provider";

    /// <summary>One provider and one host for the class (security stamps checked every second), and a Chromium.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        private readonly int _hostPort = FreePort.Tcp();

        public OidcProvider Provider { get; private set; } = null!;
        public AllInOneHost Host { get; private set; } = null!;
        public Browser Browser { get; } = new();
        public string SecretFile { get; } = Path.Combine(Path.GetTempPath(), $"netops-oidc-secret-{Guid.NewGuid():N}");

        public async Task InitializeAsync()
        {
            Provider = await OidcProvider.StartAsync(new Uri($"http://127.0.0.1:{_hostPort.ToString(CultureInfo.InvariantCulture)}/signin-oidc"));
            await File.WriteAllTextAsync(SecretFile, Provider.ClientSecret + "\n");
            Host = new AllInOneHost(
                "--Security:LoginAttemptsPerMinute", "100",
                "--Security:RevalidationInterval", "00:00:01",
                "--Security:Oidc:Authority", Provider.Issuer,
                "--Security:Oidc:ClientId", Provider.ClientId,
                "--Security:Oidc:ClientSecretFile", SecretFile,
                "--Security:Oidc:Scopes:0", "profile",
                "--Security:Oidc:Scopes:1", "netops",
                "--Security:Oidc:RoleClaim", "groups",
                "--Security:Oidc:RoleMap:/netops/operators", NetOpsRoles.Operator,
                "--Security:Oidc:RoleMap:/netops/coordinators", NetOpsRoles.Coordinator,
                "--Security:Oidc:EventClaim", "netops_events",
                "--Security:Oidc:DisplayName", DisplayName,
                "--Security:Oidc:RequireHttpsMetadata", "false")
            {
                HttpPort = _hostPort,
            };
            await Host.InitializeAsync();
            await Browser.InitializeAsync();
        }

        public async Task DisposeAsync()
        {
            await Browser.DisposeAsync();
            if (Host is not null)
            {
                await Host.DisposeAsync();
            }

            if (Provider is not null)
            {
                await Provider.DisposeAsync();
            }

            File.Delete(SecretFile);
        }
    }

    private AllInOneHost _host => fixture.Host;
    private OidcProvider _provider => fixture.Provider;

    [Fact]
    public async Task Alice_SignsInAtTheProvider_AndLandsOnThePageAskedAsOperator()
    {
        var page = await SignInAtProviderAsync("alice", "alerts");
        try
        {
            await page.WaitForURLAsync(new Uri(_host.BaseAddress, "alerts").ToString());
            // The page is live (its circuit connected with the cookie): the header names the provider's user.
            await Assertions.Expect(page.Locator("header.top form.logout button")).ToContainTextAsync("alice", new() { Timeout = 20_000 });
            Assert.Contains(await page.Context.CookiesAsync(), c => c.Name == "netops.auth");
            Assert.Equal(200, await StatusAsync(page, "GET", "api/alerts"));
            Assert.Equal(404, await StatusAsync(page, "POST", "api/alerts/no-such-alert/acknowledge"));
            Assert.Equal(403, await StatusAsync(page, "POST", "api/simulator/wiring/restore"));

            // The security stamp is checked every second here; a provider's login has no local account to check and must
            // outlive several checks (a local account's session ends at the first one after its removal: see below).
            var statuses = new List<int>();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await Eventually.TrueAsync(async () =>
            {
                statuses.Add(await StatusAsync(page, "GET", "api/state"));
                return clock.Elapsed > TimeSpan.FromSeconds(3.5);
            }, TimeSpan.FromSeconds(20), "three revalidation intervals", TimeSpan.FromMilliseconds(250));
            Assert.All(statuses, s => Assert.Equal(200, s));

            await page.Locator("header.top form.logout button").ClickAsync();
            await page.WaitForURLAsync("**/login?error=loggedout");
            Assert.Equal(401, await StatusAsync(page, "GET", "api/state"));
            Assert.Empty(_provider.Errors);
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    [Fact]
    public async Task Nobody_WithoutAMappedRole_IsRefusedWithAMessage_AndGetsNoSession()
    {
        var page = await SignInAtProviderAsync("nobody", "");
        try
        {
            await page.WaitForURLAsync("**/login?error=norole");
            await Assertions.Expect(page.Locator(".account-error")).ToContainTextAsync($"Your {DisplayName} account holds no NetOps role");
            Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name.StartsWith("netops.auth", StringComparison.Ordinal));
            Assert.Equal(401, await StatusAsync(page, "GET", "api/state"));
            await page.GotoAsync(new Uri(_host.BaseAddress, "topology").ToString());
            await page.WaitForURLAsync("**/login?returnUrl=*");
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    [Fact]
    public async Task Carol_Coordinator_ReadsButMayNotAct_AndCarriesHerEvents()
    {
        var page = await SignInAtProviderAsync("carol", "");
        try
        {
            await page.WaitForURLAsync(new Regex("^" + Regex.Escape(_host.BaseAddress.ToString()) + "$"));
            await Assertions.Expect(page.Locator("header.top form.logout button")).ToContainTextAsync("carol", new() { Timeout = 20_000 });
            Assert.Equal(200, await StatusAsync(page, "GET", "api/state"));
            Assert.Equal(403, await StatusAsync(page, "POST", "api/alerts/no-such-alert/acknowledge"));
            Assert.Equal(403, await StatusAsync(page, "POST", "api/silences"));
            // The login's claims as the host made them: the role from her group, the event from the provider's claim.
            await Eventually.TrueAsync(() => _host.Output.Split('\n').Any(l => l.Contains("OpenID Connect login of", StringComparison.Ordinal)
                && l.Contains("carol", StringComparison.Ordinal) && l.Contains("coordinator", StringComparison.Ordinal) && l.Contains("kerwe", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(5), "the host's log of carol's login with role coordinator and event kerwe\n" + _host.Output);
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    [Fact]
    public async Task LocalSession_EndsAtTheNextCheck_WhenItsAccountIsRemoved()
    {
        await SecurityTests.CreateAccountAsync(_host, "leaving", NetOpsRoles.Operator, mustChange: false);
        var cookies = new CookieContainer();
        Assert.Equal("/", await _host.LogInAsync(cookies, "leaving", "Role-user-password-1"));
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false })
        {
            BaseAddress = _host.BaseAddress,
            Timeout = TimeSpan.FromSeconds(10),
        };
        using (var before = await client.GetAsync(new Uri("api/state", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        await SecurityTests.WithAccountsAsync(_host, async services =>
        {
            var users = services.GetRequiredService<UserManager<NetOpsUser>>();
            Assert.True((await users.DeleteAsync((await users.FindByNameAsync("leaving"))!)).Succeeded);
        });
        await Eventually.TrueAsync(async () =>
        {
            using var after = await client.GetAsync(new Uri("api/state", UriKind.Relative));
            return after.StatusCode == HttpStatusCode.Unauthorized;
        }, TimeSpan.FromSeconds(15), "the removed account's session to end");
    }

    [Fact]
    public async Task ClientSecret_AppearsInNoPage_LogFile_Output_OrStoredFile()
    {
        // A login makes the host use the secret (the token request).
        var page = await SignInAtProviderAsync("alice", "");
        await page.WaitForURLAsync(new Regex("^" + Regex.Escape(_host.BaseAddress.ToString()) + "$"));
        var html = await page.ContentAsync();
        await page.CloseAsync();
        using var anonymous = new HttpClient { BaseAddress = _host.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var texts = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["the dashboard"] = html,
            ["/login"] = await anonymous.GetStringAsync(new Uri("login", UriKind.Relative)),
            ["stdout and stderr of the host"] = _host.Output,
        };
        foreach (var file in Directory.GetFiles(_host.InventoryDirectory + "-logs", "*", SearchOption.AllDirectories)
                     .Concat(Directory.GetFiles(_host.DataDirectory, "*", SearchOption.AllDirectories)))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            texts[file] = Encoding.UTF8.GetString(copy.ToArray());
        }

        Assert.Contains("Sign in with " + DisplayName, texts["/login"], StringComparison.Ordinal);
        var leaks = texts.Where(t => t.Value.Contains(_provider.ClientSecret, StringComparison.Ordinal)).Select(t => t.Key).ToList();
        Assert.True(leaks.Count == 0, "the client secret is in " + string.Join(", ", leaks));
    }

    /// <summary>Opens <paramref name="path"/> in a fresh browser context, is sent to the login, signs in at the provider.</summary>
    private async Task<IPage> SignInAtProviderAsync(string account, string path)
    {
        var page = await fixture.Browser.Instance.NewPageAsync();
        await page.GotoAsync(new Uri(_host.BaseAddress, path).ToString());
        await page.WaitForURLAsync("**/login?returnUrl=*");
        await page.GetByText("Sign in with " + DisplayName).ClickAsync();
        await page.WaitForURLAsync(_provider.Issuer + "/interaction/**");
        await page.Locator("input[name=login]").FillAsync(account);
        await page.Locator("input[name=password]").FillAsync("any password will do");
        await page.Locator("button[type=submit]").ClickAsync();
        return page;
    }

    /// <summary>A request with the page's cookies, as its scripts would send it.</summary>
    private async Task<int> StatusAsync(IPage page, string method, string path)
    {
        var response = await page.Context.APIRequest.FetchAsync(new Uri(_host.BaseAddress, path).ToString(), new()
        {
            Method = method,
            DataObject = method == "POST" ? new { by = "x" } : null,
            MaxRedirects = 0,
        });
        return response.Status;
    }
}

/// <summary>What a provider's claims become: name, roles through the map (or by name), events.</summary>
public sealed class OidcClaimMappingTests
{
    private static ClaimsPrincipal External(params (string Type, string Value)[] claims) =>
        new(new ClaimsIdentity(claims.Select(c => new Claim(c.Type, c.Value)), "oidc"));

    [Fact]
    public void GroupsThroughTheMap_GiveRolesAndEvents_NamedByPreferredUsername()
    {
        var login = new OidcLoginOptions
        {
            RoleClaim = "groups",
            EventClaim = "netops_events",
            RoleMap = { ["/netops/coordinators"] = NetOpsRoles.Coordinator },
        };
        var user = OidcLogin.ToNetOps(External(("sub", "f3a9"), ("preferred_username", "carol"), ("groups", "/netops/coordinators"),
            ("groups", "coordinator-not-mapped"), ("groups", "admin"), ("netops_events", "kerwe"), ("netops_events", "kerwe")), login)!;
        Assert.Equal("carol", user.Identity!.Name);
        Assert.True(user.IsInRole(NetOpsRoles.Coordinator));
        // With a map, a value it does not name counts for nothing, even one that spells a role.
        Assert.False(user.IsInRole(NetOpsRoles.Admin));
        Assert.Equal(new[] { "kerwe" }, user.FindAll(NetOpsClaims.Event).Select(c => c.Value));
        Assert.Equal(new[] { "kerwe" }, NetOpsClaims.ScopeOf(user).EventIds!);
        Assert.True(OidcLogin.IsOidc(user));
    }

    [Fact]
    public void WithoutAMap_ValuesThatNameARole_AreTheRoles_AndSubNamesTheUser()
    {
        var user = OidcLogin.ToNetOps(External(("sub", "olga"), ("roles", "oncall"), ("roles", "Admin"), ("roles", "wiki")),
            new OidcLoginOptions { RoleClaim = "roles" })!;
        Assert.Equal("olga", user.Identity!.Name);
        Assert.Equal(new[] { NetOpsRoles.OnCall }, user.FindAll(ClaimTypes.Role).Select(c => c.Value));
    }

    [Fact]
    public void NoMappableRole_GivesNoLogin()
    {
        Assert.Null(OidcLogin.ToNetOps(External(("sub", "x"), ("groups", "/wiki/editors")), new OidcLoginOptions { RoleClaim = "groups" }));
        Assert.Null(OidcLogin.ToNetOps(External(("sub", "x")), new OidcLoginOptions { RoleClaim = "groups" }));
    }

    [Fact]
    public void LocalLogin_IsNotTakenForAProvidersLogin()
    {
        var local = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "op"), new Claim(ClaimTypes.AuthenticationMethod, "oidc")], "Identity.Application"));
        Assert.False(OidcLogin.IsOidc(local));
    }
}

/// <summary>An unreachable provider is a message on the login page (a bad setting stopping the start: <see cref="StartupTests"/>).</summary>
public sealed class OidcStartupTests
{
    [Fact]
    public async Task UnreachableProvider_LeadsBackToTheLogin_WithAMessage()
    {
        var secret = Path.GetTempFileName();
        await File.WriteAllTextAsync(secret, "unused-secret");
        var host = new AllInOneHost(
            "--Security:Oidc:Authority", $"http://127.0.0.1:{FreePort.Tcp().ToString(CultureInfo.InvariantCulture)}",
            "--Security:Oidc:ClientId", "netops",
            "--Security:Oidc:ClientSecretFile", secret,
            "--Security:Oidc:RoleClaim", "groups",
            "--Security:Oidc:DisplayName", "Nowhere",
            "--Security:Oidc:RequireHttpsMetadata", "false");
        try
        {
            await host.InitializeAsync();
            using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            using var start = await anonymous.GetAsync(new Uri("account/login/oidc?returnUrl=%2Falerts", UriKind.Relative));
            Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
            Assert.Equal("/login?error=unreachable&returnUrl=%2Falerts", start.Headers.Location!.OriginalString);
            var page = await anonymous.GetStringAsync(new Uri(start.Headers.Location.OriginalString.TrimStart('/'), UriKind.Relative));
            Assert.Contains("Nowhere cannot be reached right now", page, StringComparison.Ordinal);
        }
        finally
        {
            await host.DisposeAsync();
            File.Delete(secret);
        }
    }
}
