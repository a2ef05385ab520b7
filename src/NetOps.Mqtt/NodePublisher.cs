using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Protocol;
using NetOps.Core.Observations;

namespace NetOps.Mqtt;

/// <summary>
/// Plays a MOGLI node: connects with a retained "offline" last will, announces itself online (retained),
/// publishes telemetry with increasing sequence numbers. Used by the simulator and the tests.
/// Status messages number connections: the online of connection n has seq 2n-1, its will 2n, so an offline
/// always follows the online it ends.
/// </summary>
public sealed class NodePublisher : IAsyncDisposable
{
    private readonly NodePublisherOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IMqttClient? _client;
    private long _telemetrySequence;
    private readonly Dictionary<string, long> _cameraSequences = new(StringComparer.Ordinal);
    private long _connections;

    public NodePublisher(NodePublisherOptions options, TimeProvider? timeProvider = null, ILogger<NodePublisher>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!MqttTopics.IsValidId(options.NodeId))
        {
            throw new ArgumentException("NodeId must be 1 to 64 characters of [A-Za-z0-9._-]", nameof(options));
        }

        if (options.BootId is not null && !MqttTopics.IsValidId(options.BootId))
        {
            throw new ArgumentException("BootId must be 1 to 64 characters of [A-Za-z0-9._-]", nameof(options));
        }

        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        BootId = options.BootId ?? Convert.ToHexStringLower(Guid.NewGuid().ToByteArray().AsSpan(0, 6));
    }

    public string NodeId => _options.NodeId;

    public string BootId { get; }

    /// <summary>The sequence number of the last telemetry published (0 before the first).</summary>
    public long TelemetrySequence => Interlocked.Read(ref _telemetrySequence);

    public bool IsConnected => _client?.IsConnected ?? false;

    /// <summary>Connects (with the will in place) and publishes status online, retained.</summary>
    public async Task SwitchOnAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_client is { IsConnected: true })
            {
                return;
            }

            _client?.Dispose();
            var connection = ++_connections;
            var will = StatusPayload(online: false, 2 * connection);
            var clientOptions = MqttClientOptionsFactory.Create(_options.Host, _options.Port, _options.ClientId ?? $"mogli-{NodeId}",
                    _options.Username, _options.Password, new BrokerTls(_options.UseTls, _options.AllowUntrustedCertificates, _options.CaFile),
                    _options.KeepAlive, _options.Timeout, out var validator)
                .WithCleanStart(_options.SessionExpiry <= TimeSpan.Zero)
                .WithSessionExpiryInterval((uint)Math.Max(0, _options.SessionExpiry.TotalSeconds))
                .WithWillTopic(MqttTopics.NodeStatus(NodeId))
                .WithWillPayload(will)
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithWillRetain(true)
                .WithWillContentType("application/json")
                .Build();
            var client = new MqttClientFactory().CreateMqttClient(new MqttNetLoggerAdapter(_logger));
            MqttClientConnectResult connected;
            try
            {
                connected = await MqttClientOptionsFactory.ConnectAsync(client, clientOptions, validator, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                client.Dispose();
                throw;
            }

            if (connected.ResultCode != MqttClientConnectResultCode.Success)
            {
                client.Dispose();
                throw new InvalidOperationException($"the broker refused node {NodeId}: {connected.ResultCode}");
            }

            _client = client;
            await PublishAsync(MqttTopics.NodeStatus(NodeId), StatusPayload(online: true, 2 * connection - 1), retain: true, cancellationToken)
                .ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Cuts the node off as a power loss would: the TCP connection is dropped without a DISCONNECT, so the
    /// broker publishes the retained offline will at once. (MQTT 5's "disconnect with will message" reason
    /// would do the same on mosquitto, but MQTTnet 5.2's broker discards the will on any DISCONNECT.)
    /// </summary>
    public async Task SwitchOffAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_client is not { } client)
            {
                return;
            }

            _client = null;
            // Dropping the TCP connection without a DISCONNECT is what a power loss looks like to every broker.
            client.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>An orderly shutdown: publishes offline (retained) itself, then disconnects normally.</summary>
    public async Task ShutdownAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_client is not { IsConnected: true } client)
            {
                return;
            }

            await PublishAsync(MqttTopics.NodeStatus(NodeId), StatusPayload(online: false, 2 * _connections), retain: true, cancellationToken)
                .ConfigureAwait(false);
            await client.DisconnectAsync(new MqttClientDisconnectOptions { Reason = MqttClientDisconnectOptionsReason.NormalDisconnection },
                cancellationToken).ConfigureAwait(false);
            client.Dispose();
            _client = null;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Publishes one telemetry report (QoS 1) stamped with the current time; returns its sequence number.</summary>
    public Task<long> PublishTelemetryAsync(NodeTelemetry telemetry, CancellationToken cancellationToken = default) =>
        PublishTelemetryAsync(telemetry, _time.GetUtcNow(), cancellationToken);

    /// <summary>
    /// Publishes one telemetry report with the given device time (null: none); returns its sequence number.
    /// A publish that fails (broker gone, no acknowledgement) does not use up its number: the next call sends the
    /// same number again, as a node retrying after a reconnect does. If the broker had taken the first attempt,
    /// the ingest sees a duplicate and drops it as replayed. One caller at a time.
    /// </summary>
    public async Task<long> PublishTelemetryAsync(NodeTelemetry telemetry, DateTimeOffset? deviceTime, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(telemetry);
        var sequence = Interlocked.Read(ref _telemetrySequence) + 1;
        await PublishAsync(MqttTopics.NodeTelemetry(NodeId), TelemetryPayload(telemetry, sequence, deviceTime, BootId), retain: false, cancellationToken)
            .ConfigureAwait(false);
        Interlocked.Exchange(ref _telemetrySequence, sequence);
        return sequence;
    }

    /// <summary>
    /// Publishes a camera's status on its behalf (retained, QoS 1): a node that watches its cameras' streams reports
    /// for cameras that speak no MQTT. Each camera has its own sequence (with this node's boot id); returns it. With
    /// <paramref name="interval"/> the node promises to repeat the status that often, so that it ages out when the node
    /// goes silent. One caller at a time, as for telemetry.
    /// </summary>
    public async Task<long> PublishCameraStatusAsync(string cameraId, bool online, string? detail = null, TimeSpan? interval = null,
        CancellationToken cancellationToken = default)
    {
        var topic = MqttTopics.CameraStatus(cameraId);
        var sequence = _cameraSequences.GetValueOrDefault(cameraId) + 1;
        await PublishAsync(topic, CameraStatusPayload(online, detail, sequence, _time.GetUtcNow(), BootId, interval), retain: true, cancellationToken)
            .ConfigureAwait(false);
        _cameraSequences[cameraId] = sequence;
        return sequence;
    }

    /// <summary>The contract's camera status JSON (docs/mqtt.md, "Camera status").</summary>
    public static byte[] CameraStatusPayload(bool online, string? detail, long sequence, DateTimeOffset? deviceTime, string? bootId,
        TimeSpan? interval = null)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("state"u8, online ? "online"u8 : "offline"u8);
            json.WriteNumber("seq"u8, sequence);
            if (deviceTime is { } ts)
            {
                json.WriteString("ts"u8, ts.ToUniversalTime());
            }

            if (bootId is not null)
            {
                json.WriteString("boot"u8, bootId);
            }

            if (detail is not null)
            {
                json.WriteString("detail"u8, detail);
            }

            if (interval is { } every)
            {
                json.WriteNumber("interval_s"u8, Math.Round(every.TotalSeconds, 3));
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Publishes arbitrary bytes on any topic (QoS 1), for tests of what a broken node sends.</summary>
    public Task PublishRawAsync(string topic, ReadOnlyMemory<byte> payload, bool retain = false, CancellationToken cancellationToken = default) =>
        PublishAsync(topic, payload.ToArray(), retain, cancellationToken);

    /// <summary>The contract's telemetry JSON (docs/mqtt.md); absent values are left out.</summary>
    public static byte[] TelemetryPayload(NodeTelemetry telemetry, long sequence, DateTimeOffset? deviceTime, string? bootId)
    {
        ArgumentNullException.ThrowIfNull(telemetry);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("seq"u8, sequence);
            if (deviceTime is { } ts)
            {
                json.WriteString("ts"u8, ts.ToUniversalTime());
            }

            if (bootId is not null)
            {
                json.WriteString("boot"u8, bootId);
            }

            if (telemetry.BatteryPercent is { } battery)
            {
                json.WriteNumber("battery_pct"u8, battery);
            }

            if (telemetry.Power is { } power)
            {
                json.WriteString("power"u8, power == PowerSource.Mains ? "mains"u8 : "battery"u8);
            }

            if (telemetry.RuntimeLeft is { } runtime)
            {
                json.WriteNumber("runtime_left_s"u8, Math.Round(runtime.TotalSeconds, 3));
            }

            if (telemetry.EnclosureTemperatureC is { } temperature)
            {
                json.WriteNumber("enclosure_temp_c"u8, temperature);
            }

            if (telemetry.Uplink is { } uplink)
            {
                json.WriteString("uplink"u8, uplink switch
                {
                    UplinkKind.Fibre => "fibre"u8,
                    UplinkKind.Lte => "lte"u8,
                    _ => "none"u8,
                });
            }

            if (telemetry.LteSignalDbm is { } rssi)
            {
                json.WriteNumber("lte_rssi_dbm"u8, rssi);
            }

            if (telemetry.Position is { } position)
            {
                json.WriteStartObject("gps"u8);
                json.WriteNumber("lat"u8, position.Latitude);
                json.WriteNumber("lon"u8, position.Longitude);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_client is { } client)
            {
                _client = null;

                // Disposing a node means it went away without saying so: dropping the connection lets its will tell.
                client.Dispose();
            }
        }
        finally
        {
            _gate.Release();
        }

        _gate.Dispose();
    }

    private byte[] StatusPayload(bool online, long sequence)
    {
        var buffer = new ArrayBufferWriter<byte>(96);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("state"u8, online ? "online"u8 : "offline"u8);
            json.WriteNumber("seq"u8, sequence);
            json.WriteString("boot"u8, BootId);
            if (online)
            {
                // The will is composed at connect time, so only "online" can carry a meaningful device time.
                json.WriteString("ts"u8, _time.GetUtcNow().ToUniversalTime());
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private async Task PublishAsync(string topic, byte[] payload, bool retain, CancellationToken cancellationToken)
    {
        var client = _client ?? throw new InvalidOperationException($"node {NodeId} is switched off");
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .Build();
        var result = await client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
        if (!result.IsSuccess && result.ReasonCode != MqttClientPublishReasonCode.NoMatchingSubscribers)
        {
            throw new InvalidOperationException($"the broker did not accept a publish of node {NodeId}: {result.ReasonCode}");
        }
    }
}
