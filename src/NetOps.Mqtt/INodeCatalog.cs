namespace NetOps.Mqtt;

/// <summary>
/// What the ingest knows of the fleet: which node and sensor ids are expected and how often each reports.
/// The host implements it from the inventory; <see cref="StaticNodeCatalog"/> serves tests and the simulator.
/// </summary>
public interface INodeCatalog
{
    /// <summary>True when messages from this node or sensor endpoint id are expected.</summary>
    bool IsKnown(string id);

    /// <summary>How often the node or endpoint reports; null for the configured default.</summary>
    TimeSpan? ReportInterval(string id);
}
