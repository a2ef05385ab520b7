namespace NetOps.Collector;

/// <summary>How the collector polls; bound from the "Collector" section.</summary>
public sealed class CollectorOptions
{
    public const string SectionName = "Collector";

    /// <summary>
    /// Name of this collector in observation sources and in the membership; unique per collector. Empty: the machine's
    /// name (a container's host name, so replicas of a scaled compose service differ).
    /// </summary>
    public string Name { get; set; } = "collector";

    /// <summary><see cref="Name"/>, or the machine's name when it is empty.</summary>
    public string MemberName => string.IsNullOrWhiteSpace(Name) ? Environment.MachineName : Name.Trim();

    /// <summary>The interval of a poll when neither the plan nor <see cref="PollInterval"/> gives one.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Unset (the default): each device is polled as its class's plan in the inventory's <c>health:</c> section says.
    /// Set: every device is polled for all the sections of its plan at this one interval (tests and load runs; "01:00:00"
    /// leaves polling to traps).
    /// </summary>
    public TimeSpan? PollInterval { get; set; }

    /// <summary>Time to wait for one SNMP response before a retry.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    public int Retries { get; set; } = 1;

    /// <summary>Devices polled at the same time; a slow device holds one slot, never the scheduler.</summary>
    public int MaxConcurrentPolls { get; set; } = 64;

    /// <summary>
    /// How long a collector stays a member after its last heartbeat: a collector killed without a word has its devices
    /// taken over by the others within this lease plus a heartbeat, then polled within half their interval.
    /// </summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a collector renews its lease and reads the members (at most a third of the lease: one slow or lost heartbeat must not lose it).</summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a poll's evidence stays fresh, as a multiple of the poll interval.</summary>
    public double FreshnessFactor { get; set; } = 3;
}
