using NetOps.Core.Inventory;
using NetOps.Core.Observations;

namespace NetOps.Simulator;

/// <summary>Where each simulated node reports it stands: in its zone, as the event's site plan draws it.</summary>
public sealed partial class SimulatedFleet
{
    /// <summary>Kaiserslautern's old town: where a node stands whose zone is on no plan.</summary>
    private static readonly GeoPosition OldTown = new(49.4447, 7.7690);

    /// <summary>
    /// A stable position for a node: the centre of its zone's polygon on its event's plan (the assignment in force, else
    /// its first), a few plan units off by its id so that nodes of one zone do not stack; the old town without a plan.
    /// </summary>
    internal static GeoPosition PositionOf(FleetInventory fleet, MobileNode node, DateTimeOffset now)
    {
        var assignment = FleetInventory.CurrentAssignment(node.Assignments, now) ?? node.Assignments.FirstOrDefault();
        if (assignment is null ||
            !fleet.Events.TryGetValue(assignment.EventId, out var ev) ||
            ev.Plan is not { } plan ||
            !plan.Zones.TryGetValue(assignment.ZoneId, out var polygon))
        {
            return OldTown;
        }

        // An ordinal hash: string.GetHashCode differs between runs, the position must not.
        var hash = node.Id.Aggregate(17, (h, c) => unchecked((h * 31) + c));
        var centre = SitePlan.Centroid(polygon);
        var point = new PlanPoint(centre.X + ((hash & 7) - 3.5) * 3, centre.Y + (((hash >> 3) & 7) - 3.5) * 3);
        return plan.ToGps(point) is { } gps ? new GeoPosition(gps.Latitude, gps.Longitude) : OldTown;
    }
}
