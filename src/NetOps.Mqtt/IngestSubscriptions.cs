using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;

namespace NetOps.Mqtt;

/// <summary>
/// The ingest's subscriptions: telemetry, heartbeat and reading in the shared group when there is one (and the broker
/// offers shared subscriptions), node and camera presence never shared; and leaving the group on stop, so that what the
/// broker had queued for this member is handled before it disconnects (docs/mqtt.md, "Shared subscriptions").
/// </summary>
internal sealed class IngestSubscriptions(MqttOptions options, ILogger logger)
{
    // The topics a shared group splits; status (retained) is never shared.
    private static readonly string[] SharedFilters = [MqttTopics.NodeTelemetryFilter, MqttTopics.SensorHeartbeatFilter, MqttTopics.SensorReadingFilter];

    private readonly MqttOptions _options = options;
    private readonly ILogger _logger = logger;

    // The group the telemetry topics are subscribed in right now (null: not shared, or not subscribed).
    private volatile string? _activeGroup;

    // While leaving a shared group: the private topic of the drain marker, and the signal that it came back.
    private volatile string? _drainTopic;
    private volatile TaskCompletionSource? _drained;

    /// <summary>Not subscribed (any more): before a new connection, after the last one.</summary>
    public void Reset() => _activeGroup = null;

    /// <summary>The marker that comes back once the broker delivered what it had queued for this member.</summary>
    public bool IsDrainMarker(string topic) => _drainTopic is { } drainTopic && string.Equals(topic, drainTopic, StringComparison.Ordinal);

    /// <summary>The drain marker was acknowledged: everything queued before it was handled.</summary>
    public void Drained() => _drained?.TrySetResult();

    // On every connection, also when the broker says the session is present (a broker that lost it would otherwise
    // leave the ingest connected without subscriptions).
    public async Task SubscribeAsync(MqttConnection mqtt, MqttClientConnectResult connected, CancellationToken stopping)
    {
        var group = _options.SharedGroup;
        if (group is not null && !connected.SharedSubscriptionAvailable)
        {
            // Better every instance sees every message (the state engine applies each (source, seq) once)
            // than none subscribes at all.
            _logger.LogError("MQTT broker at {Host}:{Port} does not offer shared subscriptions; subscribing without group {Group}, so the load is not split",
                _options.Host, _options.Port, group);
            group = null;
        }

        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var filter in SharedFilters)
        {
            subscribe.WithTopicFilter(new MqttTopicFilterBuilder()
                .WithTopic(MqttTopics.Shared(filter, group))
                .WithAtLeastOnceQoS()
                .Build());
        }

        // Presence (of nodes and cameras) is never shared: MQTT 5 sends no retained messages to shared subscriptions,
        // and every instance must learn which are offline. The state engine applies each (source, seq) once.
        foreach (var filter in (string[])[MqttTopics.NodeStatusFilter, MqttTopics.CameraStatusFilter])
        {
            subscribe.WithTopicFilter(new MqttTopicFilterBuilder()
                .WithTopic(filter)
                .WithAtLeastOnceQoS()
                .WithRetainHandling(MqttRetainHandling.SendAtSubscribeIfNewSubscriptionOnly)
                .Build());
        }

        await mqtt.SubscribeAsync(subscribe.Build(), stopping).ConfigureAwait(false);
        _activeGroup = group;
    }

    public async Task LeaveSharedGroupAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        if (_activeGroup is not { } group || !client.IsConnected)
        {
            return;
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.ConnectTimeout);
            var unsubscribe = new MqttClientUnsubscribeOptionsBuilder();
            foreach (var filter in SharedFilters)
            {
                unsubscribe.WithTopicFilter(MqttTopics.Shared(filter, group));
            }

            await client.UnsubscribeAsync(unsubscribe.Build(), timeout.Token).ConfigureAwait(false);
            _activeGroup = null;

            // The broker still delivers what it had queued for this session. A marker on a private topic queues
            // behind those messages; once it comes back, all of them have been handled and acknowledged, and
            // the group's new messages already go to the other members.
            var topic = $"{MqttTopics.Root}/ingest/{Guid.NewGuid():N}/drain";
            _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _drainTopic = topic;
            await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(new MqttTopicFilterBuilder().WithTopic(topic).WithAtLeastOnceQoS().Build())
                .Build(), timeout.Token).ConfigureAwait(false);
            await client.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(topic)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build(), timeout.Token).ConfigureAwait(false);
            await _drained.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
            await client.UnsubscribeAsync(new MqttClientUnsubscribeOptionsBuilder().WithTopicFilter(topic).Build(), timeout.Token)
                .ConfigureAwait(false);
            _logger.LogInformation("MQTT ingest {ClientId} left shared group {Group} and handled what was queued for it",
                _options.ClientId, group);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // What stays queued in the session is delivered when this instance starts again (same ClientId).
            _logger.LogWarning(e, "MQTT ingest {ClientId} could not leave shared group {Group} cleanly", _options.ClientId, group);
        }
        finally
        {
            _drainTopic = null;
        }
    }
}
