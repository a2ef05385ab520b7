using System.Net;
using NetOps.Alerting.Delivery;
using NetOps.Core.Alerts;
using NetOps.Testing;
using static NetOps.Alerting.Tests.AlertHarness;

namespace NetOps.Alerting.Tests;

/// <summary>A real webhook (Kestrel) that answers 503 for a while: nothing is lost, and once it is back it gets everything in order.</summary>
public sealed class ReceiverOutageTests
{
    [Fact]
    public async Task WebhookDownForAWhile_GetsEverythingInOrderOnceBack()
    {
        await using var webhook = await HttpRecorder.StartAsync();
        webhook.Status = (int)HttpStatusCode.ServiceUnavailable;
        using var http = new HttpClient();
        var receiver = new WebhookReceiver(0, new WebhookReceiverOptions { Url = new Uri(webhook.Url, "hook") }, http, null, TimeSpan.FromSeconds(5));
        await using var alerts = await StartAsync(receivers: [receiver]);

        await alerts.SetAsync(AlertLifecycleTests.Cut(alerts));
        await alerts.StepAsync(TimeSpan.FromSeconds(1));
        await alerts.SetAsync([.. AllUp(alerts.Inventory.Current, alerts.Time.GetUtcNow())]);
        await alerts.StepAsync(TimeSpan.FromSeconds(1));
        await alerts.StepAsync(TimeSpan.FromSeconds(10));

        var failing = Assert.Single(alerts.Book.Receivers);
        Assert.False(failing.Healthy);
        Assert.Equal(2, failing.Pending);
        Assert.Contains("503", failing.LastError);
        var refused = webhook.Requests.Count;
        Assert.True(refused >= 2, $"{refused} attempts while down");

        webhook.Status = (int)HttpStatusCode.OK;
        // Back-off doubles from one second: a few minutes bring the next attempt.
        await alerts.StepAsync(TimeSpan.FromMinutes(5));
        await alerts.StepAsync(TimeSpan.FromMinutes(5));

        var taken = webhook.Requests.Skip(refused).Select(r => r.Json.GetProperty("status").GetString()).ToList();
        Assert.Equal(["firing", "resolved"], taken);
        var back = Assert.Single(alerts.Book.Receivers);
        Assert.True(back.Healthy);
        Assert.Equal(0, back.Pending);
    }

    [Fact]
    public async Task InventoryEdit_ChangesTheRulesAtTheNextStep_WithoutRestart()
    {
        await using var alerts = await StartAsync();
        await alerts.SetAsync(AlertLifecycleTests.Cut(alerts));
        await alerts.StepAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(AlertSeverity.Critical, Assert.Single(alerts.Book.Open).Severity);

        var rules = AlertPolicy.Default.Rules.Select(r => r.Name == "LinkDown" ? r with { Severity = AlertSeverity.Warning } : r).ToList();
        alerts.Inventory.Current = AlertFleet.Build(Start, AlertPolicy.Default with { Rules = rules });
        await alerts.StepAsync(TimeSpan.FromSeconds(1));

        var alert = Assert.Single(alerts.Book.Open);
        Assert.Equal((AlertSeverity.Warning, "warning"), (alert.Severity, alert.Labels[AlertLabels.Severity]));
    }
}
