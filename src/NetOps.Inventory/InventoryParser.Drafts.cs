using NetOps.Core.Inventory;

namespace NetOps.Inventory;

/// <summary>Drafts: what a file said, with where it said it, kept until the cross-check has seen every file.</summary>
internal sealed partial class InventoryParser
{
    private interface IDraft
    {
        Scalar? Id { get; }
    }

    private sealed record Draft<T>(Scalar? Id, Origin At, T? Value) : IDraft;

    private sealed record DeviceDraft(Scalar? Id, Origin At, Device? Value, Scalar? Site, Scalar? Node, Dictionary<string, Origin> Ports) : IDraft;

    private readonly record struct EndDraft(Scalar Device, Scalar Port);

    private sealed record LinkDraft(Scalar? Id, Origin At, Link? Value, EndDraft? A, EndDraft? B) : IDraft
    {
        public Scalar? Class { get; init; }
    }

    private sealed record AssignmentDraft(Assignment Value, Origin At, Origin EventAt, Origin ZoneAt);

    /// <summary>An entry of the top-level <c>assignments:</c> section: a node's (or an endpoint's) assignment, by its id.</summary>
    private sealed record LooseAssignment(bool IsNode, Scalar Target, AssignmentDraft Assignment);

    private sealed record NodeDraft(
        Scalar? Id, Origin At, bool Complete, string? Name, Scalar? Device, TimeSpan Interval, List<AssignmentDraft> Assignments) : IDraft
    {
        public Scalar? Class { get; init; }

        public MobileNode Build(string? deviceId) =>
            new(Id!.Value.Value, Name ?? Id.Value.Value, deviceId, Interval, [.. Assignments.Select(a => a.Value)])
            {
                Class = Class?.Value ?? NodeClassPolicy.Default.Name,
            };
    }

    private sealed record EndpointDraft(
        Scalar? Id, Origin At, bool Complete, string? Name, EndpointKind Kind, string? Mac, Origin? MacAt, Scalar? Node,
        Scalar? PlannedPort, bool InheritsAssignments, List<AssignmentDraft> Assignments) : IDraft
    {
        public Endpoint Build(IReadOnlyList<Assignment> nodeAssignments) =>
            new(Id!.Value.Value, Name ?? Id.Value.Value, Kind, Mac!, Node!.Value.Value, PlannedPort?.Value,
                InheritsAssignments ? nodeAssignments : [.. Assignments.Select(a => a.Value)])
            {
                Address = Address,
            };

        public string? Address { get; init; }
    }

    private sealed record EventDraft(Scalar? Id, Origin At, Event? Value, Dictionary<string, Origin> Zones) : IDraft
    {
        /// <summary>The ids the event's plan places by hand, checked against every file's nodes and endpoints.</summary>
        public IReadOnlyList<Scalar> PlacementIds { get; init; } = [];
    }
}
