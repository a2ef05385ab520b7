using System.Text.Json;
using NetOps.Alerting.Delivery;
using NetOps.Core.Alerts;
using NetOps.Testing;

namespace NetOps.Alerting.Tests.Delivery;

/// <summary>Against Debian's Alertmanager, which forwards its groups to a listener of the test as its webhook (version 4).</summary>
public sealed class AlertmanagerReceiverTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private readonly HttpClient _http = new();
    private HttpRecorder _forwarded = null!;
    private Alertmanager _alertmanager = null!;

    public async Task InitializeAsync()
    {
        _forwarded = await HttpRecorder.StartAsync();
        _alertmanager = await Alertmanager.StartAsync(new Uri(_forwarded.Url, "forwarded"));
    }

    public async Task DisposeAsync()
    {
        await _alertmanager.DisposeAsync();
        await _forwarded.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task Firing_IsActiveWithItsLabels_ThenResolvedIsNoLongerActive()
    {
        var now = DateTimeOffset.UtcNow;
        var firing = TestAlerts.Firing(now.AddSeconds(-30), subject: "link:core-acc-nord");
        var receiver = Receiver();

        await receiver.DeliverAsync(TestAlerts.Notify("alertmanager", NotificationKind.Firing, firing), CancellationToken.None);

        var active = await WaitForActiveAsync(a => Label(a, "subject") == "link:core-acc-nord", "the alert active in Alertmanager");
        Assert.Equal("active", active.GetProperty("status").GetProperty("state").GetString());
        Assert.Equal(firing.Labels.ToDictionary(), Map(active, "labels"));
        Assert.Equal("Link down", Map(active, "annotations")["summary"]);
        Assert.Equal($"https://netops.example.org/ops/alerts/{firing.Id}", active.GetProperty("generatorURL").GetString());
        // Open alerts end one resend horizon ahead: NetOps must post them again before that.
        var endsAt = active.GetProperty("endsAt").GetDateTimeOffset();
        Assert.InRange(endsAt, now + AlertmanagerReceiverOptions.DefaultResendHorizon - TimeSpan.FromMinutes(1),
            DateTimeOffset.UtcNow + AlertmanagerReceiverOptions.DefaultResendHorizon + TimeSpan.FromSeconds(1));

        var acknowledged = TestAlerts.Acknowledged(firing, "alice", DateTimeOffset.UtcNow);
        await receiver.DeliverAsync(TestAlerts.Notify("alertmanager", NotificationKind.Firing, acknowledged), CancellationToken.None);
        await WaitForActiveAsync(a => Label(a, "subject") == "link:core-acc-nord" && Map(a, "annotations").GetValueOrDefault("acknowledged_by") == "alice",
            "the acknowledged alert still active");
        Assert.Single(await AlertsAsync(), a => Label(a, "subject") == "link:core-acc-nord");

        var resolved = TestAlerts.Resolved(acknowledged, DateTimeOffset.UtcNow);
        await receiver.DeliverAsync(TestAlerts.Notify("alertmanager", NotificationKind.Resolved, resolved), CancellationToken.None);

        await Eventually.TrueAsync(async () => !(await AlertsAsync()).Any(a => Label(a, "subject") == "link:core-acc-nord"),
            Wait, "the alert no longer active in Alertmanager");
        Assert.Empty(_alertmanager.Errors);
    }

    [Fact]
    public async Task AlertmanagersOwnWebhook_HasExactlyTheFieldsNetOpsSends()
    {
        var firing = TestAlerts.Firing(DateTimeOffset.UtcNow.AddSeconds(-5), subject: "device:sw-kerwe-01", rule: "DeviceUnreachable");
        await Receiver().DeliverAsync(TestAlerts.Notify("alertmanager", NotificationKind.Firing, firing), CancellationToken.None);

        var forwarded = await _forwarded.WaitForAsync(r => r.Json.GetProperty("status").GetString() == "firing", Wait,
            "Alertmanager forwarding the group to its webhook");
        var ours = JsonDocument.Parse(AlertmanagerPayload.Webhook(TestAlerts.Notify("webhook-0", NotificationKind.Firing, firing), "webhook-0",
            TestAlerts.ExternalUrl)).RootElement;

        var theirs = forwarded.Json;
        Assert.Equal(Names(theirs), Names(ours));
        var theirAlert = Assert.Single(theirs.GetProperty("alerts").EnumerateArray());
        var ourAlert = Assert.Single(ours.GetProperty("alerts").EnumerateArray());
        Assert.Equal(Names(theirAlert), Names(ourAlert));
        // The values mean the same on both sides.
        Assert.Equal("4", theirs.GetProperty("version").GetString());
        Assert.Equal(Map(theirs, "groupLabels"), Map(ours, "groupLabels"));
        Assert.Equal(Map(theirs, "commonLabels"), Map(ours, "commonLabels"));
        Assert.Equal(Map(theirAlert, "labels"), Map(ourAlert, "labels"));
        Assert.Equal(theirAlert.GetProperty("endsAt").GetString(), ourAlert.GetProperty("endsAt").GetString());
        Assert.Equal(theirAlert.GetProperty("startsAt").GetDateTimeOffset(), ourAlert.GetProperty("startsAt").GetDateTimeOffset());
        Assert.Equal(theirAlert.GetProperty("generatorURL").GetString(), ourAlert.GetProperty("generatorURL").GetString());
        Assert.Empty(_alertmanager.Errors);
    }

    [Fact]
    public async Task RefusedAlert_FailsTheDelivery()
    {
        // Alertmanager refuses an alert without labels; the delivery must fail, not pass for delivered.
        var nameless = TestAlerts.Firing(DateTimeOffset.UtcNow) with { Labels = System.Collections.Immutable.ImmutableSortedDictionary<string, string>.Empty };

        var e = await Assert.ThrowsAsync<HttpRequestException>(() =>
            Receiver().DeliverAsync(TestAlerts.Notify("alertmanager", NotificationKind.Firing, nameless), CancellationToken.None));

        Assert.Equal(400, (int?)e.StatusCode);
    }

    private AlertmanagerReceiver Receiver() =>
        new(new AlertmanagerReceiverOptions { Url = _alertmanager.Url }, _http, TestAlerts.ExternalUrl, Wait);

    /// <summary>The alerts Alertmanager has that have not ended (its API leaves resolved ones out).</summary>
    private async Task<List<JsonElement>> AlertsAsync()
    {
        var json = await _http.GetStringAsync(new Uri(_alertmanager.Url, "api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true"));
        return [.. JsonDocument.Parse(json).RootElement.EnumerateArray()];
    }

    private async Task<JsonElement> WaitForActiveAsync(Func<JsonElement, bool> predicate, string what)
    {
        JsonElement found = default;
        await Eventually.TrueAsync(async () =>
        {
            foreach (var alert in await AlertsAsync())
            {
                if (alert.GetProperty("status").GetProperty("state").GetString() == "active" && predicate(alert))
                {
                    found = alert;
                    return true;
                }
            }

            return false;
        }, Wait, what);
        return found;
    }

    private static string? Label(JsonElement alert, string name) =>
        alert.GetProperty("labels").TryGetProperty(name, out var value) ? value.GetString() : null;

    private static Dictionary<string, string> Map(JsonElement element, string property) =>
        element.GetProperty(property).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);

    private static List<string> Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];
}
