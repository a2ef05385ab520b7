using System.Collections.Immutable;
using NetOps.Core.Health;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Core.State;

namespace NetOps.Engine;

/// <summary>
/// Owns derived state: applies observations in order, derives link health from both ends, expires stale
/// evidence to unknown, and hands out versioned deltas. Not thread-safe: exactly one loop drives it.
/// Each job lives in its own part: this file applies observations; the model and its deltas (StateEngine.Model.cs),
/// what an observation re-derives (StateEngine.Rederive.cs), links (StateEngine.Links.cs), reachability and root cause
/// (StateEngine.Reachability.cs), complaints (StateEngine.Complaints.cs), nodes (StateEngine.Nodes.cs), deployment
/// (StateEngine.Deployment.cs), expiry (StateEngine.Expiry.cs), scopes (StateEngine.Scope.cs), ports and counters
/// (StateEngine.Ports.cs), optics, topology discovery, endpoint evidence and endpoint connectivity.
/// </summary>
public sealed partial class StateEngine
{
    /// <summary>How long the engine's own derived states stay fresh without new evidence.</summary>
    private static readonly TimeSpan DefaultFreshFor = TimeSpan.FromMinutes(2);

    private readonly TimeProvider _time;
    private readonly Dictionary<string, long> _lastSequence = new(StringComparer.Ordinal);

    /// <summary>Devices that restarted (coldStart, warmStart) since their last poll: their counters start afresh.</summary>
    private readonly HashSet<string> _counterDiscontinuity = new(StringComparer.Ordinal);

    private FleetInventory _inventory = FleetInventory.Empty;

    /// <param name="time">The clock.</param>
    /// <param name="firstVersion">
    /// Where versions start. Engines that may replace one another start from a clock-derived base, so a fresh engine's
    /// deltas always sort after those of the engine it replaced and readers resynchronise instead of ignoring them.
    /// </param>
    public StateEngine(TimeProvider time, long firstVersion = 0)
    {
        _time = time;
        Version = firstVersion;
    }

    /// <summary>The version of the last delta handed out.</summary>
    public long Version { get; private set; }

    /// <summary>Observations ignored because their (source, sequence) was applied before.</summary>
    public long DuplicatesIgnored { get; private set; }

    public FleetInventory Inventory => _inventory;

    /// <summary>Replaces the inventory: new entities start unknown, removed ones leave every view.</summary>
    public StateDelta? SetInventory(FleetInventory inventory)
    {
        _inventory = inventory;
        _pathsFromCore = inventory.PathsFromCore();
        var now = _time.GetUtcNow();
        var wanted = new HashSet<EntityRef>(EntitiesOf(inventory));
        foreach (var entity in _states.Keys.Where(e => !wanted.Contains(e)).ToList())
        {
            _states.Remove(entity);
            _pending.Remove(entity);
            _pendingRemoved.Add(entity);
        }

        foreach (var entity in wanted.Where(e => !_states.ContainsKey(e)))
        {
            Put(new EntityState(entity, StateValue.Unknown, Reason.Of(ReasonCodes.NoEvidence), now, now, "engine", DefaultFreshFor));
        }

        RederiveAll(now);
        return TakeDelta();
    }

    /// <summary>Applies one observation; returns the delta it caused, or null when nothing changed.</summary>
    public StateDelta? Apply(Observation observation)
    {
        if (observation is CollectorGoneObservation gone)
        {
            return SourceGone(gone.Collector, gone.ObservedAt);
        }

        if (_lastSequence.TryGetValue(observation.Source, out var last) && observation.Sequence <= last)
        {
            DuplicatesIgnored++;
            return null;
        }

        _lastSequence[observation.Source] = observation.Sequence;
        _pendingSequences[observation.Source] = observation.Sequence;
        _stateValuesChanged = false;
        switch (observation)
        {
            case DevicePollObservation poll:
                ApplyPoll(poll);
                break;
            case NodeTelemetryObservation telemetry:
                ApplyTelemetry(telemetry);
                break;
            case NodePresenceObservation presence:
                ApplyPresence(presence);
                break;
            case DeviceNotificationObservation notification:
                ApplyNotification(notification);
                break;
            default:
                ApplyEndpointEvidence(observation);
                break;
        }

        Rederive(observation, _time.GetUtcNow());
        return TakeDelta();
    }

    private void ApplyPoll(DevicePollObservation poll)
    {
        if (!_inventory.Devices.TryGetValue(poll.DeviceId, out var device))
        {
            return;
        }

        if (!IsDeployed(device, poll.ObservedAt))
        {
            // A mobile switch in storage may answer or not: either way it cannot be down. RederiveAll marks it.
            return;
        }

        var deviceRef = EntityRef.Device(device.Id);
        if (!poll.Reachable)
        {
            _unansweredFrom[device.Id] = poll.StartedAt ?? poll.ObservedAt;
            Observe(deviceRef, StateValue.Down, Reason.Of(ReasonCodes.DeviceUnreachable, ("device", device.Id), ("error", poll.Error)), poll);
            foreach (var port in device.Ports)
            {
                Observe(EntityRef.Port(device.Id, port.Name), StateValue.Unknown,
                    Reason.Of(ReasonCodes.DeviceUnreachable, ("device", device.Id), ("error", poll.Error)), poll);
            }

            return;
        }

        _unansweredFrom.Remove(device.Id);
        Observe(deviceRef, StateValue.Up, Reason.Of(ReasonCodes.DeviceResponding, ("device", device.Id)), poll,
            poll.SysUpTime is { } up ? Metrics(("uptime_s", up.TotalSeconds)) : null);
        if (poll.Sections.HasFlag(PollSections.Interfaces))
        {
            ApplyPorts(device, poll);
        }

        if (poll.Optics is not null)
        {
            ApplyOptics(device, poll);
        }

        if (poll.Neighbours is not null)
        {
            ApplyNeighbours(device, poll);
        }

        if (poll.Forwarding is not null || poll.Poe is not null)
        {
            ApplyForwarding(device, poll);
        }
    }

    /// <summary>
    /// How long a section of a poll stays fresh. A poll's FreshFor fits the device's most frequent task (status and
    /// counters); tables read less often (neighbours, forwarding) must last until their own next reading, so their
    /// freshness is scaled by the plan's interval for that section.
    /// </summary>
    private TimeSpan FreshForSection(Device device, DevicePollObservation poll, PollSections section)
    {
        var plan = _inventory.Policy.PlanFor(device.Class);
        var shortest = plan.Tasks.Count > 0 ? plan.Tasks.Min(t => t.Interval) : TimeSpan.Zero;
        var interval = plan.IntervalOf(section);
        return shortest <= TimeSpan.Zero || interval <= shortest ? poll.FreshFor : poll.FreshFor * (interval / shortest);
    }

    /// <summary>Transceiver levels against the link class's optical margin (StateEngine.Optics.cs).</summary>
    partial void ApplyOptics(Device device, DevicePollObservation poll);

    /// <summary>LLDP neighbours become discovered links (StateEngine.Topology.cs).</summary>
    partial void ApplyNeighbours(Device device, DevicePollObservation poll);

    /// <summary>Where endpoints' MAC addresses are seen and what PoE says (StateEngine.EndpointEvidence.cs).</summary>
    partial void ApplyForwarding(Device device, DevicePollObservation poll);

    /// <summary>Observations about endpoints themselves: heartbeats, camera status, ICMP (StateEngine.EndpointEvidence.cs).</summary>
    partial void ApplyEndpointEvidence(Observation observation);

    /// <summary>Planned links compared with discovered ones (StateEngine.Topology.cs).</summary>
    partial void DeriveTopology(DateTimeOffset now);

    /// <summary>Each endpoint's connectivity from all its evidence (StateEngine.Endpoints.cs).</summary>
    partial void DeriveEndpoints(DateTimeOffset now);

    /// <summary>One endpoint's connectivity, after evidence about it alone (StateEngine.Endpoints.cs).</summary>
    partial void DeriveEndpoint(string endpointId, DateTimeOffset now);

    /// <summary>Endpoints whose judgement reads a device: those of its node, and those seen on it (StateEngine.Endpoints.cs).</summary>
    partial void DeriveEndpointsOf(string deviceId, DateTimeOffset now);

    /// <summary>
    /// A trap is news, not proof: linkDown marks its port down at once, and the re-poll it triggered confirms or corrects
    /// that. linkUp changes nothing until the poll says so; a restart makes the next rate computation skip the old counters.
    /// </summary>
    private void ApplyNotification(DeviceNotificationObservation notification)
    {
        if (!_inventory.Devices.TryGetValue(notification.DeviceId, out var device) || !IsDeployed(device, notification.ObservedAt))
        {
            return;
        }

        switch (notification.Notification)
        {
            case NotificationKind.LinkDown when notification.Port is { } port && device.Ports.Any(p => p.Name == port):
                var portRef = EntityRef.Port(device.Id, port);
                if (_states.GetValueOrDefault(portRef)?.Value is not (StateValue.Down or StateValue.Inactive))
                {
                    Observe(portRef, StateValue.Down,
                        Reason.Of(ReasonCodes.PortTrapLinkDown, ("device", device.Id), ("port", port), ("at", notification.ObservedAt)), notification);
                }

                break;
            case NotificationKind.ColdStart or NotificationKind.WarmStart:
                _counterDiscontinuity.Add(device.Id);
                break;
        }
    }

    private void Observe(EntityRef entity, StateValue value, Reason reason, Observation evidence,
        ImmutableSortedDictionary<string, double>? metrics = null)
    {
        var freshFor = evidence switch
        {
            DevicePollObservation p => p.FreshFor,
            NodeTelemetryObservation t => t.FreshFor,
            NodePresenceObservation p => p.FreshFor,
            _ => DefaultFreshFor,
        };
        (value, reason) = WithComplaints(entity, value, reason);
        var previous = _states.GetValueOrDefault(entity);
        // A poll that confirms what a trap announced keeps the trap's time: the port has been down since then.
        var since = previous is not null && previous.Value == value &&
                    (previous.Reason.Equals(reason) || previous.Reason.Code == ReasonCodes.PortTrapLinkDown)
            ? previous.Since
            : evidence.ObservedAt;
        Put(new EntityState(entity, value, reason, since, evidence.ObservedAt, evidence.Source, freshFor)
        {
            Metrics = metrics ?? previous?.Metrics ?? ImmutableSortedDictionary<string, double>.Empty,
            Attributes = previous?.Attributes ?? ImmutableSortedDictionary<string, string>.Empty,
        });
    }
}
