using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Protocol;

namespace NetOps.Mqtt;

/// <summary>A message as a <see cref="MqttLink"/> hands it to its handler.</summary>
public readonly record struct MqttLinkMessage(string Topic, ReadOnlySequence<byte> Payload, bool Retained);

/// <summary>
/// A long-lived MQTT 5 connection for NetOps' own traffic (observations, state feed, presence): connects with
/// backoff, resubscribes after every reconnect (<see cref="MqttConnection"/>, as the ingest does), acknowledges a QoS 1
/// message only after its handler finished, and publishes QoS 1 messages once the broker accepted them.
/// </summary>
public sealed class MqttLink : IAsyncDisposable
{
    private readonly MqttLinkOptions _link;
    private readonly Func<MqttLinkMessage, CancellationToken, ValueTask>? _handler;
    private readonly ILogger _logger;
    private readonly MqttConnection _connection;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _run;
    private int _disposed;

    public MqttLink(MqttOptions options, MqttLinkOptions link, Func<MqttLinkMessage, CancellationToken, ValueTask>? handler = null,
        Func<MqttLink, CancellationToken, Task>? onConnected = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(link);
        _link = link;
        _handler = handler;
        _logger = logger ?? NullLogger.Instance;
        _connection = new MqttConnection(options, "link", link.PersistentSession, link.Will, SubscribeAsync, _logger,
            ready: onConnected is null ? null : cancellationToken => onConnected(this, cancellationToken));
        _connection.Client.ApplicationMessageReceivedAsync += OnMessageAsync;
    }

    public bool IsConnected => _connection.IsReady;

    /// <summary>Completes once connected and subscribed.</summary>
    public Task WaitConnectedAsync(CancellationToken cancellationToken) => _connection.WaitReadyAsync(cancellationToken);

    /// <summary>Starts the connection loop and returns at once.</summary>
    public void Start() => _run ??= Task.Run(() => _connection.RunAsync(_stopping.Token), CancellationToken.None);

    /// <summary>Publishes and, for QoS 1, returns once the broker acknowledged; waits for a connection first.</summary>
    public async Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain, CancellationToken cancellationToken,
        MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce)
    {
        while (true)
        {
            await WaitConnectedAsync(cancellationToken).ConfigureAwait(false);
            var message = new MqttApplicationMessageBuilder()
                .WithTopic(topic)
                .WithPayload(payload.ToArray())
                .WithQualityOfServiceLevel(qos)
                .WithRetainFlag(retain)
                .Build();
            try
            {
                var result = await _connection.Client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
                if (result.IsSuccess || result.ReasonCode == MqttClientPublishReasonCode.NoMatchingSubscribers)
                {
                    return;
                }

                throw new InvalidOperationException($"the broker refused a message on {topic}: {result.ReasonCode}");
            }
            catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or MQTTnet.Exceptions.MqttClientNotConnectedException
                                          && !cancellationToken.IsCancellationRequested)
            {
                // The connection dropped under us: wait for the next one and send again (QoS 1 is at least once).
                await Task.Yield();
            }
        }
    }

    private async Task SubscribeAsync(MqttClientConnectResult connected, CancellationToken stopping)
    {
        if (_link.Subscriptions.Count == 0)
        {
            return;
        }

        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var filter in _link.Subscriptions)
        {
            subscribe = subscribe.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        await _connection.SubscribeAsync(subscribe.Build(), stopping).ConfigureAwait(false);
    }

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs args)
    {
        if (_handler is null)
        {
            return;
        }

        args.AutoAcknowledge = !_link.ManualAcknowledge;
        try
        {
            await _handler(new MqttLinkMessage(args.ApplicationMessage.Topic, args.ApplicationMessage.Payload, args.ApplicationMessage.Retain),
                _stopping.Token).ConfigureAwait(false);
            if (_link.ManualAcknowledge)
            {
                await args.AcknowledgeAsync(_stopping.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Not acknowledged: drop the connection so the broker redelivers this message and those after it, in order.
            _logger.LogError(e, "Handling a message on {Topic} failed; reconnecting for redelivery", args.ApplicationMessage.Topic);
            _ = _connection.DropAsync();
        }
    }

    /// <summary>Stops; with <paramref name="graceful"/> false the connection is dropped so the broker publishes the will.</summary>
    public async Task StopAsync(bool graceful = true)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_run is not null)
        {
            await _run.ConfigureAwait(false);
        }

        if (graceful)
        {
            await _connection.DisconnectAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _connection.Dispose();
        _stopping.Dispose();
    }
}
