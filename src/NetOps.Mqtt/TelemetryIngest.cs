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
/// observations and hands each to the sink. A PUBLISH is acknowledged only after the sink accepted its
/// observation (or after it was rejected), so a crash between receipt and hand-over makes the broker
/// redeliver it. Reconnects with backoff and resubscribes. A member of a shared group leaves it cleanly on stop:
/// it unsubscribes and handles what the broker had already queued for it before it disconnects. Rejected messages
/// can be forwarded to a dead-letter topic. Usable directly or as a hosted service.
/// </summary>
public sealed class TelemetryIngest : IHostedService, IAsyncDisposable
{
    // The topics a shared group splits; status is never shared.
    private static readonly string[] SharedFilters = [MqttTopics.NodeTelemetryFilter, MqttTopics.SensorHeartbeatFilter, MqttTopics.SensorReadingFilter];

    private readonly MqttOptions _options;
    private readonly Func<Observation, CancellationToken, ValueTask> _sink;
    private readonly INodeCatalog _catalog;
    private readonly MqttMetrics _metrics;
    private readonly bool _ownsMetrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly MqttPayloadParser _parser;
    private readonly SequenceTracker _sequences = new();
    private readonly RejectionLog _rejectionLog;
    private readonly IMqttClient _client;
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

    // Set when the sink failed for a message of this connection: later messages of the same connection are
    // neither handed on nor acknowledged, so the broker redelivers all of them, in order, after the reconnect.
    private volatile bool _poisoned;

    public TelemetryIngest(MqttOptions options, Func<Observation, CancellationToken, ValueTask> sink, INodeCatalog? catalog = null,
        MqttMetrics? metrics = null, ILogger<TelemetryIngest>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sink);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems), nameof(options));
        }

        _options = options;
        _sink = sink;
        _catalog = catalog ?? StaticNodeCatalog.AcceptAll;
        _ownsMetrics = metrics is null;
        _metrics = metrics ?? new MqttMetrics();
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

        _client = new MqttClientFactory().CreateMqttClient(new MqttNetLoggerAdapter(_logger));
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

    /// <summary>Delivers to the pipeline's <see cref="IObservationSink"/>; acknowledges once its PublishAsync completed.</summary>
    public TelemetryIngest(MqttOptions options, IObservationSink sink, INodeCatalog? catalog = null,
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
        _run = Task.Run(() => RunAsync(stopping), CancellationToken.None);
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
        if (_ownsMetrics)
        {
            _metrics.Dispose();
        }
    }

    private static Func<Observation, CancellationToken, ValueTask> ToSink(ChannelWriter<Observation> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        return writer.WriteAsync;
    }

    private static Func<Observation, CancellationToken, ValueTask> ToSink(IObservationSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        return sink.PublishAsync;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task RunAsync(CancellationToken stopping)
    {
        var delay = _options.ReconnectMinDelay;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                _disconnected = NewSignal();
                _poisoned = false;
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

        await DisconnectAsync().ConfigureAwait(false);
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

        // Presence is never shared: MQTT 5 sends no retained messages to shared subscriptions, and every
        // instance must learn which nodes are offline. The state engine applies each (source, seq) once.
        subscribe.WithTopicFilter(new MqttTopicFilterBuilder()
            .WithTopic(MqttTopics.NodeStatusFilter)
            .WithAtLeastOnceQoS()
            .WithRetainHandling(MqttRetainHandling.SendAtSubscribeIfNewSubscriptionOnly)
            .Build());

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

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs args)
    {
        args.AutoAcknowledge = false;
        if (_poisoned)
        {
            return;
        }

        var stopping = _stopping.Token;
        var message = args.ApplicationMessage;
        if (_drainTopic is { } drainTopic && string.Equals(message.Topic, drainTopic, StringComparison.Ordinal))
        {
            // Everything the broker queued for this session before the marker has been handled.
            await AcknowledgeAsync(args).ConfigureAwait(false);
            _drained?.TrySetResult();
            return;
        }

        var receivedAt = _time.GetUtcNow();
        var result = _parser.Parse(message.Topic, message.Payload, receivedAt, _catalog);
        _metrics.Received(result.Kind);
        if (result.Rejection is { } rejection)
        {
            Reject(result.SubjectId, rejection.Reason, rejection.Field);
            DeadLetterOf(message, rejection.Reason, rejection.Field, receivedAt);
            await AcknowledgeAsync(args).ConfigureAwait(false);
            return;
        }

        if (result.Observation is not { } observation)
        {
            await AcknowledgeAsync(args).ConfigureAwait(false);
            return;
        }

        if (_sequences.IsReplay(observation.Source, observation.Sequence))
        {
            // A redelivery after a lost acknowledgement lands here too: acknowledged, never applied twice.
            Reject(result.SubjectId, MqttRejectionReason.Replayed, "seq");
            DeadLetterOf(message, MqttRejectionReason.Replayed, "seq", receivedAt);
            await AcknowledgeAsync(args).ConfigureAwait(false);
            return;
        }

        if (result.DeviceTimeRejected)
        {
            // Not a dead letter: the message is applied, with arrival time.
            Reject(result.SubjectId, MqttRejectionReason.BadTimestamp, "ts");
        }

        try
        {
            await _sink(observation, stopping).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _poisoned = true;
            if (!stopping.IsCancellationRequested)
            {
                _logger.LogError(e, "Observation sink failed; reconnecting so that the broker redelivers from {Source} seq {Sequence} on",
                    observation.Source, observation.Sequence);
                _ = Task.Run(ForceReconnectAsync, CancellationToken.None);
            }

            return;
        }

        _sequences.Applied(observation.Source, observation.Sequence);
        await AcknowledgeAsync(args).ConfigureAwait(false);
    }

    private void Reject(string? subject, MqttRejectionReason reason, string? field)
    {
        _metrics.Rejected(reason);
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

    private void DeadLetterOf(MqttApplicationMessage message, MqttRejectionReason reason, string? field, DateTimeOffset receivedAt)
    {
        if (_deadLetters is null)
        {
            return;
        }

        // An oversize payload is not copied: forwarding it would hand the flood on.
        var size = message.Payload.Length;
        var payload = size <= _options.MaxPayloadBytes ? message.Payload.ToArray() : [];
        if (!_deadLetters.Writer.TryWrite(new DeadLetter(message.Topic, payload, size, reason, field, receivedAt)))
        {
            _metrics.DeadLetter(forwarded: false);
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
                    _metrics.DeadLetter(await TryForwardAsync(prefix, letter, stopping).ConfigureAwait(false));
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
