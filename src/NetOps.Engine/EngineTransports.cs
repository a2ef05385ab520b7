namespace NetOps.Engine;

/// <summary>The all-in-one host: observations arrive on a channel, deltas go to the in-process feed.</summary>
public sealed class InProcessTransport : IEngineTransport
{
    public string Description => "in-process";

    public Task StartOutputAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartIntakeAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Separate processes: observations from the broker's persistent session, deltas and snapshots to the broker.</summary>
public sealed class MqttEngineTransport(MqttStatePublisher publisher, MqttObservationSource intake) : IEngineTransport
{
    public string Description => "MQTT";

    public Task StartOutputAsync(CancellationToken cancellationToken) => publisher.StartAsync(cancellationToken);

    public async Task StartIntakeAsync(CancellationToken cancellationToken)
    {
        intake.Start();
        await intake.WaitConnectedAsync(cancellationToken).ConfigureAwait(false);
    }
}
