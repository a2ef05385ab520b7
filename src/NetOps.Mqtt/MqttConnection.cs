using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Protocol;

namespace NetOps.Mqtt;

/// <summary>
/// Keeps one MQTT 5 client connected for its owner (<see cref="MqttLink"/>, <see cref="TelemetryIngest"/>): connects
/// with <see cref="MqttOptions"/> (TLS and credentials through <see cref="MqttClientOptionsFactory"/>, keep-alive,
/// Receive Maximum, a persistent session or a clean one, a will), retries with exponential backoff and jitter, runs the
/// owner's subscribe step on every connection (also when the broker says the session is present: a broker that lost it,
/// e.g. after a crash, would otherwise leave the client connected without subscriptions), and logs each change of
/// state once. A subscribe step that fails (a refused SUBSCRIBE) drops the connection and retries.
/// </summary>
internal sealed class MqttConnection : IDisposable
{
    private readonly MqttOptions _options;
    private readonly string _role;
    private readonly bool _persistentSession;
    private readonly (string Topic, byte[] Payload)? _will;
    private readonly Func<MqttClientConnectResult, CancellationToken, Task> _subscribe;
    private readonly Func<CancellationToken, Task>? _ready;
    private readonly Action? _connecting;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string? _password;
    private volatile TaskCompletionSource _subscribed = NewSignal();
    private volatile TaskCompletionSource _disconnected = NewSignal();

    /// <param name="options">Broker, credentials, TLS, client id, timeouts and backoff.</param>
    /// <param name="role">Names the owner in log lines ("ingest", "link").</param>
    /// <param name="persistentSession">CleanStart=false with <see cref="MqttOptions.SessionExpiry"/>; otherwise a clean session.</param>
    /// <param name="will">Published (QoS 1, retained) by the broker when the connection drops without a DISCONNECT.</param>
    /// <param name="subscribe">Run on every connection before it counts as ready; throws to drop it and retry.</param>
    /// <param name="logger">Where state changes go; MQTTnet's own log too.</param>
    /// <param name="time">The clock of the backoff.</param>
    /// <param name="ready">Run once a connection is ready (e.g. to announce presence); throws to drop it and retry.</param>
    /// <param name="connecting">Run before every attempt, before a message of the new connection can arrive.</param>
    /// <param name="adapters">What the client's channel is built from (the ingest's coalescing channel); MQTTnet's own by default.</param>
    public MqttConnection(MqttOptions options, string role, bool persistentSession, (string Topic, byte[] Payload)? will,
        Func<MqttClientConnectResult, CancellationToken, Task> subscribe, ILogger logger, TimeProvider? time = null,
        Func<CancellationToken, Task>? ready = null, Action? connecting = null, IMqttClientAdapterFactory? adapters = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(subscribe);
        _options = options;
        _role = role;
        _persistentSession = persistentSession;
        _will = will;
        _subscribe = subscribe;
        _ready = ready;
        _connecting = connecting;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _password = options.ResolvePassword();
        var factory = new MqttClientFactory();
        Client = adapters is null
            ? factory.CreateMqttClient(new MqttNetLoggerAdapter(logger))
            : factory.CreateMqttClient(new MqttNetLoggerAdapter(logger), adapters);
        Client.DisconnectedAsync += _ =>
        {
            _disconnected.TrySetResult();
            return Task.CompletedTask;
        };
    }

    /// <summary>The client; its owner handles messages, publishes and acknowledges on it.</summary>
    public IMqttClient Client { get; }

    /// <summary>Connected and subscribed right now.</summary>
    public bool IsReady => Client.IsConnected && _subscribed.Task.IsCompletedSuccessfully;

    /// <summary>Completes once connected and subscribed.</summary>
    public Task WaitReadyAsync(CancellationToken cancellationToken) => _subscribed.Task.WaitAsync(cancellationToken);

    /// <summary>Connects, and reconnects whenever the connection is lost, until <paramref name="stopping"/>; leaves the last connection open.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        var delay = _options.ReconnectMinDelay;
        var failing = false;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (Client.IsConnected)
                {
                    await DisconnectAsync().ConfigureAwait(false);
                }

                _disconnected = NewSignal();
                _connecting?.Invoke();
                var connected = await ConnectAsync(stopping).ConfigureAwait(false);
                await _subscribe(connected, stopping).ConfigureAwait(false);
                _logger.LogInformation("MQTT {Role} {ClientId} connected to {Host}:{Port} (session present: {SessionPresent}) and subscribed",
                    _role, _options.ClientId, _options.Host, _options.Port, connected.IsSessionPresent);
                _subscribed.TrySetResult();
                failing = false;
                if (_ready is not null)
                {
                    await _ready(stopping).ConfigureAwait(false);
                }

                delay = _options.ReconnectMinDelay;
                await _disconnected.Task.WaitAsync(stopping).ConfigureAwait(false);
                ResetSubscribed();
                _logger.LogWarning("MQTT {Role} {ClientId} to {Host}:{Port} lost; reconnecting", _role, _options.ClientId, _options.Host, _options.Port);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Every attempt is a line (a refused certificate says why each time); the stack trace comes with the first.
                _logger.LogWarning(failing ? null : e, "MQTT {Role} {ClientId} to {Host}:{Port} failed ({Error}); retrying in {Delay}",
                    _role, _options.ClientId, _options.Host, _options.Port, e.Message, delay);
                failing = true;

                // Connected but not subscribed must not pass for a working connection: start over.
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
    }

    /// <summary>Subscribes; a filter the broker refuses fails the step, so that the connection is dropped and retried.</summary>
    public async Task SubscribeAsync(MqttClientSubscribeOptions subscribe, CancellationToken cancellationToken)
    {
        var result = await Client.SubscribeAsync(subscribe, cancellationToken).ConfigureAwait(false);
        foreach (var item in result.Items)
        {
            if (item.ResultCode is not (MqttClientSubscribeResultCode.GrantedQoS1 or MqttClientSubscribeResultCode.GrantedQoS0))
            {
                throw new InvalidOperationException($"the broker refused subscription {item.TopicFilter.Topic}: {item.ResultCode}");
            }
        }
    }

    /// <summary>A normal disconnect: the broker keeps a persistent session and queues QoS 1 messages for the next connection. Never throws.</summary>
    public async Task DisconnectAsync()
    {
        ResetSubscribed();
        if (!Client.IsConnected)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(_options.ConnectTimeout);
            await Client.DisconnectAsync(new MqttClientDisconnectOptions { Reason = MqttClientDisconnectOptionsReason.NormalDisconnection },
                timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogDebug(e, "MQTT disconnect was not clean");
        }
    }

    /// <summary>
    /// Drops the connection with an error, so that the broker redelivers what was not acknowledged, from the first
    /// such message on and in order; <see cref="RunAsync"/> reconnects. Never throws.
    /// </summary>
    public async Task DropAsync()
    {
        try
        {
            await Client.DisconnectAsync(new MqttClientDisconnectOptions { Reason = MqttClientDisconnectOptionsReason.UnspecifiedError },
                CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogDebug(e, "MQTT disconnect for a redelivery was not clean");
        }
    }

    public void Dispose() => Client.Dispose();

    private async Task<MqttClientConnectResult> ConnectAsync(CancellationToken stopping)
    {
        var builder = MqttClientOptionsFactory.Create(_options.Host, _options.Port, _options.ClientId, _options.Username, _password,
                _options.ToBrokerTls(), _options.KeepAlive, _options.ConnectTimeout, out var validator)
            .WithCleanStart(!_persistentSession)
            .WithReceiveMaximum(_options.ReceiveMaximum);
        if (_persistentSession)
        {
            builder = builder.WithSessionExpiryInterval((uint)_options.SessionExpiry.TotalSeconds);
        }

        if (_will is var (willTopic, willPayload))
        {
            builder = builder.WithWillTopic(willTopic).WithWillPayload(willPayload)
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithWillRetain(true);
        }

        var connected = await MqttClientOptionsFactory.ConnectAsync(Client, builder.Build(), validator, stopping).ConfigureAwait(false);
        if (connected.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"the broker refused the connection: {connected.ResultCode}");
        }

        return connected;
    }

    private void ResetSubscribed()
    {
        if (_subscribed.Task.IsCompleted)
        {
            _subscribed = NewSignal();
        }
    }

    private static TimeSpan Jitter(TimeSpan delay) =>
        delay + TimeSpan.FromTicks((long)(delay.Ticks * 0.2 * Random.Shared.NextDouble()));

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
