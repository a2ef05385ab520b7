using System.Globalization;
using System.Runtime.InteropServices;
using NetOps.Core.Observations;
using NetOps.Storage;
using NetOps.Storage.Embedded;
using NetOps.Storage.Points;
using NetOps.Testing;

namespace NetOps.Mqtt.Tests;

/// <summary>
/// The test assembly is also a small program: <c>dotnet NetOps.Mqtt.Tests.dll consume PORT CLIENTID DATABASE</c> runs the
/// ingest from mosquitto into the embedded store (the all-in-one host's history path) until SIGTERM, printing
/// "subscribed", then "applied NODE SEQ" for each telemetry message once its commit is done, and "out of order ..." if a
/// node's sequence numbers ever went backwards. The crash test kills it with SIGKILL mid-stream.
/// </summary>
public static class ConsumerProcess
{
    public static async Task<int> Main(string[] args)
    {
        if (args is not ["consume", var portText, var clientId, var database])
        {
            await Console.Error.WriteLineAsync("usage: consume PORT CLIENTID DATABASE");
            return 2;
        }

        await using var store = new SqliteTelemetryStore(database, TimeSpan.FromDays(3650));
        var recorder = new ObservationRecorder(store, new ObservationPoints());
        var last = new Dictionary<string, long>(StringComparer.Ordinal);
        var gate = new Lock();
        async ValueTask Sink(Observation observation, CancellationToken cancellationToken)
        {
            await recorder.PublishAsync(observation, cancellationToken);
            if (observation is NodeTelemetryObservation telemetry)
            {
                lock (gate)
                {
                    if (last.TryGetValue(telemetry.NodeId, out var previous) && telemetry.Sequence <= previous)
                    {
                        Console.WriteLine($"out of order: {telemetry.NodeId} {telemetry.Sequence} after {previous}");
                    }

                    last[telemetry.NodeId] = telemetry.Sequence;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"applied {telemetry.NodeId} {telemetry.Sequence}"));
                }
            }
        }

        await using var ingest = new TelemetryIngest(Brokers.IngestOptions(int.Parse(portText, CultureInfo.InvariantCulture), clientId,
            Mosquitto.Username, Mosquitto.Password) with { SessionExpiry = TimeSpan.FromHours(1) }, Sink);
        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        await ingest.StartAsync(CancellationToken.None);
        await ingest.WaitUntilSubscribedAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Console.WriteLine("subscribed");
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await ingest.StopAsync(CancellationToken.None);
        Console.WriteLine("stopped");
        return 0;
    }
}
