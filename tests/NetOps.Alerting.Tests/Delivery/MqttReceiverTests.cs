using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;
using NetOps.Alerting.Delivery;
using NetOps.Core.Alerts;
using NetOps.Mqtt;
using NetOps.Testing;

namespace NetOps.Alerting.Tests.Delivery;

/// <summary>Against Debian's mosquitto, watched by a subscriber of the test.</summary>
public sealed class MqttReceiverTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly DateTimeOffset Start = new(2026, 5, 1, 10, 0, 0, TimeSpan.Zero);

    private Mosquitto _broker = null!;

    public async Task InitializeAsync() => _broker = await Mosquitto.StartAsync();

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task Notification_GoesToTheGroupTopic_AndEachAlertIsRetained_UntilResolved()
    {
        var alert = TestAlerts.Firing(Start, id: "0badc0de");
        var firing = TestAlerts.Notify("mqtt", NotificationKind.Firing, alert);
        await using var watcher = await Watcher.StartAsync(_broker, "netops/alerts/#");
        await using var receiver = Receiver(Broker(_broker.Port));

        await receiver.DeliverAsync(firing, CancellationToken.None);

        var groupTopic = "netops/alerts/__:_alertname=_LinkDown_,_subject=_link:core-acc-nord__";
        Assert.Equal(groupTopic, receiver.GroupTopic(firing.GroupKey));
        var group = await watcher.WaitForAsync(m => m.Topic == groupTopic, "the notification on its group's topic");
        Assert.False(group.Retain);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, group.QualityOfServiceLevel);
        var payload = JsonDocument.Parse(group.Payload).RootElement;
        Assert.Equal("4", payload.GetProperty("version").GetString());
        Assert.Equal(firing.GroupKey, payload.GetProperty("groupKey").GetString());
        Assert.Equal("mqtt", payload.GetProperty("receiver").GetString());
        Assert.Equal("firing", payload.GetProperty("status").GetString());

        // A display that starts now still sees the open alert.
        await using (var late = await Watcher.StartAsync(_broker, "netops/alerts/alerts/#"))
        {
            var retained = await late.WaitForAsync(m => m.Topic == "netops/alerts/alerts/0badc0de", "the alert's retained state");
            Assert.True(retained.Retain);
            var state = JsonDocument.Parse(retained.Payload).RootElement;
            Assert.Equal("firing", state.GetProperty("status").GetString());
            Assert.Equal(alert.Fingerprint, state.GetProperty("fingerprint").GetString());
            Assert.Equal("link:core-acc-nord", state.GetProperty("labels").GetProperty("subject").GetString());
        }

        await receiver.DeliverAsync(TestAlerts.Notify("mqtt", NotificationKind.Resolved, TestAlerts.Resolved(alert, Start.AddMinutes(2))),
            CancellationToken.None);

        var cleared = await watcher.WaitForAsync(m => m.Topic == "netops/alerts/alerts/0badc0de" && m.Payload.Length == 0, "the retained state cleared");
        Assert.Empty(cleared.Payload);
        var resolved = await watcher.WaitForAsync(m => m.Topic == groupTopic && Encoding.UTF8.GetString(m.Payload).Contains("\"resolved\"", StringComparison.Ordinal),
            "the resolved notification");
        Assert.Equal("resolved", JsonDocument.Parse(resolved.Payload).RootElement.GetProperty("status").GetString());

        // Nothing is retained for it any more. mosquitto sends a subscription's retained messages before it handles the
        // next SUBSCRIBE, so once the marker of the second subscription arrived, the first one's would have too.
        await PublishAsync(_broker, "netops/marker", "m", retain: true);
        await using var later = await Watcher.StartAsync(_broker, "netops/alerts/alerts/0badc0de", "netops/marker");
        await later.WaitForAsync(m => m.Topic == "netops/marker", "the retained marker");
        Assert.DoesNotContain(later.Messages, m => m.Topic == "netops/alerts/alerts/0badc0de");
    }

    [Fact]
    public async Task NoBroker_FailsTheDelivery_AndTheReceiverConnectsOnceTheBrokerIsBack()
    {
        await using var nowhere = Receiver(Broker(FreePort.Tcp()), timeout: TimeSpan.FromMilliseconds(500));
        var e = await Assert.ThrowsAsync<TimeoutException>(() =>
            nowhere.DeliverAsync(TestAlerts.Notify("mqtt", NotificationKind.Firing, TestAlerts.Firing(Start)), CancellationToken.None));
        Assert.Contains("mqtt", e.Message, StringComparison.Ordinal);

        await using var receiver = Receiver(Broker(_broker.Port));
        await receiver.DeliverAsync(TestAlerts.Notify("mqtt", NotificationKind.Firing, TestAlerts.Firing(Start, id: "before")), CancellationToken.None);
        await _broker.RestartAsync(graceful: false);

        // The restarted broker lost its connections; the receiver's link reconnects and the delivery waits for it.
        await using var again = await Watcher.StartAsync(_broker, "netops/alerts/alerts/#");
        await receiver.DeliverAsync(TestAlerts.Notify("mqtt", NotificationKind.Firing, TestAlerts.Firing(Start, id: "after")), CancellationToken.None);
        await again.WaitForAsync(m => m.Topic == "netops/alerts/alerts/after", "the alert published after the broker's restart");
    }

    [Theory]
    [InlineData("{}:{alertname=\"LinkDown\"}", "__:_alertname=_LinkDown__")]
    [InlineData("a/b+c#d e", "a_b_c_d_e")]
    [InlineData("", "e3b0c44298fc1c14")]
    public void TopicLevel_KeepsOneLevelWithoutWildcards(string key, string level)
    {
        Assert.Equal(level, MqttReceiver.TopicLevel(key));
    }

    [Fact]
    public void TopicLevel_CutsLongKeys_AndTellsThemApart()
    {
        var a = MqttReceiver.TopicLevel(new string('k', 300) + "a");
        var b = MqttReceiver.TopicLevel(new string('k', 300) + "b");

        Assert.Equal(120, a.Length);
        Assert.NotEqual(a, b);
    }

    private static MqttReceiver Receiver(MqttOptions broker, TimeSpan? timeout = null) =>
        new(broker, new MqttReceiverOptions { Enabled = true }, TestAlerts.ExternalUrl, timeout ?? Wait, clientId: $"alerts-{Guid.NewGuid():N}");

    private static MqttOptions Broker(int port) => new()
    {
        Host = "127.0.0.1",
        Port = port,
        Username = Mosquitto.Username,
        Password = Mosquitto.Password,
        ReconnectMinDelay = TimeSpan.FromMilliseconds(100),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
        ConnectTimeout = TimeSpan.FromSeconds(2),
    };

    private static async Task PublishAsync(Mosquitto broker, string topic, string payload, bool retain)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port)
            .WithCredentials(Mosquitto.Username, Mosquitto.Password).WithClientId($"marker-{Guid.NewGuid():N}").Build());
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await client.DisconnectAsync(new MqttClientDisconnectOptions());
    }

    /// <summary>A message as the watcher got it.</summary>
    private sealed record Received(string Topic, byte[] Payload, bool Retain, MqttQualityOfServiceLevel QualityOfServiceLevel);

    /// <summary>A subscriber of the test that keeps what it receives.</summary>
    private sealed class Watcher : IAsyncDisposable
    {
        private readonly IMqttClient _client;
        private readonly ConcurrentQueue<Received> _messages = new();

        private Watcher(IMqttClient client)
        {
            _client = client;
        }

        public IReadOnlyList<Received> Messages => [.. _messages];

        /// <summary>Connects and subscribes to each filter in turn, each SUBSCRIBE once the one before was acknowledged.</summary>
        public static async Task<Watcher> StartAsync(Mosquitto broker, params string[] filters)
        {
            var client = new MqttClientFactory().CreateMqttClient();
            var watcher = new Watcher(client);
            client.ApplicationMessageReceivedAsync += args =>
            {
                var message = args.ApplicationMessage;
                watcher._messages.Enqueue(new Received(message.Topic, message.Payload.ToArray(), message.Retain, message.QualityOfServiceLevel));
                return Task.CompletedTask;
            };
            await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port)
                .WithCredentials(Mosquitto.Username, Mosquitto.Password).WithClientId($"watcher-{Guid.NewGuid():N}").Build());
            foreach (var filter in filters)
            {
                await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).Build());
            }

            return watcher;
        }

        public async Task<Received> WaitForAsync(Func<Received, bool> predicate, string what) =>
            await Eventually.ValueAsync(() => Task.FromResult(_messages.FirstOrDefault(predicate)), Wait, what);

        public async ValueTask DisposeAsync()
        {
            if (_client.IsConnected)
            {
                await _client.DisconnectAsync(new MqttClientDisconnectOptions());
            }

            _client.Dispose();
        }
    }
}
