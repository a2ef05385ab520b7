using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using NetOps.Core.Observations;
using NetOps.Testing;

namespace NetOps.Mqtt.Tests;

/// <summary>Collects what the ingest hands on, in order.</summary>
internal sealed class CollectingSink
{
    private readonly ConcurrentQueue<Observation> _items = new();

    public IReadOnlyList<Observation> Items => [.. _items];

    public ValueTask Accept(Observation observation, CancellationToken cancellationToken)
    {
        _items.Enqueue(observation);
        return ValueTask.CompletedTask;
    }

    public IReadOnlyList<T> Of<T>() => [.. _items.OfType<T>()];
}

/// <summary>Counts the adapter's counters of one <see cref="MqttMetrics"/> instance by tag value.</summary>
internal sealed class CounterProbe : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _rejected = new();
    private long _received;

    public CounterProbe(MqttMetrics metrics)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == MqttMetrics.ReceivedName)
            {
                Interlocked.Add(ref _received, value);
                return;
            }

            foreach (var tag in tags)
            {
                if (tag.Key == "reason")
                {
                    _rejected.AddOrUpdate((string)tag.Value!, value, (_, v) => v + value);
                }
            }
        });
        _listener.Start();
    }

    public long Received => Interlocked.Read(ref _received);

    public long Rejected(string reason) => _rejected.GetValueOrDefault(reason);

    public IReadOnlyDictionary<string, long> AllRejected => new Dictionary<string, long>(_rejected);

    public void Dispose() => _listener.Dispose();
}

internal static class Brokers
{
    public const string Username = "netops";
    public const string Password = "embedded-test-secret";

    public static async Task<EmbeddedBroker> StartEmbeddedAsync(ILogger<EmbeddedBroker> logger)
    {
        var broker = new EmbeddedBroker(new EmbeddedBrokerOptions
        {
            Port = FreePort.Tcp(),
            Username = Username,
            Password = Password,
        }, logger);
        try
        {
            await broker.StartAsync(CancellationToken.None);
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }

        return broker;
    }

    public static MqttOptions IngestOptions(int port, string clientId, string username = Username, string password = Password) => new()
    {
        Host = "127.0.0.1",
        Port = port,
        Username = username,
        Password = password,
        ClientId = clientId,
        ReconnectMinDelay = TimeSpan.FromMilliseconds(100),
        ReconnectMaxDelay = TimeSpan.FromSeconds(1),
    };

    public static NodePublisherOptions NodeOptions(int port, string nodeId, string username = Username, string password = Password) => new()
    {
        NodeId = nodeId,
        Host = "127.0.0.1",
        Port = port,
        Username = username,
        Password = password,
    };

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
}
