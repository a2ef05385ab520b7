using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Core.State;

namespace NetOps.Web.Api;

/// <summary>Every entity's state at one version of the live model (<c>GET /api/state</c>).</summary>
public sealed record StateListResponse(long Version, IEnumerable<StateResponse> States);

/// <summary>One entity's state with its evidence: reason, since when, from which source, fresh for how long.</summary>
public sealed record StateResponse(
    string Entity,
    StateValue Value,
    ReasonResponse Reason,
    DateTimeOffset Since,
    DateTimeOffset ObservedAt,
    string Source,
    double FreshForSeconds,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyDictionary<string, string> Attributes);

/// <summary>A stable reason code, its named values and the text the dashboard shows (Europe/Berlin times).</summary>
public sealed record ReasonResponse(string Code, IReadOnlyDictionary<string, string> Args, string Text);

/// <summary>The inventory in force (<c>GET /api/inventory</c>): credential names only, never their values.</summary>
public sealed record InventoryResponse(
    IEnumerable<Site> Sites,
    IEnumerable<Device> Devices,
    IEnumerable<Link> Links,
    IEnumerable<MobileNode> Nodes,
    IEnumerable<Core.Inventory.Endpoint> Endpoints,
    IEnumerable<Event> Events,
    IEnumerable<string>? LastRefusal);
