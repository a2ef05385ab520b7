using System.Text.Json;
using Microsoft.Extensions.Logging;
using NetOps.Core.Observations;
using NetOps.Mqtt;

namespace NetOps.Engine;

/// <summary>Where the engine's broker intake hands observations: its channel, or the channel and history (a tee).</summary>
public sealed record EngineIntake(IObservationSink Sink);

/// <summary>
/// The active engine's intake across processes: a persistent QoS 1 session on the collectors' observation topics
/// and their presence. A message is acknowledged once it is in the engine's channel, so an engine that dies leaves
/// the rest queued on the broker for the one that takes over.
/// </summary>
public sealed partial class MqttObservationSource : IAsyncDisposable
{
    /// <summary>One client id for whichever engine is active: the broker keeps its session and queue between them.</summary>
    public const string ClientId = "netops-state-engine";

    private readonly EngineIntake _intake;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly MqttLink _link;

    public MqttObservationSource(MqttOptions options, EngineIntake intake, TimeProvider time, ILogger<MqttObservationSource> logger)
    {
        _intake = intake;
        _time = time;
        _logger = logger;
        _link = new MqttLink(options with { ClientId = ClientId }, new MqttLinkOptions
        {
            PersistentSession = true,
            Subscriptions = [StateWire.ObservationsFilter, StateWire.CollectorStatusFilter],
        }, HandleAsync, logger: logger);
    }

    public bool IsConnected => _link.IsConnected;

    public void Start() => _link.Start();

    public Task WaitConnectedAsync(CancellationToken cancellationToken) => _link.WaitConnectedAsync(cancellationToken);

    private async ValueTask HandleAsync(MqttLinkMessage message, CancellationToken cancellationToken)
    {
        Observation? observation;
        try
        {
            var json = message.Payload;
            if (StateWire.CollectorOfStatusTopic(message.Topic) is { } collector)
            {
                var status = StateWire.Deserialize<CollectorStatus>(json);
                observation = status?.State == "offline" ? new CollectorGoneObservation(_time.GetUtcNow(), collector) : null;
            }
            else
            {
                observation = StateWire.Deserialize<Observation>(json);
            }
        }
        catch (JsonException e)
        {
            // A message no engine can read is dropped with a log line rather than redelivered forever.
            LogUnreadable(_logger, message.Topic, e.Message);
            return;
        }

        if (observation is not null)
        {
            await _intake.Sink.PublishAsync(observation, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync() => _link.StopAsync();

    public ValueTask DisposeAsync() => _link.DisposeAsync();

    [LoggerMessage(Level = LogLevel.Error, Message = "Unreadable message on {Topic} dropped: {Error}")]
    private static partial void LogUnreadable(ILogger logger, string topic, string error);
}
