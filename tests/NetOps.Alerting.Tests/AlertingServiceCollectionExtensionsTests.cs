using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NetOps.Alerting.Delivery;

namespace NetOps.Alerting.Tests;

public sealed class AlertingServiceCollectionExtensionsTests
{
    [Fact]
    public async Task EveryConfiguredReceiver_IsRegisteredUnderItsName()
    {
        await using var services = Build(new()
        {
            ["Alerting:ExternalUrl"] = "https://netops.example.org/",
            ["Alerting:Alertmanager:Url"] = "http://127.0.0.1:9093",
            ["Alerting:Webhooks:0:Url"] = "http://127.0.0.1:8080/hook",
            ["Alerting:Webhooks:1:Url"] = "https://pager.example.org/hook",
            ["Alerting:Webhooks:1:BearerCredential"] = "pager-token",
            ["Alerting:Webhooks:1:Escalation"] = "true",
            ["Alerting:Email:Host"] = "127.0.0.1",
            ["Alerting:Email:To:0"] = "noc@example.org",
            ["Alerting:Mqtt:Enabled"] = "true",
        });

        var receivers = services.GetServices<IAlertReceiver>().ToList();

        Assert.Equal(["alertmanager", "webhook-0", "webhook-1", "email", "mqtt"], receivers.Select(r => r.Name));
        Assert.Equal(["alertmanager", "webhook", "webhook", "email", "mqtt"], receivers.Select(r => r.Kind));
        Assert.Equal(["webhook-1"], receivers.Where(r => r.EscalationOnly).Select(r => r.Name));
    }

    [Fact]
    public async Task NothingConfigured_RegistersNoReceiver()
    {
        await using var services = Build([]);

        Assert.Empty(services.GetServices<IAlertReceiver>());
    }

    [Fact]
    public async Task AlertingDisabled_RegistersNoReceiver()
    {
        await using var services = Build(new() { ["Alerting:Enabled"] = "false", ["Alerting:Webhooks:0:Url"] = "http://127.0.0.1:8080/hook" });

        Assert.Empty(services.GetServices<IAlertReceiver>());
    }

    [Theory]
    [InlineData("Alerting:Webhooks:0:Url", "not a url", "Alerting:Webhooks:0:Url must be an absolute http(s) URL")]
    [InlineData("Alerting:Webhooks:0:Url", "ftp://files.example.org/hook", "Alerting:Webhooks:0:Url must be an absolute http(s) URL")]
    [InlineData("Alerting:Webhooks:0:BearerCredential", "token-without-url", "Alerting:Webhooks:0:Url must be an absolute http(s) URL")]
    [InlineData("Alerting:Alertmanager:Url", "/relative", "Alerting:Alertmanager:Url must be an absolute http(s) URL")]
    [InlineData("Alerting:ExternalUrl", "netops.example.org", "Alerting:ExternalUrl must be an absolute http(s) URL")]
    [InlineData("Alerting:Email:Host", "smtp.example.org", "Alerting:Email:To needs at least one address when Alerting:Email:Host is set")]
    [InlineData("Alerting:DeliveryTimeout", "00:00:00", "Alerting:DeliveryTimeout must be positive")]
    public void BadValue_IsRefusedNamingItsKey(string key, string value, string message)
    {
        using var services = Build(new() { [key] = value });

        var e = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<AlertingOptions>>().Value);

        Assert.Contains(message, e.Failures);
    }

    [Fact]
    public void BadMailAddressesAndTopic_AreRefusedNamingTheirKeys()
    {
        using var services = Build(new()
        {
            ["Alerting:Email:Host"] = "smtp.example.org",
            ["Alerting:Email:To:0"] = "noc@example.org",
            ["Alerting:Email:To:1"] = "not an address",
            ["Alerting:Email:From"] = "",
            ["Alerting:Mqtt:Enabled"] = "true",
            ["Alerting:Mqtt:Topic"] = "netops/alerts/#",
        });

        var e = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<AlertingOptions>>().Value);

        Assert.Contains("Alerting:Email:To:1 is not a mail address", e.Failures);
        Assert.Contains("Alerting:Email:From is not a mail address", e.Failures);
        Assert.Contains(e.Failures, f => f.StartsWith("Alerting:Mqtt:Topic must be a topic without wildcards", StringComparison.Ordinal));
        Assert.DoesNotContain(e.Failures, f => f.Contains("To:0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BadValue_StopsTheHostAtStart()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Alerting:Email:Host"] = "smtp.example.org" });
        builder.Services.AddNetOpsAlertReceivers(builder.Configuration, (_, _) => null);
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Alerting:Email:To needs at least one address when Alerting:Email:Host is set", e.Failures);
    }

    [Fact]
    public async Task Credentials_AreResolvedByNameThroughTheHostsResolver()
    {
        var asked = new List<string>();
        await using var services = Build(new()
        {
            ["Alerting:Webhooks:0:Url"] = "http://127.0.0.1:1/hook",
            ["Alerting:Webhooks:0:BearerCredential"] = "chat-hook",
        }, (_, name) =>
        {
            asked.Add(name);
            return null;
        });
        var receiver = Assert.Single(services.GetServices<IAlertReceiver>());

        // The resolver knows no such credential: the delivery fails naming it, before anything is sent.
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => receiver.DeliverAsync(
            Delivery.TestAlerts.Notify("webhook-0", Core.Alerts.NotificationKind.Firing, Delivery.TestAlerts.Firing(DateTimeOffset.UtcNow)),
            CancellationToken.None));

        Assert.Equal(["chat-hook"], asked);
        Assert.Contains("'chat-hook'", e.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(Dictionary<string, string?> values, Func<IServiceProvider, string, string?>? resolve = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddNetOpsAlertReceivers(configuration, resolve ?? ((_, _) => null));
        return services.BuildServiceProvider();
    }
}
