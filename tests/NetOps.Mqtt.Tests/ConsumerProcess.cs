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
/// node's sequence numbers ever went backwards. The sink is two-phase, as the host's: a node's next message is accepted
/// before the previous one's commit. The crash test kills it with SIGKILL mid-stream.
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
        var sink = new CheckingSink(new ObservationRecorder(store, new ObservationPoints()));
        await using var ingest = new TelemetryIngest(Brokers.IngestOptions(int.Parse(portText, CultureInfo.InvariantCulture), clientId,
            Mosquitto.Username, Mosquitto.Password) with { SessionExpiry = TimeSpan.FromHours(1) }, sink);
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

    /// <summary>
    /// Two-phase, as the host's sink: checks each node's order when a message is accepted (a node's next one is
    /// accepted before the previous one's commit), and prints "applied" once its commit is done.
    /// </summary>
    private sealed class CheckingSink(ObservationRecorder history) : ITwoPhaseObservationSink
    {
        private readonly Dictionary<string, long> _last = new(StringComparer.Ordinal);
        private readonly Lock _gate = new();

        public async ValueTask PublishAsync(Observation observation, CancellationToken cancellationToken) =>
            await (await AcceptAsync(observation, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);

        public async ValueTask<ValueTask> AcceptAsync(Observation observation, CancellationToken cancellationToken)
        {
            if (observation is not NodeTelemetryObservation telemetry)
            {
                return await history.AcceptAsync(observation, cancellationToken).ConfigureAwait(false);
            }

            lock (_gate)
            {
                if (_last.TryGetValue(telemetry.NodeId, out var previous) && telemetry.Sequence <= previous)
                {
                    Console.WriteLine($"out of order: {telemetry.NodeId} {telemetry.Sequence} after {previous}");
                }

                _last[telemetry.NodeId] = telemetry.Sequence;
            }

            return Printed(await history.AcceptAsync(observation, cancellationToken).ConfigureAwait(false), telemetry);
        }

        private async ValueTask Printed(ValueTask durable, NodeTelemetryObservation telemetry)
        {
            await durable.ConfigureAwait(false);
            lock (_gate)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"applied {telemetry.NodeId} {telemetry.Sequence}"));
            }
        }
    }
}
