using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NetOps.Core.Security;
using NetOps.Database;
using NetOps.Testing;

namespace NetOps.Web.Tests;

/// <summary>
/// A coordinator's scope on the real host: the account "co" is assigned to the Kerwe (nodes mogli-01 to mogli-03, their
/// switches, ports, cameras and sensors); the fixed network, the uplinks into it and the other events are out of it.
/// </summary>
public sealed partial class SecurityTests
{
    private const string CoordinatorEvent = "kerwe";

    private static readonly TimeSpan ScopeLive = TimeSpan.FromSeconds(30);

    /// <summary>Every entity of the Kerwe's part of the demo fleet: its nodes, their switches, ports and endpoints.</summary>
    private static readonly Regex KerweEntity = new(@"^(node|device|port|endpoint):mogli-0[123](\b|-sw\b)", RegexOptions.CultureInvariant);

    [Fact]
    public async Task Coordinator_State_HoldsTheirEventOnly()
    {
        var all = await EntitiesAsync(_as["admin"]);
        var mine = await EntitiesAsync(_as["coordinator"]);

        Assert.Contains("node:mogli-01", mine);
        Assert.Contains("endpoint:mogli-03-cam2", mine);
        Assert.Contains("port:mogli-02-sw/ge-0/0/1", mine);
        Assert.All(mine, e => Assert.Matches(KerweEntity, e));
        // Everything of the Kerwe the whole view holds, and nothing else.
        Assert.Equal(all.Where(e => KerweEntity.IsMatch(e)).Order(StringComparer.Ordinal), mine.Order(StringComparer.Ordinal));
        Assert.Contains("link:core-acc-nord", all);
        Assert.Contains("node:mogli-04", all);
    }

    [Fact]
    public async Task Coordinator_Inventory_HoldsTheirEventOnly()
    {
        var inventory = await _as["coordinator"].GetFromJsonAsync<JsonElement>(new Uri("api/inventory", UriKind.Relative));

        Assert.Equal([CoordinatorEvent], Ids(inventory, "events"));
        Assert.Empty(Ids(inventory, "sites"));
        Assert.Empty(Ids(inventory, "links"));
        Assert.Equal(["mogli-01", "mogli-02", "mogli-03"], Ids(inventory, "nodes"));
        Assert.Equal(["mogli-01-sw", "mogli-02-sw", "mogli-03-sw"], Ids(inventory, "devices"));
        Assert.All(Ids(inventory, "endpoints"), e => Assert.StartsWith("mogli-0", e, StringComparison.Ordinal));
        Assert.DoesNotContain(Ids(inventory, "endpoints"), e => e.StartsWith("mogli-04", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("api/history/node/battery_pct?event=kerwe", HttpStatusCode.OK)]
    [InlineData("api/history/node/battery_pct?node=mogli-02", HttpStatusCode.OK)]
    [InlineData("api/history/port/rx_dbm?device=mogli-01-sw", HttpStatusCode.OK)]
    [InlineData("api/history/node/battery_pct", HttpStatusCode.Forbidden)]
    [InlineData("api/history/node/battery_pct?event=altstadtfest", HttpStatusCode.Forbidden)]
    [InlineData("api/history/node/battery_pct?node=mogli-04", HttpStatusCode.Forbidden)]
    [InlineData("api/history/port/rx_dbm?device=core-rathaus", HttpStatusCode.Forbidden)]
    [InlineData("api/history/port/rx_dbm?port=Te1/1/1", HttpStatusCode.Forbidden)]
    public async Task Coordinator_History_OnlyWithAFilterInTheirEvent(string path, HttpStatusCode expected)
    {
        using var response = await _as["coordinator"].GetAsync(new Uri(path, UriKind.Relative));
        Assert.True(expected == response.StatusCode, $"/{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        using var asOnCall = await _as["oncall"].GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, asOnCall.StatusCode);
    }

    /// <summary>
    /// Two open pages of the coordinator (the topology and the Kerwe's coverage) record every text and attribute the
    /// circuit writes into them; the fixed network and another event change, then a Kerwe camera: the camera's change
    /// arrives, and nothing of the others ever reached either page.
    /// </summary>
    [Fact]
    public async Task Coordinator_LivePages_NeverReceiveWhatIsOutOfScope()
    {
        var context = await _browser.Instance.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        await context.AddCookiesAsync(fixture.CookiesOf["co"].GetAllCookies().Select(c => new Microsoft.Playwright.Cookie { Name = c.Name, Value = c.Value, Url = _host.BaseAddress.ToString() }));
        // Installed before any page script: every node and attribute value the page ever holds, from its first byte.
        await context.AddInitScriptAsync("""
            window.__seen = [];
            new MutationObserver(records => {
              for (const r of records) {
                if (r.type === 'attributes') window.__seen.push(r.target.getAttribute(r.attributeName) || '');
                for (const n of r.addedNodes) window.__seen.push(n.nodeType === 1 ? n.outerHTML : (n.textContent || ''));
                if (r.type === 'characterData') window.__seen.push(r.target.textContent || '');
              }
            }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
            """);
        var topology = await context.NewPageAsync();
        var coverage = await context.NewPageAsync();
        try
        {
            await topology.GotoAsync(new Uri(_host.BaseAddress, "topology").ToString());
            await coverage.GotoAsync(new Uri(_host.BaseAddress, "events/" + CoordinatorEvent).ToString());
            await Assertions.Expect(topology.Locator("div.topology")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = Ms(ScopeLive) });
            await Assertions.Expect(coverage.Locator("div.coverage")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = Ms(ScopeLive) });

            await _host.PostAsync("api/simulator/links/core-acc-nord/cut");
            await _host.PostAsync("api/simulator/endpoints/mogli-04-cam1/unplug");
            await Eventually.TrueAsync(async () => await _host.StateOfAsync("link:core-acc-nord") == "down"
                && await _host.StateOfAsync("endpoint:mogli-04-cam1") == "down", ScopeLive, "the cut and the unplug reach the live view");
            // After the others: when this change is on both pages, the others had their chance to be shown.
            await _host.PostAsync("api/simulator/endpoints/mogli-01-cam1/unplug");
            await Assertions.Expect(coverage.Locator("tr[data-entity='endpoint:mogli-01-cam1']")).ToHaveAttributeAsync("data-state", "down", new() { Timeout = Ms(ScopeLive) });
            await Eventually.TrueAsync(async () => (await SeenAsync(topology)).Contains("Kerwe", StringComparison.Ordinal), ScopeLive, "the topology shows the Kerwe");

            foreach (var page in new[] { topology, coverage })
            {
                // The Kerwe's own uplinks by id (the pages name a node's uplink kind, "fibre" in data-uplink, which is no link).
                var seen = await SeenAsync(page) + await page.ContentAsync();
                foreach (var outside in new[] { "core-acc-nord", "core-rathaus", "mogli-04", "mogli-05", "mogli-06", "Martinsplatz", "Altstadtfest",
                    "mogli-01-uplink", "mogli-02-uplink", "mogli-03-uplink" })
                {
                    Assert.False(seen.Contains(outside, StringComparison.OrdinalIgnoreCase), $"{page.Url} showed '{outside}'");
                }
            }
        }
        finally
        {
            await _host.PostAsync("api/simulator/links/core-acc-nord/restore");
            await _host.PostAsync("api/simulator/endpoints/mogli-04-cam1/restore");
            await _host.PostAsync("api/simulator/endpoints/mogli-01-cam1/restore");
            await context.CloseAsync();
        }
    }

    /// <summary>
    /// Two open pages, each of its own account: one account is removed, the other loses its role. Within the default
    /// revalidation interval of one minute (and the time a check takes) both pages are at the login, saying why.
    /// </summary>
    [Fact]
    public async Task OpenPages_OfARemovedAccountOrRole_GoToTheLoginWithinAMinute()
    {
        await CreateAccountAsync(_host, "leaver", NetOpsRoles.Operator, mustChange: false);
        await CreateAccountAsync(_host, "demoted", NetOpsRoles.OnCall, mustChange: false);
        var pages = new List<IPage>();
        try
        {
            foreach (var name in new[] { "leaver", "demoted" })
            {
                var cookies = new CookieContainer();
                Assert.Equal("/", await _host.LogInAsync(cookies, name, UserPassword));
                var context = await _browser.Instance.NewContextAsync();
                await context.AddCookiesAsync(cookies.GetAllCookies().Select(c => new Microsoft.Playwright.Cookie { Name = c.Name, Value = c.Value, Url = _host.BaseAddress.ToString() }));
                var page = await context.NewPageAsync();
                await page.GotoAsync(new Uri(_host.BaseAddress, "topology").ToString());
                await Assertions.Expect(page.Locator("div.topology")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = Ms(ScopeLive) });
                pages.Add(page);
            }

            var changedAt = DateTime.UtcNow;
            await WithAccountsAsync(_host, async services =>
            {
                var users = services.GetRequiredService<UserManager<NetOpsUser>>();
                Assert.True((await users.DeleteAsync((await users.FindByNameAsync("leaver"))!)).Succeeded);
                Assert.True((await users.RemoveFromRoleAsync((await users.FindByNameAsync("demoted"))!, NetOpsRoles.OnCall)).Succeeded);
            });

            foreach (var page in pages)
            {
                await page.WaitForURLAsync("**/login?error=ended", new() { Timeout = 75_000 });
                await Assertions.Expect(page.Locator(".account-error")).ToContainTextAsync("session ended");
            }

            Assert.True(DateTime.UtcNow - changedAt < TimeSpan.FromSeconds(75), $"took {DateTime.UtcNow - changedAt}");
        }
        finally
        {
            foreach (var page in pages)
            {
                await page.Context.CloseAsync();
            }
        }
    }

    /// <summary>
    /// A login through the reverse proxy (TLS at the proxy, X-Forwarded-For and -Proto from loopback): the session cookie is
    /// Secure and the audit names the client's address, not the proxy's.
    /// </summary>
    [Fact]
    public async Task BehindTheProxy_TheCookieIsSecure_AndTheAuditNamesTheClient()
    {
        await CreateAccountAsync(_host, "proxied", NetOpsRoles.OnCall, mustChange: false);
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = _host.BaseAddress,
            Timeout = TimeSpan.FromSeconds(10),
        };
        var html = await client.GetStringAsync(new Uri("login", UriKind.Relative));
        var token = Regex.Match(html, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value;
        using var post = new HttpRequestMessage(HttpMethod.Post, new Uri("account/login", UriKind.Relative))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token,
                ["username"] = "proxied",
                ["password"] = UserPassword,
                ["returnUrl"] = "/",
            }),
        };
        post.Headers.Add("X-Forwarded-For", "203.0.113.7");
        post.Headers.Add("X-Forwarded-Proto", "https");
        using var response = await client.SendAsync(post);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var session = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("netops.auth=", StringComparison.Ordinal));
        Assert.Contains("secure", session, StringComparison.OrdinalIgnoreCase);
        var audit = await _as["admin"].GetFromJsonAsync<JsonElement>(new Uri("api/audit?actor=proxied&action=login", UriKind.Relative));
        Assert.Equal("203.0.113.7", audit.GetProperty("entries").EnumerateArray().First().GetProperty("address").GetString());
    }

    private static async Task<string> SeenAsync(IPage page) => string.Join("\n", await page.EvaluateAsync<string[]>("() => window.__seen"));

    private static async Task<List<string>> EntitiesAsync(HttpClient client)
    {
        var state = await client.GetFromJsonAsync<JsonElement>(new Uri("api/state", UriKind.Relative));
        return [.. state.GetProperty("states").EnumerateArray().Select(s => s.GetProperty("entity").GetString()!)];
    }

    private static List<string> Ids(JsonElement inventory, string section) =>
        [.. inventory.GetProperty(section).EnumerateArray().Select(e => e.GetProperty("id").GetString()!).Order(StringComparer.Ordinal)];

    private static float Ms(TimeSpan span) => (float)span.TotalMilliseconds;
}
