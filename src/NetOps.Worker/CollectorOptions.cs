namespace NetOps.Worker;

/// <summary>How the collector polls; bound from the "Collector" section.</summary>
public sealed class CollectorOptions
{
    public const string SectionName = "Collector";

    /// <summary>Name of this collector in observation sources.</summary>
    public string Name { get; set; } = "collector";

    /// <summary>Status and counters poll interval for every device (poll plans per device class come with [health]).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Time to wait for one SNMP response before a retry.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    public int Retries { get; set; } = 1;

    /// <summary>Devices polled at the same time; a slow device holds one slot, never the scheduler.</summary>
    public int MaxConcurrentPolls { get; set; } = 64;

    /// <summary>This collector's share of the devices: it polls those whose <c>Sharding.ShardOf(id, ShardCount)</c> is ShardIndex.</summary>
    public int ShardIndex { get; set; }

    /// <summary>How many collectors split the devices among them.</summary>
    public int ShardCount { get; set; } = 1;

    /// <summary>How long a poll's evidence stays fresh, as a multiple of the poll interval.</summary>
    public double FreshnessFactor { get; set; } = 3;
}
