using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using NetOps.Testing;

namespace NetOps.Web.Tests;

/// <summary>
/// The all-in-one host with real alerting and one webhook receiver on a port nobody listens on (its deliveries fail, as
/// a receiver that is down does), and one Chromium; shared by the alerts browser tests, which run one after another and
/// leave the link restored and no silence behind.
/// </summary>
public sealed class AlertsDashboard : IAsyncLifetime
{
    public AllInOneHost Host { get; } = new("--Alerting:Webhooks:0:Url",
        $"http://127.0.0.1:{FreePort.Tcp().ToString(CultureInfo.InvariantCulture)}/hook");

    public Browser Browser { get; } = new();

    public Task InitializeAsync() => Task.WhenAll(Host.InitializeAsync(), Browser.InitializeAsync());

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        await Host.DisposeAsync();
    }
}

/// <summary>Alerts in a real browser: the page live, acknowledge and silence from the page, the header count, the detail page, the wall.</summary>
public sealed class AlertsBrowserTests(AlertsDashboard dashboard) : IClassFixture<AlertsDashboard>
{
    private const string LinkDown = ".alert-row[data-rule='LinkDown'][data-subject='link:core-acc-nord']";
    private static readonly TimeSpan Live = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AlertsPage_ShowsACutLive_IsAcknowledgedFromThePage_AndTheResolvedAlertMovesToHistory()
    {
        var page = await OpenAsync("alerts", "div.alerts");
        var firing = page.Locator("section.firing " + LinkDown);
        await Assertions.Expect(firing).ToHaveCountAsync(0, new() { Timeout = Ms(Live) });
        var count = page.Locator("header.top span.alert-count");
        await Assertions.Expect(count).ToHaveAttributeAsync("data-count", "0");

        await dashboard.Host.PostAsync("api/simulator/links/core-acc-nord/cut");
        try
        {
            // No reload: the row and the header's count arrive over the circuit.
            await Assertions.Expect(firing).ToHaveAttributeAsync("data-status", "firing", new() { Timeout = Ms(Live) });
            await Assertions.Expect(count).ToHaveAttributeAsync("data-count", "1");
            await Assertions.Expect(firing.Locator(".subject a")).ToHaveAttributeAsync("href", "links/core-acc-nord");
            // What stands behind the cut joins the row as the far side's polls go unanswered.
            await Assertions.Expect(firing.Locator(".affected")).ToContainTextAsync("behind it", new() { Timeout = Ms(Live) });
            // The webhook cannot be reached: the page says so on top.
            await Assertions.Expect(page.Locator(".banner.receiver-failing[data-receiver='webhook-0']")).ToContainTextAsync("refused",
                new() { Timeout = Ms(Live) });
            // And /readyz names it: alerting is degraded, with the receiver and its error.
            await Eventually.TrueAsync(async () =>
            {
                using var ready = JsonDocument.Parse(await dashboard.Host.Http.GetStringAsync(new Uri("readyz", UriKind.Relative)));
                var check = ready.RootElement.GetProperty("checks").GetProperty("alerting");
                return check.GetProperty("status").GetString() == "Degraded" &&
                       check.GetProperty("description").GetString()!.Contains("webhook-0", StringComparison.Ordinal);
            }, Live, "/readyz to show the failing webhook");
            var id = (await firing.GetAttributeAsync("data-alert-id"))!;

            await firing.Locator("button.acknowledge").ClickAsync();
            var form = firing.Locator("form.ack-form");
            await form.Locator("input.comment").FillAsync("fibre crew on the way");
            await form.Locator("button.confirm").ClickAsync();

            var acknowledged = page.Locator($"section.acknowledged .alert-row[data-alert-id='{id}']");
            await Assertions.Expect(acknowledged).ToHaveAttributeAsync("data-status", "acknowledged", new() { Timeout = Ms(Live) });
            await Assertions.Expect(acknowledged.Locator(".ack-by")).ToHaveTextAsync("admin");
            await Assertions.Expect(acknowledged.Locator(".ack-comment")).ToContainTextAsync("fibre crew on the way");
            await Assertions.Expect(firing).ToHaveCountAsync(0);
            await Assertions.Expect(count).ToHaveAttributeAsync("data-count", "0");
            await Assertions.Expect(page.Locator("section.audit tr[data-action='acknowledged']").First).ToContainTextAsync("admin",
                new() { Timeout = Ms(Live) });
            // The name is remembered in this browser for the next form.
            Assert.Equal("admin", await page.EvaluateAsync<string>("() => localStorage.getItem('netops.operator')"));
            await Screenshot(page, "alerts");

            var receivers = await dashboard.Host.Http.GetFromJsonAsync<JsonElement>(new Uri("api/alerts/receivers", UriKind.Relative));
            var webhook = receivers.EnumerateArray().Single(r => r.GetProperty("name").GetString() == "webhook-0");
            Assert.Equal("webhook", webhook.GetProperty("kind").GetString());
            Assert.False(webhook.GetProperty("healthy").GetBoolean());
            Assert.False(webhook.TryGetProperty("url", out _), "a receiver's settings are not listed");

            await dashboard.Host.PostAsync("api/simulator/links/core-acc-nord/restore");
            await Assertions.Expect(page.Locator($"section.open .alert-row[data-alert-id='{id}']")).ToHaveCountAsync(0, new() { Timeout = Ms(Live) });
            await Assertions.Expect(page.Locator($"section.history .alert-row[data-alert-id='{id}']")).ToHaveAttributeAsync("data-status", "resolved",
                new() { Timeout = Ms(Live) });
        }
        finally
        {
            await RestoreAsync();
        }
    }

    [Fact]
    public async Task DetailPageAndWall_ShowTheFiringAlert_SilencedFromTheDetailPage_AndExpiredOnTheAlertsPage()
    {
        var wall = await OpenAsync("topology?wall=1", "div.topology.wall");
        var onWall = wall.Locator("div.wall-alerts .wall-alert[data-rule='LinkDown'][data-subject='link:core-acc-nord']");
        await Assertions.Expect(onWall).ToHaveCountAsync(0, new() { Timeout = Ms(Live) });

        await dashboard.Host.PostAsync("api/simulator/links/core-acc-nord/cut");
        try
        {
            await Assertions.Expect(onWall).ToBeVisibleAsync(new() { Timeout = Ms(Live) });
            await Assertions.Expect(onWall.Locator(".since")).ToContainTextAsync("since");

            var detail = await OpenAsync("links/core-acc-nord", "div.detail");
            var row = detail.Locator("section.entity-alerts " + LinkDown);
            await Assertions.Expect(row).ToHaveAttributeAsync("data-status", "firing", new() { Timeout = Ms(Live) });
            var id = (await row.GetAttributeAsync("data-alert-id"))!;

            await row.Locator("button.silence").ClickAsync();
            var form = row.Locator("form.silence-form");
            var matchers = await form.Locator("textarea.matchers").InputValueAsync();
            Assert.Contains("alertname=\"LinkDown\"", matchers, StringComparison.Ordinal);
            Assert.Contains("subject=\"link:core-acc-nord\"", matchers, StringComparison.Ordinal);
            await form.Locator("select.duration").SelectOptionAsync("4h");
            await form.Locator("input.comment").FillAsync("splicing the fibre");
            await form.Locator("button.confirm").ClickAsync();

            await Assertions.Expect(row).ToHaveAttributeAsync("data-silenced", "true", new() { Timeout = Ms(Live) });
            // Silenced is not firing: the wall drops it without a reload.
            await Assertions.Expect(onWall).ToHaveCountAsync(0, new() { Timeout = Ms(Live) });

            var alerts = await OpenAsync("alerts", "div.alerts");
            await Assertions.Expect(alerts.Locator($"section.silenced .alert-row[data-alert-id='{id}']")).ToBeVisibleAsync();
            var silence = alerts.Locator("section.silences tr[data-silence-id]").Filter(new() { HasText = "splicing the fibre" });
            await Assertions.Expect(silence).ToHaveAttributeAsync("data-state", "active");
            await Assertions.Expect(silence.Locator("td.matchers")).ToContainTextAsync("subject=\"link:core-acc-nord\"");

            await silence.Locator("button.expire").ClickAsync();
            await silence.Locator("form.expire-form button.confirm").ClickAsync();
            await Assertions.Expect(silence).ToHaveCountAsync(0, new() { Timeout = Ms(Live) });
            await Assertions.Expect(alerts.Locator($"section.firing .alert-row[data-alert-id='{id}']")).ToBeVisibleAsync(new() { Timeout = Ms(Live) });
            await Assertions.Expect(onWall).ToBeVisibleAsync(new() { Timeout = Ms(Live) });
        }
        finally
        {
            await RestoreAsync();
        }
    }

    /// <summary>The link back up, its alert resolved and no silence left: the next test starts from a quiet fleet.</summary>
    private async Task RestoreAsync()
    {
        var http = dashboard.Host.Http;
        await dashboard.Host.PostAsync("api/simulator/links/core-acc-nord/restore");
        foreach (var silence in (await http.GetFromJsonAsync<JsonElement>(new Uri("api/silences", UriKind.Relative))).EnumerateArray())
        {
            using var expired = await http.DeleteAsync(new Uri($"api/silences/{silence.GetProperty("id").GetString()}?by=test", UriKind.Relative));
        }

        await Eventually.TrueAsync(async () =>
            (await http.GetFromJsonAsync<JsonElement>(new Uri("api/alerts", UriKind.Relative))).GetArrayLength() == 0, Live, "no open alert after the restore");
    }

    private async Task<IPage> OpenAsync(string path, string ready)
    {
        var page = await dashboard.Host.NewPageAsync(dashboard.Browser.Instance, new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(new Uri(dashboard.Host.BaseAddress, path).ToString());
        // Prerendered HTML is not interactive: wait for the circuit's first render.
        await Assertions.Expect(page.Locator(ready)).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = Ms(Live) });
        Assert.Empty(errors);
        return page;
    }

    /// <summary>The alerts page goes to docs/screenshots, where the README can show it.</summary>
    private static async Task Screenshot(IPage page, string name)
    {
        var folder = Path.Combine(RepoPaths.Root, "docs", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }

    private static float Ms(TimeSpan span) => (float)span.TotalMilliseconds;
}
