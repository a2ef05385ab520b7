using System.Net;
using System.Text.Json;
using NetOps.Alerting.Delivery;
using NetOps.Core.Alerts;
using NetOps.Testing;

namespace NetOps.Alerting.Tests.Delivery;

public sealed class WebhookReceiverTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly DateTimeOffset Start = new(2026, 5, 1, 10, 0, 0, TimeSpan.Zero);

    private readonly HttpClient _http = new();
    private HttpRecorder _listener = null!;

    public async Task InitializeAsync() => _listener = await HttpRecorder.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _listener.DisposeAsync();
    }

    [Fact]
    public async Task Firing_PostsAlertmanagersVersion4Payload()
    {
        var alert = TestAlerts.Firing(Start.AddMilliseconds(250), id: "a1b2c3");
        var notification = TestAlerts.Notify("webhook-0", NotificationKind.Firing, alert);

        await Receiver().DeliverAsync(notification, CancellationToken.None);

        var request = Assert.Single(_listener.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/hooks/netops", request.Path);
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        Assert.Null(request.Authorization);
        var json = request.Json;
        Assert.Equal("4", json.GetProperty("version").GetString());
        Assert.Equal(notification.GroupKey, json.GetProperty("groupKey").GetString());
        Assert.Equal(0, json.GetProperty("truncatedAlerts").GetInt32());
        Assert.Equal("firing", json.GetProperty("status").GetString());
        Assert.Equal("webhook-0", json.GetProperty("receiver").GetString());
        Assert.Equal(new Dictionary<string, string> { ["alertname"] = "LinkDown", ["subject"] = "link:core-acc-nord" }, Map(json, "groupLabels"));
        Assert.Equal(alert.Labels.ToDictionary(), Map(json, "commonLabels"));
        Assert.Equal(alert.Annotations.ToDictionary(), Map(json, "commonAnnotations"));
        Assert.Equal("https://netops.example.org/ops/", json.GetProperty("externalURL").GetString());
        var sent = Assert.Single(json.GetProperty("alerts").EnumerateArray());
        Assert.Equal("firing", sent.GetProperty("status").GetString());
        Assert.Equal(alert.Labels.ToDictionary(), Map(sent, "labels"));
        Assert.Equal(alert.Annotations.ToDictionary(), Map(sent, "annotations"));
        Assert.Equal("2026-05-01T10:00:00.25Z", sent.GetProperty("startsAt").GetString());
        Assert.Equal("0001-01-01T00:00:00Z", sent.GetProperty("endsAt").GetString());
        Assert.Equal("https://netops.example.org/ops/alerts/a1b2c3", sent.GetProperty("generatorURL").GetString());
        Assert.Equal(alert.Fingerprint, sent.GetProperty("fingerprint").GetString());
    }

    [Fact]
    public async Task Resolved_SaysResolvedWithTheEnd()
    {
        var alert = TestAlerts.Resolved(TestAlerts.Firing(Start), Start.AddMinutes(3));

        await Receiver(external: false).DeliverAsync(TestAlerts.Notify("webhook-0", NotificationKind.Resolved, alert), CancellationToken.None);

        var json = Assert.Single(_listener.Requests).Json;
        Assert.Equal("resolved", json.GetProperty("status").GetString());
        Assert.Equal("", json.GetProperty("externalURL").GetString());
        var sent = Assert.Single(json.GetProperty("alerts").EnumerateArray());
        Assert.Equal("resolved", sent.GetProperty("status").GetString());
        Assert.Equal("2026-05-01T10:03:00Z", sent.GetProperty("endsAt").GetString());
        Assert.Equal("", sent.GetProperty("generatorURL").GetString());
    }

    [Fact]
    public async Task Group_FiresWhileOneAlertIsOpen_AndSharesOnlyWhatAllHave()
    {
        var north = TestAlerts.Acknowledged(TestAlerts.Firing(Start, subject: "link:core-acc-nord"), "alice", Start.AddMinutes(1), "on it");
        var south = TestAlerts.Resolved(TestAlerts.Firing(Start, subject: "link:core-acc-sued"), Start.AddMinutes(2));

        await Receiver().DeliverAsync(TestAlerts.Notify("webhook-0", NotificationKind.Firing, north, south), CancellationToken.None);

        var json = Assert.Single(_listener.Requests).Json;
        Assert.Equal("firing", json.GetProperty("status").GetString());
        Assert.Equal(new Dictionary<string, string> { ["alertname"] = "LinkDown" }, Map(json, "groupLabels"));
        Assert.False(Map(json, "commonLabels").ContainsKey("subject"));
        Assert.Equal("critical", Map(json, "commonLabels")["severity"]);
        Assert.False(Map(json, "commonAnnotations").ContainsKey("acknowledged_by"));
        var alerts = json.GetProperty("alerts").EnumerateArray().ToList();
        // Acknowledged is still firing, as Alertmanager has it; who took it on travels as annotations, labels stay.
        Assert.Equal(["firing", "resolved"], alerts.Select(a => a.GetProperty("status").GetString()));
        Assert.Equal(north.Labels.ToDictionary(), Map(alerts[0], "labels"));
        Assert.Equal("alice", Map(alerts[0], "annotations")["acknowledged_by"]);
        Assert.Equal("2026-05-01T10:01:00Z", Map(alerts[0], "annotations")["acknowledged_at"]);
        Assert.Equal("on it", Map(alerts[0], "annotations")["acknowledgement_comment"]);
    }

    [Fact]
    public async Task BearerCredential_IsSentAsBearerToken_AndNeverLogged()
    {
        const string token = "hook-token-Zq8v";
        var logger = new CapturingLogger<WebhookReceiver>();
        var receiver = Receiver(new WebhookReceiverOptions { Url = new Uri(_listener.Url, "hooks/netops"), BearerCredential = "chat-hook" },
            resolve: name => name == "chat-hook" ? token : throw new InvalidOperationException($"credential '{name}' is not defined"),
            logger: logger);
        _listener.Status = 401;
        _listener.ResponseBody = "no";

        await Assert.ThrowsAsync<HttpRequestException>(() =>
            receiver.DeliverAsync(TestAlerts.Notify("webhook-0", NotificationKind.Firing, TestAlerts.Firing(Start)), CancellationToken.None));
        _listener.Status = 200;
        await receiver.DeliverAsync(TestAlerts.Notify("webhook-0", NotificationKind.Firing, TestAlerts.Firing(Start)), CancellationToken.None);

        Assert.All(_listener.Requests, r => Assert.Equal($"Bearer {token}", r.Authorization));
        Assert.NotEmpty(logger.Entries);
        Assert.DoesNotContain(logger.Entries, e => e.Text.Contains(token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ServerError_FailsTheDeliveryWithStatusAndExcerpt()
    {
        _listener.Status = 500;
        _listener.ResponseBody = "template error:\n  line 3 " + new string('x', 1000);

        var e = await Assert.ThrowsAsync<HttpRequestException>(() =>
            Receiver().DeliverAsync(TestAlerts.Notify("webhook-0", NotificationKind.Firing, TestAlerts.Firing(Start)), CancellationToken.None));

        Assert.Equal(HttpStatusCode.InternalServerError, e.StatusCode);
        Assert.Contains("500", e.Message, StringComparison.Ordinal);
        Assert.Contains("template error: line 3 xxx", e.Message, StringComparison.Ordinal);
        Assert.True(e.Message.Length < 400, e.Message);
    }

    [Fact]
    public async Task NoAnswer_FailsAsATimeout()
    {
        _listener.Hang = true;

        var e = await Assert.ThrowsAsync<TimeoutException>(() =>
            Receiver(timeout: TimeSpan.FromMilliseconds(300))
                .DeliverAsync(TestAlerts.Notify("webhook-0", NotificationKind.Firing, TestAlerts.Firing(Start)), CancellationToken.None));

        Assert.Contains("webhook-0", e.Message, StringComparison.Ordinal);
    }

    private WebhookReceiver Receiver(WebhookReceiverOptions? options = null, TimeSpan? timeout = null,
        Func<string, string>? resolve = null, CapturingLogger<WebhookReceiver>? logger = null, bool external = true) =>
        new(0, options ?? new WebhookReceiverOptions { Url = new Uri(_listener.Url, "hooks/netops") }, _http,
            external ? TestAlerts.ExternalUrl : null, timeout ?? Wait, resolve, logger);

    private static Dictionary<string, string> Map(JsonElement element, string property) =>
        element.GetProperty(property).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
}
