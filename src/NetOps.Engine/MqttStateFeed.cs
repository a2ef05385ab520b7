using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using NetOps.Core.State;
using NetOps.Mqtt;

namespace NetOps.Engine;

/// <summary>
/// The state feed across processes: deltas from the active engine as they are published, and snapshots on request
/// (the engine answers a request by id) or, when no engine answers in time, the last retained one.
/// </summary>
public sealed partial class MqttStateFeed : IStateFeed, IAsyncDisposable
{
    private readonly TimeSpan _snapshotTimeout;
    private readonly ILogger _logger;
    private readonly MqttLink _link;
    private readonly DeltaFanOut _subscribers = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StateSnapshot>> _waiting = new(StringComparer.Ordinal);
    private readonly Counter<long> _received;
    private SnapshotMessage? _latest;
    private long _lastDeltaVersion;

    public MqttStateFeed(MqttOptions options, string reader, TimeSpan snapshotTimeout, ILogger<MqttStateFeed> logger, IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _snapshotTimeout = snapshotTimeout;
        _logger = logger;
        var meter = meterFactory.Create(StateMetrics.MeterName);
        _received = meter.CreateCounter<long>("netops.state.feed.received", description: "Deltas and snapshots this process received over the broker");
        // Reads a field only: safe to call after the feed is disposed.
        meter.CreateObservableGauge("netops.state.feed.last_delta_version", () => Interlocked.Read(ref _lastDeltaVersion),
            description: "Version of the last delta this process received from the broker");
        _link = new MqttLink(options with { ClientId = $"netops-state-reader-{reader}" }, new MqttLinkOptions
        {
            Subscriptions = [StateWire.DeltaTopic, StateWire.SnapshotTopic],
            ManualAcknowledge = false,
        }, HandleAsync, logger: logger);
    }

    public bool IsConnected => _link.IsConnected;

    public void Start() => _link.Start();

    public async ValueTask<StateSnapshot> GetSnapshotAsync(Scope scope, CancellationToken cancellationToken)
    {
        await _link.WaitConnectedAsync(cancellationToken).ConfigureAwait(false);
        var id = Guid.NewGuid().ToString("N");
        var answer = new TaskCompletionSource<StateSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[id] = answer;
        try
        {
            await _link.PublishAsync(StateWire.SnapshotRequestTopic, StateWire.Serialize(new SnapshotRequest(id)), retain: false, cancellationToken)
                .ConfigureAwait(false);
            return await answer.Task.WaitAsync(_snapshotTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // No engine answered (none active right now): the last retained snapshot is the best there is.
            return Volatile.Read(ref _latest)?.Snapshot ?? throw new InvalidOperationException("no state engine has published a snapshot yet");
        }
        finally
        {
            _waiting.TryRemove(id, out _);
        }
    }

    public IAsyncEnumerable<StateDelta> SubscribeAsync(long afterVersion, CancellationToken cancellationToken) =>
        _subscribers.SubscribeAsync(afterVersion, cancellationToken);

    private ValueTask HandleAsync(MqttLinkMessage message, CancellationToken cancellationToken)
    {
        try
        {
            var json = message.Payload;
            if (message.Topic == StateWire.DeltaTopic && StateWire.Deserialize<DeltaMessage>(json) is { } delta)
            {
                _received.Add(1, new KeyValuePair<string, object?>("kind", "delta"));
                Interlocked.Exchange(ref _lastDeltaVersion, delta.Delta.Version);
                _subscribers.Publish(delta.Delta);
            }
            else if (message.Topic == StateWire.SnapshotTopic && StateWire.Deserialize<SnapshotMessage>(json) is { } snapshot)
            {
                _received.Add(1, new KeyValuePair<string, object?>("kind", "snapshot"));
                Volatile.Write(ref _latest, snapshot);
                foreach (var id in snapshot.Answers)
                {
                    if (_waiting.TryGetValue(id, out var waiting))
                    {
                        waiting.TrySetResult(snapshot.Snapshot);
                    }
                }
            }
        }
        catch (JsonException e)
        {
            LogUnreadable(_logger, message.Topic, e.Message);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _link.DisposeAsync();

    [LoggerMessage(Level = LogLevel.Error, Message = "Unreadable state message on {Topic} ignored: {Error}")]
    private static partial void LogUnreadable(ILogger logger, string topic, string error);
}
