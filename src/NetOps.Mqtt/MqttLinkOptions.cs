namespace NetOps.Mqtt;

/// <summary>What a <see cref="MqttLink"/> connects with: will, persistent session, subscriptions.</summary>
public sealed record MqttLinkOptions
{
    /// <summary>Published by the broker when the connection drops without a disconnect (a crash, a cut).</summary>
    public (string Topic, byte[] Payload)? Will { get; init; }

    /// <summary>Keep the session (and the broker's queue of QoS 1 messages) across reconnects.</summary>
    public bool PersistentSession { get; init; }

    /// <summary>
    /// Acknowledge a QoS 1 message only after the handler finished (intake that must not lose work). Readers of a
    /// feed they can resynchronise from (a clean session anyway) let the client acknowledge on receipt.
    /// </summary>
    public bool ManualAcknowledge { get; init; } = true;

    /// <summary>Topic filters subscribed at QoS 1 after every (re)connect.</summary>
    public IReadOnlyList<string> Subscriptions { get; init; } = [];
}
