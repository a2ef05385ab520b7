using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetOps.Core.Observations;
using NetOps.Mqtt;

namespace NetOps.Engine;

/// <summary>
/// A collector's way to the state engine across processes: each observation is published with QoS 1 and accepted
/// once the broker acknowledged it. The collector's presence is a retained status whose last will says offline.
/// </summary>
public sealed class MqttObservationSink : IObservationSink, IHostedService, IAsyncDisposable
{
    private readonly string _collector;
    private readonly MqttLink _link;

    public MqttObservationSink(MqttOptions options, string collector, ILogger<MqttObservationSink>? logger = null)
    {
        _collector = collector;
        var status = StateWire.CollectorStatusTopic(collector);
        _link = new MqttLink(options with { ClientId = $"netops-collector-{collector}" }, new MqttLinkOptions
        {
            Will = (status, StateWire.Serialize(new CollectorStatus("offline"))),
        }, onConnected: (link, ct) => link.PublishAsync(status, StateWire.Serialize(new CollectorStatus("online")), retain: true, ct), logger: logger);
    }

    public bool IsConnected => _link.IsConnected;

    public async ValueTask PublishAsync(Observation observation, CancellationToken cancellationToken) =>
        await _link.PublishAsync(StateWire.ObservationTopic(_collector), StateWire.Serialize(observation), retain: false, cancellationToken)
            .ConfigureAwait(false);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _link.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _link.StopAsync();

    public ValueTask DisposeAsync() => _link.DisposeAsync();
}
