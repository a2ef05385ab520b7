namespace NetOps.Mqtt;

/// <summary>One MQTT connection of the ingest. A sink failure poisons it: nothing more is handed on or acknowledged on it.</summary>
internal sealed class Connection
{
    private int _poisoned;

    public bool IsPoisoned => Volatile.Read(ref _poisoned) != 0;

    /// <summary>Poisons the connection; true for the first caller only.</summary>
    public bool TryPoison() => Interlocked.Exchange(ref _poisoned, 1) == 0;
}
