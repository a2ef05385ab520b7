namespace NetOps.Simulator;

/// <summary>The simulated fleet; section "Simulator".</summary>
public sealed class SimulatorOptions
{
    public const string SectionName = "Simulator";

    /// <summary>Runs the simulated fleet in this process (the all-in-one demo does).</summary>
    public bool Enabled { get; set; }

    /// <summary>How often each simulated MOGLI node publishes telemetry.</summary>
    public TimeSpan NodeReportInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Seed of the traffic model, so a demo looks the same each time.</summary>
    public int Seed { get; set; } = 2026;
}
