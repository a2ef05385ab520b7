using System.Text.Json;
using Microsoft.Extensions.Logging;
using NetOps.Core.State;
using NetOps.Mqtt;

namespace NetOps.Engine;

/// <summary>
/// The active engine's output across processes: every delta with QoS 1 in version order, and the whole model as a
/// retained snapshot, published periodically and whenever a reader asks for one.
/// </summary>
public sealed partial class MqttStatePublisher : IStatePublisher, IAsyncDisposable
{
    private readonly InProcessStateFeed _model = new();
    private readonly string _engine;
    private readonly TimeSpan _snapshotInterval;
    private readonly ILogger _logger;
    private readonly MqttLink _link;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private List<string> _requests = [];
    private TaskCompletionSource _requested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _snapshots;
    private int _disposed;

    public MqttStatePublisher(MqttOptions options, string engine, TimeSpan snapshotInterval, ILogger<MqttStatePublisher> logger)
    {
        _engine = engine;
        _snapshotInterval = snapshotInterval;
        _logger = logger;
        _link = new MqttLink(options with { ClientId = $"netops-state-publisher-{engine}" }, new MqttLinkOptions
        {
            Subscriptions = [StateWire.SnapshotRequestTopic],
            ManualAcknowledge = false,
        }, HandleRequestAsync, logger: logger);
    }

    public bool IsConnected => _link.IsConnected;

    /// <summary>Connects and starts answering snapshot requests; a standby engine calls this once it holds the lease.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _link.Start();
        await _link.WaitConnectedAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask PublishAsync(StateDelta delta, CancellationToken cancellationToken)
    {
        await _model.PublishAsync(delta, cancellationToken).ConfigureAwait(false);
        await _link.PublishAsync(StateWire.DeltaTopic, StateWire.Serialize(new DeltaMessage(_engine, delta)), retain: false, cancellationToken)
            .ConfigureAwait(false);
        // Snapshots start with the first delta: an empty model must never replace the last engine's retained snapshot.
        _snapshots ??= Task.Run(() => PublishSnapshotsAsync(_stopping.Token), CancellationToken.None);
    }

    private ValueTask HandleRequestAsync(MqttLinkMessage message, CancellationToken cancellationToken)
    {
        try
        {
            var request = StateWire.Deserialize<SnapshotRequest>(message.Payload);
            if (request is { Id.Length: > 0 and <= 64 })
            {
                lock (_gate)
                {
                    _requests.Add(request.Id);
                    _requested.TrySetResult();
                }
            }
        }
        catch (JsonException)
        {
            // Not a request we understand: ignored.
        }

        return ValueTask.CompletedTask;
    }

    private async Task PublishSnapshotsAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                List<string> answers;
                Task next;
                lock (_gate)
                {
                    answers = _requests;
                    _requests = [];
                    _requested = new(TaskCreationOptions.RunContinuationsAsynchronously);
                    next = _requested.Task;
                }

                var snapshot = await _model.GetSnapshotAsync(Scope.All, stopping).ConfigureAwait(false);
                await _link.PublishAsync(StateWire.SnapshotTopic, StateWire.Serialize(new SnapshotMessage(_engine, snapshot, answers)),
                    retain: true, stopping).ConfigureAwait(false);
                await Task.WhenAny(next, Task.Delay(_snapshotInterval, stopping)).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogSnapshotFailed(_logger, e.Message);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_snapshots is not null)
        {
            await _snapshots.ConfigureAwait(false);
        }

        await _link.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing a state snapshot failed: {Error}")]
    private static partial void LogSnapshotFailed(ILogger logger, string error);
}
