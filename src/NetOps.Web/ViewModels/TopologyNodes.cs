using Blazor.Diagrams.Core.Geometry;
using Blazor.Diagrams.Core.Models;
using NetOps.Core.Inventory;
using NetOps.Core.State;

namespace NetOps.Web.ViewModels;

/// <summary>A node of the topology diagram (a device or a collapsed group) with the state it is drawn in.</summary>
public abstract class TopologyNode(string key, Point position) : NodeModel(key, position)
{
    /// <summary>"device:acc-nord" or "group:ray:nord": stable across rebuilds, used for saved positions.</summary>
    public string Key => Id;
    public StateValue State { get; set; } = StateValue.Unknown;
    public string Reason { get; set; } = "";

    /// <summary>Does not match the filters: drawn faded.</summary>
    public bool Dimmed { get; set; }

    /// <summary>Found by the search.</summary>
    public bool Highlighted { get; set; }
}

/// <summary>A device on the topology diagram.</summary>
public sealed class DeviceNode(string deviceId, DeviceClass deviceClass, Point position) : TopologyNode("device:" + deviceId, position)
{
    public string DeviceId { get; } = deviceId;
    public DeviceClass DeviceClass { get; } = deviceClass;

    /// <summary>The MOGLI node this switch belongs to, if any.</summary>
    public string? MobileNodeId { get; init; }
}

/// <summary>A collapsed group (the sites of a ray, the nodes of an event): one node with the worst health and counts.</summary>
public sealed class GroupNode(TopologyGroup group, Point position) : TopologyNode(group.Key, position)
{
    public TopologyGroup Definition { get; } = group;
    public IReadOnlyDictionary<StateValue, int> Counts { get; set; } = new Dictionary<StateValue, int>();

    /// <summary>Drills down into the group (set by the view model).</summary>
    public Action? Expand { get; set; }
}
