namespace NetOps.Engine;

/// <summary>How the engine is connected to collectors and readers: in-process channels, or the broker.</summary>
public interface IEngineTransport
{
    /// <summary>Starts publishing deltas and snapshots; called once the lease is held, before the first delta.</summary>
    Task StartOutputAsync(CancellationToken cancellationToken);

    /// <summary>Starts taking observations; called once the engine's model is in place.</summary>
    Task StartIntakeAsync(CancellationToken cancellationToken);

    /// <summary>What the transport is, for logs.</summary>
    string Description { get; }
}

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
