using System.Diagnostics.Metrics;
using System.Threading.Channels;
using NetOps.Core.Observations;

namespace NetOps.Engine;

/// <summary>
/// The in-process path from collectors to the state engine: bounded, one reader, and never dropping:
/// a collector that outruns the engine waits.
/// </summary>
public sealed class ObservationChannel : IObservationSink
{
    private readonly Channel<Observation> _channel;

    public ObservationChannel(IMeterFactory meterFactory, int capacity = 10_000)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _channel = Channel.CreateBounded<Observation>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        // Reading a channel's count is safe at any time, even after the engine stopped reading it.
        meterFactory.Create(StateMetrics.MeterName).CreateObservableGauge("netops.observations.queued", () => _channel.Reader.Count,
            description: "Observations waiting for the state engine");
    }

    public ChannelReader<Observation> Reader => _channel.Reader;

    public ValueTask PublishAsync(Observation observation, CancellationToken cancellationToken) =>
        _channel.Writer.WriteAsync(observation, cancellationToken);
}
