using NetOps.Inventory;
using NetOps.Mqtt;

namespace NetOps.Collector;

/// <summary>The MQTT ingest's view of the fleet: nodes and endpoints from the inventory in force.</summary>
public sealed class InventoryNodeCatalog(IInventoryProvider inventory) : INodeCatalog
{
    public bool IsKnown(string id) => inventory.Current.Nodes.ContainsKey(id) || inventory.Current.Endpoints.ContainsKey(id);

    public TimeSpan? ReportInterval(string id) =>
        inventory.Current.Nodes.TryGetValue(id, out var node) ? node.ReportInterval : null;
}
