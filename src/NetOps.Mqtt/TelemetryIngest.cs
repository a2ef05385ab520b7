using System.Buffers;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Protocol;
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
/// </summary>
public sealed class TelemetryIngest : IHostedService, IAsyncDisposable
{
    // The topics a shared group splits; status (retained) is never shared.
    private static readonly string[] SharedFilters = [MqttTopics.NodeTelemetryFilter, MqttTopics.SensorHeartbeatFilter, MqttTopics.SensorReadingFilter];

    private readonly MqttOptions _options;
    // Outer: accepted (in order per subject); inner: durable. A one-phase sink's accepted is durable.
    private readonly Func<Observation, CancellationToken, ValueTask<ValueTask>> _sink;
    private readonly INodeCatalog _catalog;
    /// <summary>Null when built without the container's metrics (tests, tools): nothing is counted then.</summary>
    private readonly MqttMetrics? _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly MqttPayloadParser _parser;
    private readonly SequenceTracker _sequences = new();
    private readonly RejectionLog _rejectionLog;
    private readonly IMqttClient _client;
    // Under the client: a connection's channel, so that a run of acknowledgements goes out in one send.
    private readonly CoalescingAdapterFactory _adapters = new();
    private readonly string? _password;
    private readonly Channel<DeadLetter>? _deadLetters;
    private CancellationTokenSource _stopping = new();
    private volatile TaskCompletionSource _subscribed = NewSignal();
    private volatile TaskCompletionSource _disconnected = NewSignal();
    private Task? _run;
    private Task? _deadLetterRun;

    // The group the telemetry topics are subscribed in right now (null: not shared, or not subscribed).
    private volatile string? _activeGroup;

    // While leaving a shared group: the private topic of the drain marker, and the signal that it came back.
    private volatile string? _drainTopic;
    private volatile TaskCompletionSource? _drained;

    // The connection messages arrive on now; a delivery is acknowledged only on the connection it came on.
    private volatile Connection _connection = new();

    // Received messages in arrival order, waiting for their acknowledgement; bounded by Mqtt:ReceiveMaximum.
    private volatile Channel<Delivery>? _deliveries;

    // Per subject (node, endpoint or camera id): the tail of its hand-overs, so that the next one waits for its acceptance.
    private readonly Dictionary<string, Chain> _chains = new(StringComparer.Ordinal);
    private readonly Lock _chainsGate = new();

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
        _sink = sink;
        _catalog = catalog ?? StaticNodeCatalog.AcceptAll;
        _metrics = metrics;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _parser = new MqttPayloadParser(options.ToParserOptions());
        _rejectionLog = new RejectionLog(_logger, _time, options.RejectionLogWindow);
        _password = options.ResolvePassword();
        if (options.DeadLetterTopic is not null)
        {
            _deadLetters = Channel.CreateBounded<DeadLetter>(new BoundedChannelOptions(options.DeadLetterQueueCapacity)
            {
                FullMode = BoundedChannelFullMode.Wait,
                SingleReader = true,
            });
        }

        _client = new MqttClientFactory().CreateMqttClient(new MqttNetLoggerAdapter(_logger), _adapters);
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        _client.DisconnectedAsync += _ =>
        {
            _disconnected.TrySetResult();
            return Task.CompletedTask;
        };
    }

    /// <summary>Delivers into a channel; the ingest waits (and so holds the acknowledgement) while it is full.</summary>
    public TelemetryIngest(MqttOptions options, ChannelWriter<Observation> sink, INodeCatalog? catalog = null,
        MqttMetrics? metrics = null, ILogger<TelemetryIngest>? logger = null, TimeProvider? timeProvider = null)
        : this(options, ToSink(sink), catalog, metrics, logger, timeProvider)
    {
    }

    /// <summary>Connected and subscribed right now.</summary>
    public bool IsConnected => _client.IsConnected && _subscribed.Task.IsCompletedSuccessfully;

    /// <summary>Completes once the ingest is connected and its subscriptions are in place.</summary>
    public Task WaitUntilSubscribedAsync(CancellationToken cancellationToken) => _subscribed.Task.WaitAsync(cancellationToken);

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
        var deliveries = Channel.CreateBounded<Delivery>(new BoundedChannelOptions(_options.ReceiveMaximum)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        _deliveries = deliveries;
        _run = Task.Run(() => RunAsync(deliveries, stopping), CancellationToken.None);
        if (_deadLetters is not null)
        {
            _deadLetterRun = Task.Run(() => ForwardDeadLettersAsync(_deadLetters.Reader, stopping), CancellationToken.None);
        }

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

        await LeaveSharedGroupAsync(cancellationToken).ConfigureAwait(false);
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
        _client.Dispose();
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

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task RunAsync(Channel<Delivery> deliveries, CancellationToken stopping)
    {
        var acknowledging = Task.Run(() => AcknowledgeInOrderAsync(deliveries.Reader), CancellationToken.None);
        var delay = _options.ReconnectMinDelay;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                _disconnected = NewSignal();
                _connection = new Connection();
                await ConnectAndSubscribeAsync(stopping).ConfigureAwait(false);
                delay = _options.ReconnectMinDelay;
                await _disconnected.Task.WaitAsync(stopping).ConfigureAwait(false);
                ResetSubscribed();
                _logger.LogWarning("MQTT connection to {Host}:{Port} lost; reconnecting", _options.Host, _options.Port);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                ResetSubscribed();
                _logger.LogWarning(e, "MQTT connection to {Host}:{Port} failed; retrying in {Delay}", _options.Host, _options.Port, delay);

                // Connected but not subscribed (a refused SUBSCRIBE) must not pass for a working connection: start over.
                await DisconnectAsync().ConfigureAwait(false);
            }

            try
            {
                await Task.Delay(Jitter(delay), _time, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.ReconnectMaxDelay.Ticks));
        }

        // What the sink finishes (it was handed the stop) is acknowledged before the connection closes; the rest is
        // delivered again at the next start.
        deliveries.Writer.TryComplete();
        await acknowledging.ConfigureAwait(false);
        await ConfirmAcknowledgementsAsync().ConfigureAwait(false);
        await DisconnectAsync().ConfigureAwait(false);
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

    private async Task ConnectAndSubscribeAsync(CancellationToken stopping)
    {
        _activeGroup = null;
        if (_client.IsConnected)
        {
            await DisconnectAsync().ConfigureAwait(false);
        }

        var clientOptions = MqttClientOptionsFactory.Create(_options.Host, _options.Port, _options.ClientId, _options.Username, _password,
                _options.ToBrokerTls(), _options.KeepAlive, _options.ConnectTimeout, out var validator)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)_options.SessionExpiry.TotalSeconds)
            .WithReceiveMaximum(_options.ReceiveMaximum)
            .Build();
        var connected = await MqttClientOptionsFactory.ConnectAsync(_client, clientOptions, validator, stopping).ConfigureAwait(false);
        if (connected.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"the broker refused the connection: {connected.ResultCode}");
        }

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

        var result = await _client.SubscribeAsync(subscribe.Build(), stopping).ConfigureAwait(false);
        foreach (var item in result.Items)
        {
            if (item.ResultCode is not (MqttClientSubscribeResultCode.GrantedQoS1 or MqttClientSubscribeResultCode.GrantedQoS0))
            {
                throw new InvalidOperationException($"the broker refused subscription {item.TopicFilter.Topic}: {item.ResultCode}");
            }
        }

        _activeGroup = group;
        _logger.LogInformation("MQTT ingest {ClientId} connected to {Host}:{Port} (session present: {SessionPresent}) and subscribed",
            _options.ClientId, _options.Host, _options.Port, connected.IsSessionPresent);
        _subscribed.TrySetResult();
    }

    private void ResetSubscribed()
    {
        if (_subscribed.Task.IsCompleted)
        {
            _subscribed = NewSignal();
        }
    }

    private async Task DisconnectAsync()
    {
        ResetSubscribed();
        _activeGroup = null;
        if (!_client.IsConnected)
        {
            return;
        }

        try
        {
            // A normal disconnect keeps the session: the broker queues QoS 1 messages until the next start.
            using var timeout = new CancellationTokenSource(_options.ConnectTimeout);
            await _client.DisconnectAsync(new MqttClientDisconnectOptions { Reason = MqttClientDisconnectOptionsReason.NormalDisconnection },
                timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogDebug(e, "MQTT disconnect was not clean");
        }
    }

    private TimeSpan Jitter(TimeSpan delay) =>
        delay + TimeSpan.FromTicks((long)(delay.Ticks * 0.2 * Random.Shared.NextDouble()));

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
        if (_drainTopic is { } drainTopic && string.Equals(message.Topic, drainTopic, StringComparison.Ordinal))
        {
            // Everything the broker queued for this session before the marker is ahead of it in the queue.
            await QueueAsync(deliveries, Delivery.Acknowledged(args, connection, isDrainMarker: true), stopping).ConfigureAwait(false);
            return;
        }

        var receivedAt = _time.GetUtcNow();
        var result = _parser.Parse(message.Topic, message.Payload, receivedAt, _catalog);
        _metrics?.Received(result.Kind);
        if (result.Rejection is { } rejection)
        {
            Reject(result.SubjectId, rejection.Reason, rejection.Field);
            DeadLetterOf(message.Topic, message.Payload, rejection.Reason, rejection.Field, receivedAt);
            await QueueAsync(deliveries, Delivery.Acknowledged(args, connection), stopping).ConfigureAwait(false);
            return;
        }

        if (result.Observation is not { } observation)
        {
            await QueueAsync(deliveries, Delivery.Acknowledged(args, connection), stopping).ConfigureAwait(false);
            return;
        }

        if (_sequences.IsReplay(observation.Source, observation.Sequence))
        {
            // A redelivery after a lost acknowledgement lands here too: acknowledged, never applied twice.
            Reject(result.SubjectId, MqttRejectionReason.Replayed, "seq");
            DeadLetterOf(message.Topic, message.Payload, MqttRejectionReason.Replayed, "seq", receivedAt);
            await QueueAsync(deliveries, Delivery.Acknowledged(args, connection), stopping).ConfigureAwait(false);
            return;
        }

        if (result.DeviceTimeRejected)
        {
            // Not a dead letter: the message is applied, with arrival time.
            Reject(result.SubjectId, MqttRejectionReason.BadTimestamp, "ts");
        }

        // Its place in the acknowledgement order first: a message the sink takes is always acknowledged, also when
        // the ingest stops right now (a new instance would apply it again otherwise).
        var delivery = new Delivery(args, connection);
        if (await QueueAsync(deliveries, delivery, stopping).ConfigureAwait(false))
        {
            HandOnInOrder(new Handover(result.SubjectId!, observation, message.Topic, receivedAt, connection, stopping), message, delivery);
        }
    }

    // False when the ingest stops first: the message is then neither handed on nor acknowledged.
    private static ValueTask<bool> QueueAsync(Channel<Delivery> deliveries, Delivery delivery, CancellationToken stopping)
    {
        return deliveries.Writer.TryWrite(delivery) ? ValueTask.FromResult(true) : WaitAndQueueAsync(deliveries, delivery, stopping);

        static async ValueTask<bool> WaitAndQueueAsync(Channel<Delivery> deliveries, Delivery delivery, CancellationToken stopping)
        {
            try
            {
                // Full: Mqtt:ReceiveMaximum messages wait for their acknowledgement, which a broker should not exceed.
                await deliveries.Writer.WriteAsync(delivery, stopping).ConfigureAwait(false);
                return true;
            }
            catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
            {
                return false;
            }
        }
    }

    /// <summary>Starts the hand-over of one observation behind the earlier ones of its subject; completes the delivery.</summary>
    private void HandOnInOrder(Handover handover, MqttApplicationMessage message, Delivery delivery)
    {
        var accepted = NewSignal();
        Chain? chain;
        Link previous;
        lock (_chainsGate)
        {
            if (!_chains.TryGetValue(handover.Subject, out chain))
            {
                chain = new Chain();
                _chains.Add(handover.Subject, chain);
            }

            chain.Pending++;
            previous = chain.Tail;
            chain.Tail = new Link(accepted.Task, delivery.Task, handover.Connection);
        }

        // Behind an earlier copy still on its way, a redelivery may turn out a replay only after this handler has
        // returned, when MQTTnet's payload is no longer ours: the dead letter needs its own copy.
        if (_deadLetters is not null && !(previous.Accepted.IsCompleted && previous.Durable.IsCompleted))
        {
            handover.Payload = message.Payload.ToArray();
        }

        _ = HandOnAfterAsync(previous, chain, handover, delivery, accepted);
    }

    private async Task HandOnAfterAsync(Link previous, Chain chain, Handover handover, Delivery delivery, TaskCompletionSource accepted)
    {
        var durable = false;
        try
        {
            // Neither faults: a delivery reports failure as false.
            await previous.Accepted.ConfigureAwait(false);
            var previousDurable = previous.Durable;
            if (!ReferenceEquals(previous.Connection, handover.Connection))
            {
                // A redelivery behind its earlier copy: the replay check must know whether that one became durable.
                // Whatever its outcome, it does not hold this connection's watermark back: the broker redelivers
                // from the first unacknowledged message on, so the subject's earlier ones come first here.
                await previousDurable.ConfigureAwait(false);
                previousDurable = Link.Done.Durable;
            }

            durable = await HandOnAsync(handover, accepted, previousDurable).ConfigureAwait(false);
        }
        finally
        {
            lock (_chainsGate)
            {
                if (--chain.Pending == 0 && _chains.TryGetValue(handover.Subject, out var current) && ReferenceEquals(current, chain))
                {
                    _chains.Remove(handover.Subject);
                }
            }

            // Durable before accepted: a one-phase hand-over lets the next one in only once it is marked applied, so
            // that a duplicate on the same connection is still dropped as a replay.
            delivery.TrySetResult(durable);
            accepted.TrySetResult();
        }
    }

    // True: acknowledge (durable, or a replay). False: leave unacknowledged, so that the broker delivers it again.
    // Signals accepted as soon as the sink accepted it, so that the subject's next message can follow before this
    // one is durable.
    private async Task<bool> HandOnAsync(Handover handover, TaskCompletionSource accepted, Task<bool> previousDurable)
    {
        var (observation, connection, stopping) = (handover.Observation, handover.Connection, handover.Stopping);
        if (connection.IsPoisoned || stopping.IsCancellationRequested)
        {
            // An earlier message of this connection failed (or the ingest stops): this one must not overtake it.
            return false;
        }

        if (_sequences.IsReplay(observation.Source, observation.Sequence))
        {
            // The earlier copy of a redelivery was still on its way at arrival, and has become durable since.
            Reject(handover.Subject, MqttRejectionReason.Replayed, "seq");
            DeadLetterOf(handover.Topic, new ReadOnlySequence<byte>(handover.Payload ?? []), MqttRejectionReason.Replayed, "seq", handover.ReceivedAt);
            return true;
        }

        try
        {
            var durable = await _sink(observation, stopping).ConfigureAwait(false);
            if (!durable.IsCompleted || !previousDurable.IsCompleted)
            {
                accepted.TrySetResult();
            }

            await durable.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Not marked applied: its redelivery is handed on again, not dropped as a replay. A failure of the stop
            // (the sink was cancelled) poisons nothing: what other subjects' sinks finish is still acknowledged, and
            // this subject's later messages are not acknowledged (the stop), so they stay behind this one.
            if (!stopping.IsCancellationRequested && connection.TryPoison())
            {
                _logger.LogError(e, "Observation sink failed; reconnecting so that the broker redelivers from {Source} seq {Sequence} on",
                    observation.Source, observation.Sequence);
                _ = Task.Run(ForceReconnectAsync, CancellationToken.None);
            }

            return false;
        }

        // The replay check counts what is durable, as a watermark without gaps: this one only after the subject's
        // earlier ones. Behind one that failed, it stays unmarked, so its redelivery reaches the sink again (the store
        // overwrites the same series and time, the state engine drops a (source, seq) it applied).
        if (!await previousDurable.ConfigureAwait(false))
        {
            return false;
        }

        _sequences.Applied(observation.Source, observation.Sequence);
        return true;
    }

    // MQTT 5 [MQTT-4.6.0-2]: a client sends PUBACKs in the order the PUBLISHes arrived, whatever order the sink
    // finished them in. After a sink failure nothing more is acknowledged on that connection: the broker redelivers
    // the failed message and everything after it; what became durable meanwhile (without gaps per subject) is then
    // dropped as a replay, the rest reaches the sink again.
    private async Task AcknowledgeInOrderAsync(ChannelReader<Delivery> reader)
    {
        while (true)
        {
            if (!reader.TryPeek(out var next))
            {
                if (!await reader.WaitToReadAsync().ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            // Waits uncorked: an acknowledgement is never held back waiting for the next message.
            await next.Task.ConfigureAwait(false);

            // Every delivery that is ready now is acknowledged in one send.
            var channel = _adapters.Current;
            channel?.Cork();
            try
            {
                while (reader.TryPeek(out var delivery) && delivery.Task.IsCompleted && reader.TryRead(out _))
                {
                    await AcknowledgeOneAsync(delivery).ConfigureAwait(false);
                }
            }
            finally
            {
                await UncorkAsync(channel).ConfigureAwait(false);
            }
        }
    }

    private async Task AcknowledgeOneAsync(Delivery delivery)
    {
        var durable = await delivery.Task.ConfigureAwait(false);
        if (!durable || delivery.Connection.IsPoisoned || !ReferenceEquals(delivery.Connection, _connection))
        {
            // An acknowledgement on a later connection could carry a packet id the broker has given another message.
            return;
        }

        await AcknowledgeAsync(delivery.Args).ConfigureAwait(false);
        if (delivery.IsDrainMarker)
        {
            _drained?.TrySetResult();
        }
    }

    private async Task UncorkAsync(CoalescingChannel? channel)
    {
        if (channel is null)
        {
            return;
        }

        try
        {
            await channel.UncorkAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The connection went away: the broker redelivers, and the replay check drops what was applied.
            _logger.LogDebug(e, "MQTT acknowledgements not sent");
        }
    }

    private void Reject(string? subject, MqttRejectionReason reason, string? field)
    {
        _metrics?.Rejected(reason);
        _rejectionLog.Rejected(subject, reason, field);
    }

    // Not cancelled by a stop: a message the sink took must be acknowledged, or the next start hands it on again.
    // A dead connection fails the send at once.
    private async Task AcknowledgeAsync(MqttApplicationMessageReceivedEventArgs args)
    {
        try
        {
            await args.AcknowledgeAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The connection went away: the broker redelivers, and the replay check drops what was applied.
            _logger.LogDebug(e, "MQTT acknowledgement not sent");
        }
    }

    private void DeadLetterOf(string topic, in ReadOnlySequence<byte> original, MqttRejectionReason reason, string? field, DateTimeOffset receivedAt)
    {
        if (_deadLetters is null)
        {
            return;
        }

        // An oversize payload is not copied: forwarding it would hand the flood on.
        var size = original.Length;
        var payload = size <= _options.MaxPayloadBytes ? original.ToArray() : [];
        if (!_deadLetters.Writer.TryWrite(new DeadLetter(topic, payload, size, reason, field, receivedAt)))
        {
            _metrics?.DeadLetter(forwarded: false);
        }
    }

    private async Task ForwardDeadLettersAsync(ChannelReader<DeadLetter> reader, CancellationToken stopping)
    {
        var prefix = _options.DeadLetterTopic!;
        try
        {
            while (await reader.WaitToReadAsync(stopping).ConfigureAwait(false))
            {
                while (reader.TryRead(out var letter))
                {
                    var forwarded = await TryForwardAsync(prefix, letter, stopping).ConfigureAwait(false);
                    _metrics?.DeadLetter(forwarded);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task<bool> TryForwardAsync(string prefix, DeadLetter letter, CancellationToken stopping)
    {
        if (!_client.IsConnected)
        {
            return false;
        }

        // The original topic and payload are untrusted text: they travel as data, never into a log line.
        var message = new MqttApplicationMessageBuilder()
            .WithTopic($"{prefix}/{letter.Reason.ToTag()}")
            .WithPayload(letter.Payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithUserProperty("reason", Utf8(letter.Reason.ToTag()))
            .WithUserProperty("field", Utf8(letter.Field ?? string.Empty))
            .WithUserProperty("topic", Utf8(letter.Topic))
            .WithUserProperty("size", Utf8(letter.Size.ToString(CultureInfo.InvariantCulture)))
            .WithUserProperty("received_at", Utf8(letter.ReceivedAt.ToString("O", CultureInfo.InvariantCulture)))
            .Build();
        try
        {
            var result = await _client.PublishAsync(message, stopping).ConfigureAwait(false);
            return result.IsSuccess || result.ReasonCode == MqttClientPublishReasonCode.NoMatchingSubscribers;
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            _logger.LogDebug(e, "Dead letter not forwarded");
            return false;
        }
    }

    private static ReadOnlyMemory<byte> Utf8(string value) => Encoding.UTF8.GetBytes(value);

    private async Task LeaveSharedGroupAsync(CancellationToken cancellationToken)
    {
        if (_activeGroup is not { } group || !_client.IsConnected)
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

            await _client.UnsubscribeAsync(unsubscribe.Build(), timeout.Token).ConfigureAwait(false);
            _activeGroup = null;

            // The broker still delivers what it had queued for this session. A marker on a private topic queues
            // behind those messages; once it comes back, all of them have been handled and acknowledged, and
            // the group's new messages already go to the other members.
            var topic = $"{MqttTopics.Root}/ingest/{Guid.NewGuid():N}/drain";
            _drained = NewSignal();
            _drainTopic = topic;
            await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(new MqttTopicFilterBuilder().WithTopic(topic).WithAtLeastOnceQoS().Build())
                .Build(), timeout.Token).ConfigureAwait(false);
            await _client.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(topic)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build(), timeout.Token).ConfigureAwait(false);
            await _drained.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
            await _client.UnsubscribeAsync(new MqttClientUnsubscribeOptionsBuilder().WithTopicFilter(topic).Build(), timeout.Token)
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

    private async Task ForceReconnectAsync()
    {
        try
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptions { Reason = MqttClientDisconnectOptionsReason.UnspecifiedError },
                CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogDebug(e, "MQTT disconnect after a sink failure was not clean");
        }
    }
}

/// <summary>A rejected message on its way to the dead-letter topic.</summary>
internal readonly record struct DeadLetter(string Topic, byte[] Payload, long Size, MqttRejectionReason Reason, string? Field, DateTimeOffset ReceivedAt);

/// <summary>A received message waiting in arrival order for its acknowledgement; its result true: acknowledge.</summary>
internal sealed class Delivery(MqttApplicationMessageReceivedEventArgs args, Connection connection, bool isDrainMarker = false)
    : TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    public MqttApplicationMessageReceivedEventArgs Args { get; } = args;

    public Connection Connection { get; } = connection;

    public bool IsDrainMarker { get; } = isDrainMarker;

    /// <summary>A message that needs no hand-over (rejected, ignored, the drain marker): acknowledged in its turn.</summary>
    public static Delivery Acknowledged(MqttApplicationMessageReceivedEventArgs args, Connection connection, bool isDrainMarker = false)
    {
        var delivery = new Delivery(args, connection, isDrainMarker);
        delivery.TrySetResult(true);
        return delivery;
    }
}

/// <summary>One MQTT connection of the ingest. A sink failure poisons it: nothing more is handed on or acknowledged on it.</summary>
internal sealed class Connection
{
    private int _poisoned;

    public bool IsPoisoned => Volatile.Read(ref _poisoned) != 0;

    /// <summary>Poisons the connection; true for the first caller only.</summary>
    public bool TryPoison() => Interlocked.Exchange(ref _poisoned, 1) == 0;
}

/// <summary>The hand-overs of one subject: the last one started, and how many have not finished.</summary>
internal sealed class Chain
{
    public Link Tail { get; set; } = Link.Done;

    public int Pending { get; set; }
}

/// <summary>One hand-over as the next of its subject sees it: accepted by the sink; durable (and marked applied), or not.</summary>
internal sealed record Link(Task Accepted, Task<bool> Durable, Connection? Connection)
{
    public static Link Done { get; } = new(Task.CompletedTask, Task.FromResult(true), null);
}

/// <summary>An observation on its way to the sink.</summary>
internal sealed record Handover(string Subject, Observation Observation, string Topic, DateTimeOffset ReceivedAt, Connection Connection,
    CancellationToken Stopping)
{
    /// <summary>A copy of the payload, kept only for a dead letter that may be needed after the handler returned.</summary>
    public byte[]? Payload { get; set; }
}
