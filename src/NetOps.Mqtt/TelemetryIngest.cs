using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using NetOps.Core.Observations;
using NetOps.Mqtt.Parsing;

namespace NetOps.Mqtt;

/// <summary>
/// Subscribes to the contract's topics with a persistent MQTT 5 session and QoS 1, turns messages into
/// observations and hands each to the sink. A PUBLISH is acknowledged only after its observation is durable in the
/// sink (or after it was rejected), so a crash between receipt and commit makes the broker redeliver it. Pipelined:
/// the next message is taken while the sink still works on earlier ones (so a store can commit many in one
/// transaction); one subject's (node's, endpoint's, camera's) observations are accepted by the sink one at a time and
/// in order, and with an <see cref="ITwoPhaseObservationSink"/> the next is accepted before the previous is durable.
/// Acknowledgements go out in arrival order. Reconnects with backoff and resubscribes.
/// A member of a shared group leaves it cleanly on stop: it unsubscribes and handles what the broker had already
/// queued for it before it disconnects. Rejected messages can be forwarded to a dead-letter topic. Usable directly or
/// as a hosted service.
/// This class parses each message and dispatches it; the other jobs have their own types: the connection
/// (<see cref="MqttConnection"/>), the subscriptions and leaving a shared group (<see cref="IngestSubscriptions"/>), the
/// hand-over in order per subject (<see cref="SubjectHandovers"/>), acknowledgements in arrival order
/// (<see cref="DeliveryQueue"/>), rejections and dead letters (<see cref="IngestRejections"/>).
/// </summary>
public sealed class TelemetryIngest : IHostedService, IAsyncDisposable
{
    private readonly MqttOptions _options;
    private readonly INodeCatalog _catalog;
    /// <summary>Null when built without the container's metrics (tests, tools): nothing is counted then.</summary>
    private readonly MqttMetrics? _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly MqttPayloadParser _parser;
    private readonly SequenceTracker _sequences = new();
    private readonly IngestRejections _rejections;
    private readonly IngestSubscriptions _subscriptions;
    private readonly SubjectHandovers _handovers;
    // Connects, reconnects and resubscribes; its client is the ingest's.
    private readonly MqttConnection _mqtt;
    private readonly IMqttClient _client;
    // Under the client: a connection's channel, so that a run of acknowledgements goes out in one send.
    private readonly CoalescingAdapterFactory _adapters = new();
    private CancellationTokenSource _stopping = new();
    private Task? _run;
    private Task? _deadLetterRun;

    // The connection messages arrive on now; a delivery is acknowledged only on the connection it came on.
    private volatile Connection _connection = new();

    // Received messages in arrival order, waiting for their acknowledgement; bounded by Mqtt:ReceiveMaximum.
    private volatile DeliveryQueue? _deliveries;

    /// <summary>
    /// Delivers to <paramref name="sink"/>, which must take concurrent calls: observations of different subjects may be
    /// in it at the same time (one subject's never are). A message is acknowledged once its call completed.
    /// (Accepted is durable here; give an <see cref="ITwoPhaseObservationSink"/> to let a subject's next one in earlier.)
    /// </summary>
    public TelemetryIngest(MqttOptions options, Func<Observation, CancellationToken, ValueTask> sink, INodeCatalog? catalog = null,
        MqttMetrics? metrics = null, ILogger<TelemetryIngest>? logger = null, TimeProvider? timeProvider = null)
        : this(options, OnePhase(sink), catalog, metrics, logger, timeProvider)
    {
    }

    /// <summary>
    /// Delivers to <paramref name="sink"/>: an <see cref="ITwoPhaseObservationSink"/> in two steps (a subject's next
    /// observation once the previous one is accepted; acknowledged once durable), any other once its PublishAsync completed.
    /// </summary>
    public TelemetryIngest(MqttOptions options, IObservationSink sink, INodeCatalog? catalog = null,
        MqttMetrics? metrics = null, ILogger<TelemetryIngest>? logger = null, TimeProvider? timeProvider = null)
        : this(options, ToSink(sink), catalog, metrics, logger, timeProvider)
    {
    }

    private TelemetryIngest(MqttOptions options, Func<Observation, CancellationToken, ValueTask<ValueTask>> sink, INodeCatalog? catalog,
        MqttMetrics? metrics, ILogger<TelemetryIngest>? logger, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems), nameof(options));
        }

        _options = options;
        _catalog = catalog ?? StaticNodeCatalog.AcceptAll;
        _metrics = metrics;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _parser = new MqttPayloadParser(options.ToParserOptions());
        _rejections = new IngestRejections(options, _metrics, _logger, _time);
        _subscriptions = new IngestSubscriptions(options, _logger);
        _mqtt = new MqttConnection(options, "ingest", persistentSession: true, will: null,
            (connected, stopping) => _subscriptions.SubscribeAsync(_mqtt!, connected, stopping), _logger, _time,
            connecting: () =>
            {
                // Before the CONNECT: messages of the new connection may arrive before the subscriptions are back.
                _subscriptions.Reset();
                _connection = new Connection();
            },
            adapters: _adapters);
        _client = _mqtt.Client;
        _handovers = new SubjectHandovers(sink, _sequences, _rejections, _mqtt.DropAsync, _logger);
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
    }

    /// <summary>Delivers into a channel; the ingest waits (and so holds the acknowledgement) while it is full.</summary>
    public TelemetryIngest(MqttOptions options, ChannelWriter<Observation> sink, INodeCatalog? catalog = null,
        MqttMetrics? metrics = null, ILogger<TelemetryIngest>? logger = null, TimeProvider? timeProvider = null)
        : this(options, ToSink(sink), catalog, metrics, logger, timeProvider)
    {
    }

    /// <summary>Connected and subscribed right now.</summary>
    public bool IsConnected => _mqtt.IsReady;

    /// <summary>Completes once the ingest is connected and its subscriptions are in place.</summary>
    public Task WaitUntilSubscribedAsync(CancellationToken cancellationToken) => _mqtt.WaitReadyAsync(cancellationToken);

    /// <summary>Starts the connection loop and returns at once; a broker that is down is retried with backoff.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_run is not null)
        {
            return Task.CompletedTask;
        }

        if (_stopping.IsCancellationRequested)
        {
            _stopping.Dispose();
            _stopping = new CancellationTokenSource();
        }

        var stopping = _stopping.Token;
        var deliveries = new DeliveryQueue(_options.ReceiveMaximum, _adapters, () => _connection, _subscriptions.Drained, _logger);
        _deliveries = deliveries;
        _run = Task.Run(() => RunAsync(deliveries, stopping), CancellationToken.None);
        _deadLetterRun = Task.Run(() => _rejections.ForwardAsync(_client, stopping), CancellationToken.None);

        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops taking messages and disconnects; the broker keeps the session and queues for the next start.
    /// A member of a shared group first leaves the group, so that its share goes to the other members.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_run is null)
        {
            return;
        }

        await _subscriptions.LeaveSharedGroupAsync(_client, cancellationToken).ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _run.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (_deadLetterRun is not null)
            {
                await _deadLetterRun.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _run = null;
            _deadLetterRun = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _mqtt.Dispose();
        _stopping.Dispose();
    }

    private static Func<Observation, CancellationToken, ValueTask> ToSink(ChannelWriter<Observation> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        return writer.WriteAsync;
    }

    private static Func<Observation, CancellationToken, ValueTask<ValueTask>> ToSink(IObservationSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        return sink is ITwoPhaseObservationSink twoPhase ? twoPhase.AcceptAsync : OnePhase(sink.PublishAsync);
    }

    private static Func<Observation, CancellationToken, ValueTask<ValueTask>> OnePhase(Func<Observation, CancellationToken, ValueTask> sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        return async (observation, cancellationToken) =>
        {
            await sink(observation, cancellationToken).ConfigureAwait(false);
            return ValueTask.CompletedTask;
        };
    }

    private async Task RunAsync(DeliveryQueue deliveries, CancellationToken stopping)
    {
        var acknowledging = Task.Run(deliveries.AcknowledgeInOrderAsync, CancellationToken.None);
        await _mqtt.RunAsync(stopping).ConfigureAwait(false);

        // What the sink finishes (it was handed the stop) is acknowledged before the connection closes; the rest is
        // delivered again at the next start.
        deliveries.Complete();
        await acknowledging.ConfigureAwait(false);
        await ConfirmAcknowledgementsAsync().ConfigureAwait(false);
        _subscriptions.Reset();
        await _mqtt.DisconnectAsync().ConfigureAwait(false);
    }

    // The broker answers a PINGREQ after the packets before it, so once PINGRESP is back it has taken every PUBACK.
    // Without this a stop can lose them: the broker keeps sending into its window, closing the socket with those
    // unread makes it a reset, and a reset discards the PUBACKs the broker has not read yet (mosquitto then logs
    // "Broken pipe"); the next start would be handed those messages again.
    private async Task ConfirmAcknowledgementsAsync()
    {
        if (!_client.IsConnected)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(_options.ConnectTimeout);
            await _client.PingAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogDebug(e, "MQTT ping before the disconnect was not answered");
        }
    }

    // MQTTnet calls this for one message at a time, in arrival order. It queues the message for its acknowledgement
    // and returns without waiting for the sink: the hand-over runs behind the subject's earlier ones.
    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs args)
    {
        args.AutoAcknowledge = false;
        var connection = _connection;
        var deliveries = _deliveries;
        var stopping = _stopping.Token;
        if (connection.IsPoisoned || deliveries is null || stopping.IsCancellationRequested)
        {
            // Neither handed on nor acknowledged: the broker delivers it again after the reconnect or at the next start.
            return;
        }

        var message = args.ApplicationMessage;
        if (_subscriptions.IsDrainMarker(message.Topic))
        {
            // Everything the broker queued for this session before the marker is ahead of it in the queue.
            await deliveries.QueueAsync(Delivery.Acknowledged(args, connection, isDrainMarker: true), stopping).ConfigureAwait(false);
            return;
        }

        var receivedAt = _time.GetUtcNow();
        var result = _parser.Parse(message.Topic, message.Payload, receivedAt, _catalog);
        _metrics?.Received(result.Kind);
        if (result.Rejection is { } rejection)
        {
            _rejections.Reject(result.SubjectId, rejection.Reason, rejection.Field, message.Topic, message.Payload, receivedAt);
            await deliveries.QueueAsync(Delivery.Acknowledged(args, connection), stopping).ConfigureAwait(false);
            return;
        }

        if (result.Observation is not { } observation)
        {
            await deliveries.QueueAsync(Delivery.Acknowledged(args, connection), stopping).ConfigureAwait(false);
            return;
        }

        if (_sequences.IsReplay(observation.Source, observation.Sequence))
        {
            // A redelivery after a lost acknowledgement lands here too: acknowledged, never applied twice.
            _rejections.Reject(result.SubjectId, MqttRejectionReason.Replayed, "seq", message.Topic, message.Payload, receivedAt);
            await deliveries.QueueAsync(Delivery.Acknowledged(args, connection), stopping).ConfigureAwait(false);
            return;
        }

        if (result.DeviceTimeRejected)
        {
            // Not a dead letter: the message is applied, with arrival time.
            _rejections.Reject(result.SubjectId, MqttRejectionReason.BadTimestamp, "ts");
        }

        // Its place in the acknowledgement order first: a message the sink takes is always acknowledged, also when
        // the ingest stops right now (a new instance would apply it again otherwise).
        var delivery = new Delivery(args, connection);
        if (await deliveries.QueueAsync(delivery, stopping).ConfigureAwait(false))
        {
            _handovers.HandOnInOrder(new Handover(result.SubjectId!, observation, message.Topic, receivedAt, connection, stopping), message, delivery);
        }
    }
}
