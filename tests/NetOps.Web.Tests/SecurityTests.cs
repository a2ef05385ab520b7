using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NetOps.Core.Security;
using NetOps.Core.State;
using NetOps.Database;
using NetOps.Inventory;
using NetOps.Security;
using NetOps.Simulator;
using NetOps.Testing;
using NetOps.Web.History;

namespace NetOps.Web.Tests;

/// <summary>
/// Logins on every route: the route list checked for a policy on each endpoint, then real requests per role to the
/// all-in-one host (one account per role), the first admin, must-change-password, and the login in Chromium.
/// </summary>
public sealed partial class SecurityTests(SecurityTests.Fixture fixture) : IClassFixture<SecurityTests.Fixture>
{
    /// <summary>The routes that answer without a login (besides static files and the host's probes).</summary>
    private static readonly string[] Anonymous = ["/login", "/change-password", "/account/login", "/account/change-password",
        "/login/code", "/login/enrol", "/account/second-factor", "/account/second-factor/enrol", "/account/login/oidc"];

    internal const string UserPassword = "Role-user-password-1";

    private AllInOneHost _host => fixture.Host;
    private Dictionary<string, HttpClient> _as => fixture.As;
    private Browser _browser => fixture.Browser;

    /// <summary>One host for the class, with an account per role (and their logged-in clients) and a Chromium.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        // Behind a proxy on the same host (loopback, the default known proxy): its X-Forwarded-* headers count.
        public AllInOneHost Host { get; } = new("--Security:LoginAttemptsPerMinute", "100", "--Security:ForwardedHeaders:Enabled", "true");
        public Dictionary<string, HttpClient> As { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, CookieContainer> CookiesOf { get; } = new(StringComparer.Ordinal);
        public Browser Browser { get; } = new();

        public async Task InitializeAsync()
        {
            await Host.InitializeAsync();
            await CreateAccountAsync(Host, "op", NetOpsRoles.Operator, mustChange: false);
            await CreateAccountAsync(Host, "oc", NetOpsRoles.OnCall, mustChange: false);
            await CreateAccountAsync(Host, "co", NetOpsRoles.Coordinator, mustChange: false, events: [CoordinatorEvent]);
            As[NetOpsRoles.Admin] = Host.Http;
            As[NetOpsRoles.Operator] = await LoggedInAsync("op");
            As[NetOpsRoles.OnCall] = await LoggedInAsync("oc");
            As[NetOpsRoles.Coordinator] = await LoggedInAsync("co");
            As["anonymous"] = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = Host.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
            await Browser.InitializeAsync();
        }

        public async Task DisposeAsync()
        {
            foreach (var (role, client) in As)
            {
                if (role != NetOpsRoles.Admin)
                {
                    client.Dispose();
                }
            }

            await Browser.DisposeAsync();
            await Host.DisposeAsync();
        }

        private async Task<HttpClient> LoggedInAsync(string name)
        {
            var cookies = new CookieContainer();
            Assert.Equal("/", await Host.LogInAsync(cookies, name, UserPassword));
            CookiesOf[name] = cookies;
            return new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false })
            {
                BaseAddress = Host.BaseAddress,
                Timeout = TimeSpan.FromSeconds(10),
            };
        }
    }

    [Fact]
    public void EveryEndpoint_NamesAPolicy_OrIsOneOfTheAnonymousOnes()
    {
        var endpoints = Endpoints();
        Assert.Contains(endpoints, e => e.RoutePattern.RawText == "/api/state");
        Assert.Contains(endpoints, e => e.RoutePattern.RawText == "/api/simulator/links/{id}/cut");
        Assert.Contains(endpoints, e => e.RoutePattern.RawText == "/login");
        Assert.Contains(endpoints, e => e.RoutePattern.RawText == "/account/login/oidc");
        var problems = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var pattern = endpoint.RoutePattern.RawText ?? "";
            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Where(a => a.Policy is not null).Select(a => a.Policy!).ToList();
            if (anonymous)
            {
                if (!Anonymous.Contains(pattern, StringComparer.OrdinalIgnoreCase) && !IsStaticFile(pattern))
                {
                    problems.Add($"{endpoint.DisplayName} ({pattern}) answers without a login");
                }
            }
            else if (policies.Count == 0 && !pattern.StartsWith("/_blazor", StringComparison.Ordinal) && pattern != "/account/logout"
                     && !pattern.Contains(":file}", StringComparison.Ordinal))
            {
                // The circuit's hub, the logout and the framework's file fallback need a login (the fallback policy) but no
                // role: anything else names its policy.
                problems.Add($"{endpoint.DisplayName} ({pattern}) names no policy");
            }
            else if (policies.Any(p => !NetOpsPolicies.Roles.ContainsKey(p)))
            {
                problems.Add($"{endpoint.DisplayName} ({pattern}) names an unknown policy: {string.Join(", ", policies)}");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        // Writes carry the stricter policies.
        Assert.All(endpoints.Where(e => e.RoutePattern.RawText is "/api/audit" or "/audit"),
            e => Assert.Contains(NetOpsPolicies.Admin, e.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy)));
        Assert.Contains(endpoints, e => e.RoutePattern.RawText == "/api/audit");
        Assert.All(endpoints.Where(e => e.RoutePattern.RawText!.StartsWith("/api/simulator/", StringComparison.Ordinal)),
            e => Assert.Contains(NetOpsPolicies.Admin, e.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy)));
        Assert.All(endpoints.Where(e => e.RoutePattern.RawText is "/api/alerts/{id}/acknowledge" or "/api/silences" or "/api/silences/{id}"
                                        && e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods.Contains("GET") != true),
            e => Assert.Contains(NetOpsPolicies.Acknowledge, e.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy)));
    }

    [Theory]
    [InlineData("anonymous", "GET", "api/state", HttpStatusCode.Unauthorized)]
    [InlineData("anonymous", "GET", "api/inventory", HttpStatusCode.Unauthorized)]
    [InlineData("anonymous", "GET", "api/alerts", HttpStatusCode.Unauthorized)]
    [InlineData("anonymous", "POST", "api/simulator/links/core-acc-nord/cut", HttpStatusCode.Unauthorized)]
    [InlineData("anonymous", "GET", "metrics", HttpStatusCode.Unauthorized)]
    [InlineData("anonymous", "GET", "openapi/v1.json", HttpStatusCode.Unauthorized)]
    [InlineData("anonymous", "GET", "_blazor/negotiate?negotiateVersion=1", HttpStatusCode.Unauthorized)]
    [InlineData("anonymous", "GET", "healthz", HttpStatusCode.OK)]
    [InlineData("anonymous", "GET", "readyz", HttpStatusCode.OK)]
    [InlineData("anonymous", "GET", "login", HttpStatusCode.OK)]
    [InlineData("coordinator", "GET", "api/state", HttpStatusCode.OK)]
    [InlineData("coordinator", "GET", "", HttpStatusCode.OK)]
    [InlineData("coordinator", "GET", "events/kerwe", HttpStatusCode.OK)]
    [InlineData("coordinator", "GET", "nodes/mogli-01", HttpStatusCode.OK)]
    [InlineData("coordinator", "GET", "events/altstadtfest", HttpStatusCode.NotFound)]
    [InlineData("coordinator", "GET", "nodes/mogli-04", HttpStatusCode.NotFound)]
    [InlineData("coordinator", "GET", "devices/core-rathaus", HttpStatusCode.NotFound)]
    [InlineData("coordinator", "GET", "links/core-acc-nord", HttpStatusCode.NotFound)]
    [InlineData("coordinator", "GET", "links/mogli-01-uplink", HttpStatusCode.NotFound)]
    [InlineData("coordinator", "GET", "api/traps", HttpStatusCode.Forbidden)]
    [InlineData("coordinator", "GET", "api/silences", HttpStatusCode.Forbidden)]
    [InlineData("coordinator", "GET", "api/alerts/receivers", HttpStatusCode.Forbidden)]
    [InlineData("oncall", "GET", "api/traps", HttpStatusCode.OK)]
    [InlineData("coordinator", "GET", "api/collectors", HttpStatusCode.Forbidden)]
    [InlineData("coordinator", "GET", "health", HttpStatusCode.Redirect)]
    [InlineData("oncall", "GET", "api/collectors", HttpStatusCode.OK)]
    [InlineData("oncall", "GET", "health", HttpStatusCode.OK)]
    [InlineData("oncall", "GET", "devices/core-rathaus", HttpStatusCode.OK)]
    [InlineData("oncall", "GET", "events/altstadtfest", HttpStatusCode.OK)]
    [InlineData("coordinator", "POST", "api/simulator/links/core-acc-nord/cut", HttpStatusCode.Forbidden)]
    [InlineData("coordinator", "POST", "api/alerts/no-such-alert/acknowledge", HttpStatusCode.Forbidden)]
    [InlineData("coordinator", "POST", "api/silences", HttpStatusCode.Forbidden)]
    [InlineData("coordinator", "DELETE", "api/silences/no-such-silence", HttpStatusCode.Forbidden)]
    [InlineData("oncall", "POST", "api/simulator/links/core-acc-nord/cut", HttpStatusCode.Forbidden)]
    [InlineData("oncall", "POST", "api/alerts/no-such-alert/acknowledge", HttpStatusCode.NotFound)]
    [InlineData("oncall", "DELETE", "api/silences/no-such-silence", HttpStatusCode.NotFound)]
    [InlineData("operator", "POST", "api/simulator/nodes/no-such-node/off", HttpStatusCode.Forbidden)]
    [InlineData("operator", "POST", "api/alerts/no-such-alert/acknowledge", HttpStatusCode.NotFound)]
    [InlineData("operator", "GET", "metrics", HttpStatusCode.OK)]
    [InlineData("admin", "POST", "api/simulator/links/no-such-link/cut", HttpStatusCode.NotFound)]
    [InlineData("admin", "POST", "api/simulator/wiring/restore", HttpStatusCode.NoContent)]
    [InlineData("anonymous", "GET", "api/audit", HttpStatusCode.Unauthorized)]
    [InlineData("coordinator", "GET", "api/audit", HttpStatusCode.Forbidden)]
    [InlineData("oncall", "GET", "api/audit", HttpStatusCode.Forbidden)]
    [InlineData("operator", "GET", "api/audit", HttpStatusCode.Forbidden)]
    [InlineData("admin", "GET", "api/audit", HttpStatusCode.OK)]
    [InlineData("coordinator", "GET", "api/events/kerwe/yaml", HttpStatusCode.Forbidden)]
    [InlineData("oncall", "POST", "api/events/kerwe/phase", HttpStatusCode.Forbidden)]
    [InlineData("coordinator", "DELETE", "api/events/kerwe", HttpStatusCode.Forbidden)]
    [InlineData("operator", "DELETE", "api/events/kerwe", HttpStatusCode.NotFound)]
    [InlineData("operator", "GET", "events/new", HttpStatusCode.OK)]
    [InlineData("oncall", "GET", "events/new", HttpStatusCode.Redirect)]
    public async Task Route_AnswersEachRole_AsItsPolicySays(string role, string method, string path, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        if (method == "POST")
        {
            request.Content = new StringContent("{\"by\":\"x\"}", Encoding.UTF8, "application/json");
        }

        using var response = await _as[role].SendAsync(request);
        Assert.True(expected == response.StatusCode, $"{role} {method} /{path}: {(int)response.StatusCode}, expected {(int)expected}");
    }

    /// <summary>All-in-one keeps its membership in the process: one collector, every device, its heartbeat renewed.</summary>
    [Fact]
    public async Task Collectors_AllInOne_OneCollectorPollsEveryDevice_OnTheApiAndTheHealthPage()
    {
        using var inventory = JsonDocument.Parse(await _as["oncall"].GetStringAsync(new Uri("api/inventory", UriKind.Relative)));
        var devices = inventory.RootElement.GetProperty("devices").EnumerateArray().Select(d => d.GetProperty("id").GetString()).Order(StringComparer.Ordinal).ToList();
        JsonElement collector = default;
        await Eventually.TrueAsync(async () =>
        {
            using var answer = JsonDocument.Parse(await _as["oncall"].GetStringAsync(new Uri("api/collectors", UriKind.Relative)));
            collector = answer.RootElement.GetProperty("collectors").EnumerateArray().SingleOrDefault().Clone();
            return collector.ValueKind == JsonValueKind.Object && collector.GetProperty("polling").GetInt32() == devices.Count;
        }, TimeSpan.FromSeconds(30), "the collector's heartbeat reporting every device");

        Assert.Equal("collector", collector.GetProperty("name").GetString());
        Assert.Equal(devices, collector.GetProperty("devices").EnumerateArray().Select(d => d.GetString()));
        var page = await _as["oncall"].GetStringAsync(new Uri("health", UriKind.Relative));
        Assert.Contains("data-collectors=\"1\"", page, StringComparison.Ordinal);
        Assert.Contains($"data-devices=\"{devices.Count}\"", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("topology")]
    [InlineData("alerts")]
    [InlineData("health")]
    [InlineData("no-such-page")]
    public async Task Page_RedirectsAnonymousToTheLogin(string path)
    {
        using var response = await _as["anonymous"].GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith($"{_host.BaseAddress}login?returnUrl=", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoginPage_LoadsItsStylesWithoutALogin()
    {
        var html = await _as["anonymous"].GetStringAsync(new Uri("login", UriKind.Relative));
        Assert.Contains("action=\"/account/login\"", html, StringComparison.Ordinal);
        var css = System.Text.RegularExpressions.Regex.Match(html, "href=\"(_content/NetOps.Web/app[^\"]*\\.css)\"");
        Assert.True(css.Success, html);
        using var response = await _as["anonymous"].GetAsync(new Uri(css.Groups[1].Value, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("login")]
    [InlineData("api/state")]
    public async Task Responses_CarryTheSecurityHeaders(string path)
    {
        using var response = await _as["anonymous"].GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("same-origin", response.Headers.GetValues("Referrer-Policy").Single());
        var policies = response.Headers.GetValues("Content-Security-Policy").ToList();
        Assert.Contains(policies, p => p.Contains("frame-ancestors 'none'", StringComparison.Ordinal));
        Assert.DoesNotContain(policies, p => p.Contains("frame-ancestors 'self'", StringComparison.Ordinal));
        // Scripts from this site or with this response's nonce, never any inline script.
        var scripts = policies.Select(p => System.Text.RegularExpressions.Regex.Match(p, "script-src ([^;]*)")).Single(m => m.Success).Groups[1].Value;
        Assert.Matches("^'self' 'nonce-[A-Za-z0-9+/=]{24}'$", scripts);
    }

    /// <summary>Every page works under the policy: Chromium reports no violation while each becomes interactive.</summary>
    [Fact]
    public async Task Pages_RunUnderTheContentSecurityPolicy_WithoutAViolation()
    {
        var page = await _host.NewPageAsync(_browser.Instance, new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                violations.Add(message.Text);
            }
        };
        try
        {
            foreach (var (path, root) in new[] { ("", "div.overview"), ("topology", "div.topology"), ("events/kerwe", "div.coverage"), ("alerts", "[data-interactive]"), ("health", "div.health"), ("devices/core-rathaus", "div.detail") })
            {
                await page.GotoAsync(new Uri(_host.BaseAddress, path).ToString());
                await Assertions.Expect(page.Locator(root).First).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = 30_000 });
            }

            // The theme script ran (it sets the attribute before the page renders).
            Assert.NotNull(await page.Locator("html").GetAttributeAsync("data-theme"));
            Assert.True(violations.Count == 0, string.Join("\n", violations));
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task AccessToken_ActsWithItsAccountsRoles_UntilRevokedOrExpired()
    {
        string token = "", expired = "";
        await WithAccountsAsync(_host, async services =>
        {
            var tokens = services.GetRequiredService<AccessTokens>();
            token = await tokens.CreateAsync("oc", "script", DateTimeOffset.UtcNow.AddDays(1), CancellationToken.None);
            expired = await tokens.CreateAsync("oc", "old", DateTimeOffset.UtcNow.AddSeconds(-1), CancellationToken.None);
        });
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _host.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };

        async Task<HttpStatusCode> AskAsync(string method, string path, string bearer)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await AskAsync("GET", "api/state", token));
        Assert.Equal(HttpStatusCode.Forbidden, await AskAsync("POST", "api/simulator/wiring/restore", token));
        Assert.Equal(HttpStatusCode.Unauthorized, await AskAsync("GET", "api/state", expired));
        Assert.Equal(HttpStatusCode.Unauthorized, await AskAsync("GET", "api/state", "netops_not-a-token"));
        Assert.Equal(HttpStatusCode.Unauthorized, await AskAsync("GET", "topology", token + "x"));

        var revoked = false;
        await WithAccountsAsync(_host, async services => revoked = await services.GetRequiredService<AccessTokens>().RevokeAsync("oc", "script", CancellationToken.None));
        Assert.True(revoked);
        Assert.Equal(HttpStatusCode.Unauthorized, await AskAsync("GET", "api/state", token));
    }

    [Fact]
    public async Task Silence_IsNamedByTheAccount_NotByTheBody()
    {
        using var created = await _as[NetOpsRoles.OnCall].PostAsJsonAsync(new Uri("api/silences", UriKind.Relative), new
        {
            matchers = new[] { "alertname=\"SecurityTestRule\"" },
            endsAt = DateTimeOffset.UtcNow.AddHours(1),
            createdBy = "Mallory",
            comment = "who am I",
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var silence = await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal("oc", silence.GetProperty("createdBy").GetString());
        using var expired = await _as[NetOpsRoles.Operator].DeleteAsync(new Uri($"api/silences/{silence.GetProperty("id").GetString()}?by=Mallory", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, expired.StatusCode);
        Assert.Equal("op", (await expired.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("expiredBy").GetString());
    }

    [Fact]
    public async Task FirstAdmin_PasswordPrintedOnce_FileOwnerOnly_AndChangedAtFirstLogin()
    {
        var file = Path.Combine(_host.EffectiveDataDirectory, "initial-admin-password");
        var password = (await File.ReadAllTextAsync(file)).Trim();
        Assert.True(password.Length >= 20, $"generated password of {password.Length} characters");
        Assert.True(OperatingSystem.IsWindows() || File.GetUnixFileMode(file) == (UnixFileMode.UserRead | UnixFileMode.UserWrite),
            "initial-admin-password readable by its owner only");
        Assert.Equal(1, CountOf(_host.Output, password));
        foreach (var log in Directory.GetFiles(_host.InventoryDirectory + "-logs"))
        {
            using var reader = new StreamReader(new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            Assert.DoesNotContain(password, await reader.ReadToEndAsync(), StringComparison.Ordinal);
        }

        // The generated password no longer works: the host's first login replaced it.
        var cookies = new CookieContainer();
        Assert.Contains("error=invalid", await LoginOnceAsync(cookies, "admin", password), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MustChangePassword_GivesNoSessionUntilChanged()
    {
        await CreateAccountAsync(_host, "fresh", NetOpsRoles.OnCall, mustChange: true);
        var cookies = new CookieContainer();
        var target = await LoginOnceAsync(cookies, "fresh", UserPassword);
        Assert.StartsWith("/change-password", target, StringComparison.Ordinal);
        using var client = Client(cookies);
        using (var before = await client.GetAsync(new Uri("api/state", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, before.StatusCode);
        }

        using (var login = Client(cookies))
        {
            Assert.Contains("error=mismatch", await AllInOneHost.PostFormAsync(login, target.TrimStart('/'), "account/change-password", new()
            {
                ["username"] = "fresh", ["current"] = UserPassword, ["new"] = "Another-password-2", ["confirm"] = "Another-password-3",
            }), StringComparison.Ordinal);
            Assert.Equal("/", await AllInOneHost.PostFormAsync(login, target.TrimStart('/'), "account/change-password", new()
            {
                ["username"] = "fresh", ["current"] = UserPassword, ["new"] = "Another-password-2", ["confirm"] = "Another-password-2",
            }));
        }

        using var after = await client.GetAsync(new Uri("api/state", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task LoginForm_InChromium_LeadsBackToThePageAsked()
    {
        var page = await _browser.Instance.NewPageAsync();
        await page.GotoAsync(new Uri(_host.BaseAddress, "topology").ToString());
        await page.WaitForURLAsync("**/login?returnUrl=*");
        await page.Locator("input[name=username]").FillAsync("co");
        await page.Locator("input[name=password]").FillAsync("wrong-password");
        await page.Locator("button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator(".account-error")).ToContainTextAsync("Wrong user or password");
        await page.Locator("input[name=username]").FillAsync("co");
        await page.Locator("input[name=password]").FillAsync(UserPassword);
        await page.Locator("button[type=submit]").ClickAsync();
        await page.WaitForURLAsync("**/topology");
        // The page is live (its circuit connected with the cookie): the header names the account.
        await Assertions.Expect(page.Locator("header.top form.logout button")).ToContainTextAsync("co", new() { Timeout = 20_000 });
        await page.Locator("header.top form.logout button").ClickAsync();
        await page.WaitForURLAsync("**/login?error=loggedout");
        await page.CloseAsync();
    }

    /// <summary>Creates an account in the host's database, as the CLI will (the host runs on; SQLite takes both).</summary>
    internal static Task CreateAccountAsync(AllInOneHost host, string name, string role, bool mustChange, IEnumerable<string>? events = null) =>
        WithAccountsAsync(host, services => services.GetRequiredService<Accounts>().CreateAsync(name, role, UserPassword, mustChange, events, CancellationToken.None));

    /// <summary>Runs <paramref name="action"/> with the account services over the host's database, in this process.</summary>
    internal static async Task WithAccountsAsync(AllInOneHost host, Func<IServiceProvider, Task> action)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = host.EffectiveDataDirectory,
        }).Build();
        await using var provider = new ServiceCollection().AddNetOpsAccountStore(configuration).BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        await action(scope.ServiceProvider);
    }

    private HttpClient Client(CookieContainer cookies) =>
        new(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = _host.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };

    private async Task<string> LoginOnceAsync(CookieContainer cookies, string name, string password)
    {
        using var client = Client(cookies);
        return await AllInOneHost.PostFormAsync(client, "login", "account/login", new() { ["username"] = name, ["password"] = password });
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static bool IsStaticFile(string pattern) =>
        Path.HasExtension(pattern.Split('/').Last()) && !pattern.Contains('{', StringComparison.Ordinal);

    /// <summary>
    /// Every endpoint the host's mapping code maps for the dashboard, the simulator and the logins, mapped here in-process
    /// by the same extension methods, so a new route is checked without this test naming it. An OpenID Connect provider is
    /// configured, so that its login route is mapped too (its callback is middleware, not an endpoint).
    /// </summary>
    private static List<RouteEndpoint> Endpoints()
    {
        var secret = Path.GetTempFileName();
        File.WriteAllText(secret, "route-test-secret");
        try
        {
            return Endpoints(secret);
        }
        finally
        {
            File.Delete(secret);
        }
    }

    private static List<RouteEndpoint> Endpoints(string oidcSecretFile)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = "NetOps.Host",
            ContentRootPath = RepoPaths.Output("NetOps.Host"),
        });
        builder.Configuration["Storage:DataDirectory"] = Path.Combine(Path.GetTempPath(), "netops-routes-" + Guid.NewGuid().ToString("N")[..8]);
        builder.Configuration["Security:Oidc:Authority"] = "https://id.example.org/realms/netops";
        builder.Configuration["Security:Oidc:ClientId"] = "netops";
        builder.Configuration["Security:Oidc:ClientSecretFile"] = oidcSecretFile;
        builder.Configuration["Security:Oidc:RoleClaim"] = "groups";
        builder.Services.AddSingleton(_ => (LiveStateView)null!);
        builder.Services.AddSingleton(_ => (IInventoryProvider)null!);
        builder.Services.AddSingleton(_ => (IHistoryReader)null!);
        builder.Services.AddSingleton(_ => (SimulatedFleet)null!);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddNetOpsDatabase(builder.Configuration);
        builder.Services.AddNetOpsSecurity(builder.Configuration);
        builder.Services.AddNetOpsDashboard();
        var app = builder.Build();
        app.MapNetOpsSecurity();
        app.MapNetOpsDashboard();
        app.MapNetOpsSimulatorApi();
        return [.. ((IEndpointRouteBuilder)app).DataSources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()];
    }
}

/// <summary>Lockout and the login rate limit, on a host of their own (they spend its login budget).</summary>
public sealed class LoginLimitTests : IAsyncLifetime
{
    // The fixture's own admin login takes 3 posts (wrong, generated, change); the test 6 more, then the limit.
    private readonly AllInOneHost _host = new("--Security:LoginAttemptsPerMinute", "10");

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task FiveFailures_LockTheAccount_AndTheRateLimitAnswers429()
    {
        await SecurityTests.CreateAccountAsync(_host, "victim", NetOpsRoles.Operator, mustChange: false);
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = _host.BaseAddress,
            Timeout = TimeSpan.FromSeconds(10),
        };
        for (var i = 0; i < 4; i++)
        {
            Assert.Contains("error=invalid", await AllInOneHost.PostFormAsync(client, "login", "account/login",
                new() { ["username"] = "victim", ["password"] = "Wrong-password-" + i }), StringComparison.Ordinal);
        }

        // The fifth failure locks the account; then the right password no longer helps: locked for five minutes.
        Assert.Contains("error=locked", await AllInOneHost.PostFormAsync(client, "login", "account/login",
            new() { ["username"] = "victim", ["password"] = "Wrong-password-4" }), StringComparison.Ordinal);
        Assert.Contains("error=locked", await AllInOneHost.PostFormAsync(client, "login", "account/login",
            new() { ["username"] = "victim", ["password"] = "Role-user-password-1" }), StringComparison.Ordinal);

        var answers = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add(await AllInOneHost.PostFormAsync(client, "login", "account/login", new() { ["username"] = "nobody", ["password"] = "x" }));
        }

        Assert.Equal("429", answers.Last());
    }
}
