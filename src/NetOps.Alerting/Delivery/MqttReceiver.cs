using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetOps.Core.Alerts;
using NetOps.Mqtt;

namespace NetOps.Alerting.Delivery;

/// <summary>
/// Publishes notifications on the configured broker ("Mqtt") for field devices and displays: the webhook payload
/// (version 4) to <c>{Topic}/{group key}</c> with QoS 1, not retained, and each alert's current state retained under
/// <c>{Topic}/alerts/{id}</c>, so that a display that starts late still shows what is open; a resolved alert's retained
/// message is cleared (an empty retained payload). Connects on the first delivery through <see cref="MqttLink"/>, which
/// reconnects by itself; a delivery that finds no connection within the timeout fails and is retried by the dispatcher.
/// </summary>
public sealed class MqttReceiver : IAlertReceiver, IAsyncDisposable
{
    /// <summary>Group keys and ids longer than this are cut and told apart by a hash.</summary>
    private const int MaxTopicLevelChars = 120;

    private readonly MqttReceiverOptions _options;
    private readonly MqttOptions _broker;
    private readonly Uri? _externalUrl;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;
    private readonly MqttLink _link;
    private int _started;

    /// <param name="broker">The shared connection settings ("Mqtt"); the client id is the receiver's own.</param>
    /// <param name="options">The topic and whether this is an escalation receiver.</param>
    /// <param name="externalUrl">The dashboard's address, for <c>externalURL</c> and each alert's <c>generatorURL</c>.</param>
    /// <param name="timeout">How long one attempt may take, waiting for a connection included.</param>
    /// <param name="clientId">The client id; <c>netops-alerts-{machine}</c> by default.</param>
    /// <param name="logger">Where deliveries and the connection's changes are noted.</param>
    public MqttReceiver(MqttOptions broker, MqttReceiverOptions options, Uri? externalUrl, TimeSpan timeout, string? clientId = null,
        ILogger<MqttReceiver>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _broker = broker;
        _externalUrl = externalUrl;
        _timeout = timeout;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        // A clean session and no subscriptions: the receiver only publishes, and QoS 1 publishes wait for the broker's ack.
        _link = new MqttLink(broker with { ClientId = clientId ?? $"netops-alerts-{Environment.MachineName}" },
            new MqttLinkOptions { ManualAcknowledge = false }, logger: _logger);
    }

    public string Name => "mqtt";

    public string Kind => "mqtt";

    public bool EscalationOnly => _options.Escalation;

    public TimeSpan? RefreshEvery => null;

    /// <summary>Where a notification of group <paramref name="groupKey"/> is published.</summary>
    public string GroupTopic(string groupKey) => $"{_options.Topic}/{TopicLevel(groupKey)}";

    /// <summary>Where the state of alert <paramref name="id"/> is retained.</summary>
    public string AlertTopic(string id) => $"{_options.Topic}/alerts/{TopicLevel(id)}";

    public async Task DeliverAsync(Notification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _link.Start();
        }

        var payload = AlertmanagerPayload.Webhook(notification, Name, _externalUrl);
        await DeliveryDeadline.RunAsync($"{Name} ({_broker.Host}:{_broker.Port})", _timeout, async ct =>
        {
            await _link.PublishAsync(GroupTopic(notification.GroupKey), payload, retain: false, ct).ConfigureAwait(false);
            foreach (var alert in notification.Alerts)
            {
                var state = alert.IsOpen ? AlertmanagerPayload.Alert(alert, _externalUrl) : [];
                await _link.PublishAsync(AlertTopic(alert.Id), state, retain: true, ct).ConfigureAwait(false);
            }
        }, cancellationToken).ConfigureAwait(false);
        _logger.LogDebug("Notification {Notification} ({Alerts} alerts of group {GroupKey}) published to {Topic}",
            notification.Id, notification.Alerts.Count, notification.GroupKey, GroupTopic(notification.GroupKey));
    }

    public ValueTask DisposeAsync() => _link.DisposeAsync();

    /// <summary>
    /// One topic level from free text: '/' would open levels, '+' and '#' are wildcards, and control characters or
    /// spaces make topics hard to subscribe to by hand; all become '_'. Long keys are cut and keep a hash, so two
    /// groups do not share a topic because their keys begin alike.
    /// </summary>
    internal static string TopicLevel(string text)
    {
        var level = new StringBuilder(Math.Min(text.Length, MaxTopicLevelChars));
        foreach (var c in text)
        {
            level.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or ':' or '=' or ',' ? c : '_');
        }

        if (level.Length > MaxTopicLevelChars || level.Length == 0)
        {
            var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 8));
            return level.Length == 0 ? hash : $"{level.ToString(0, MaxTopicLevelChars - 17)}-{hash}";
        }

        return level.ToString();
    }
}
