using System.Collections.Immutable;
using NetOps.Core.Health;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Core.State;

namespace NetOps.Engine;

/// <summary>
/// Owns derived state: applies observations in order, derives link health from both ends, expires stale
/// evidence to unknown, and hands out versioned deltas. Not thread-safe: exactly one loop drives it.
/// Each concern of health lives in its own part: ports and counters (StateEngine.Ports.cs), optics, topology
/// discovery and endpoint connectivity; this file applies observations and keeps the model.
/// </summary>
public sealed partial class StateEngine
{
    /// <summary>How long the engine's own derived states stay fresh without new evidence.</summary>
    private static readonly TimeSpan DefaultFreshFor = TimeSpan.FromMinutes(2);

    private readonly TimeProvider _time;
    private readonly Dictionary<EntityRef, EntityState> _states = [];
    private readonly Dictionary<string, long> _lastSequence = new(StringComparer.Ordinal);
    private readonly Dictionary<EntityRef, EntityState> _pending = [];
    private readonly HashSet<EntityRef> _pendingRemoved = [];
    private readonly Dictionary<string, long> _pendingSequences = new(StringComparer.Ordinal);

    /// <summary>Devices that restarted (coldStart, warmStart) since their last poll: their counters start afresh.</summary>
    private readonly HashSet<string> _counterDiscontinuity = new(StringComparer.Ordinal);
    /// <summary>
    /// What each health concern (utilisation, errors, optics) holds against an entity that is otherwise up. Kept
    /// until that concern says otherwise, so polls of different sections at different intervals do not flap the state.
    /// </summary>
    private readonly Dictionary<EntityRef, SortedDictionary<string, Complaint>> _complaints = [];
    private FleetInventory _inventory = FleetInventory.Empty;
    private Dictionary<string, IReadOnlyList<string>> _pathsFromCore = new(StringComparer.Ordinal);
    private Dictionary<string, IReadOnlyList<Link>>? _linksByDevice;
    private FleetInventory? _linksByDeviceOf;

    /// <summary>Whether an entity changed its value (up, down, ...) since the observation being applied began.</summary>
    private bool _stateValuesChanged;

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
        _pathsFromCore = PathsFromCore(inventory);
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

    /// <summary>
    /// Re-derives what an observation can change. Nothing is derived from a node's own state (links, reachability,
    /// topology and endpoints read ports, devices and the evidence tables), and an endpoint's evidence changes that
    /// endpoint only: MQTT telemetry, presence, heartbeats and camera status, the bulk of what arrives, cost O(1)
    /// instead of a pass over the whole fleet. What only time changes (evidence ageing out, a deployment ending) is
    /// caught by <see cref="Expire"/>, which the host calls every second.
    /// </summary>
    private void Rederive(Observation observation, DateTimeOffset now)
    {
        switch (observation)
        {
            case NodeTelemetryObservation or NodePresenceObservation:
                break;
            case DevicePollObservation poll when _inventory.Devices.ContainsKey(poll.DeviceId):
                RederiveAfterPoll(poll, now);
                break;
            case EndpointHeartbeatObservation heartbeat:
                DeriveEndpoint(heartbeat.EndpointId, now);
                break;
            case CameraStatusObservation camera:
                DeriveEndpoint(camera.EndpointId, now);
                break;
            case EndpointReachabilityObservation icmp:
                DeriveEndpoint(icmp.EndpointId, now);
                break;
            default:
                RederiveAll(now);
                break;
        }
    }

    /// <summary>Turns states whose evidence outlived its freshness limit to unknown.</summary>
    public StateDelta? Expire()
    {
        var now = _time.GetUtcNow();
        foreach (var state in _states.Values.ToList())
        {
            if (state.Value is StateValue.Unknown or StateValue.Inactive || state.ObservedAt + state.FreshFor > now)
            {
                continue;
            }

            Put(state with
            {
                Value = StateValue.Unknown,
                Reason = Reason.Of(ReasonCodes.Stale, ("source", state.Source), ("last", state.ObservedAt)),
                Since = now,
            });
        }

        RederiveAll(now);
        return TakeDelta();
    }

    /// <summary>The whole model, or the part a scope covers.</summary>
    public StateSnapshot Snapshot(Scope scope) =>
        new(Version, _states.Values.Where(s => InScope(s.Entity, scope)).ToList())
        {
            Sequences = new Dictionary<string, long>(_lastSequence, StringComparer.Ordinal),
        };

    /// <summary>
    /// Takes over a model another engine published (a standby becoming active): its states, its version, and the
    /// sequences it applied, so that deltas go on from the next version and redelivered observations are skipped.
    /// </summary>
    public StateDelta? Restore(StateSnapshot snapshot, FleetInventory inventory)
    {
        _states.Clear();
        _pending.Clear();
        _pendingRemoved.Clear();
        _pendingSequences.Clear();
        foreach (var state in snapshot.States)
        {
            _states[state.Entity] = state;
        }

        foreach (var (source, sequence) in snapshot.Sequences)
        {
            _lastSequence[source] = sequence;
        }

        Version = snapshot.Version;
        return SetInventory(inventory);
    }

    /// <summary>
    /// A source announced it is gone (its last will): every state whose evidence came from it turns unknown now,
    /// instead of staying green until its freshness runs out.
    /// </summary>
    public StateDelta? SourceGone(string collector, DateTimeOffset at)
    {
        foreach (var state in _states.Values.Where(s => CollectorOf(s.Source) == collector &&
                                                         s.Value is not StateValue.Unknown and not StateValue.Inactive).ToList())
        {
            Put(state with
            {
                Value = StateValue.Unknown,
                Reason = Reason.Of(ReasonCodes.SourceGone, ("source", collector), ("last", state.ObservedAt)),
                Since = at,
            });
        }

        RederiveAll(_time.GetUtcNow());
        return TakeDelta();
    }

    /// <summary>The collector part of a source name ("worker-1#3fa2c1d0" → "worker-1").</summary>
    public static string CollectorOf(string source)
    {
        var hash = source.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? source : source[..hash];
    }

    public EntityState? Get(EntityRef entity) => _states.GetValueOrDefault(entity);

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
            Observe(deviceRef, StateValue.Down, Reason.Of(ReasonCodes.DeviceUnreachable, ("device", device.Id), ("error", poll.Error)), poll);
            foreach (var port in device.Ports)
            {
                Observe(EntityRef.Port(device.Id, port.Name), StateValue.Unknown,
                    Reason.Of(ReasonCodes.DeviceUnreachable, ("device", device.Id), ("error", poll.Error)), poll);
            }

            return;
        }

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

    /// <summary>Where endpoints' MAC addresses are seen and what PoE says (StateEngine.Endpoints.cs).</summary>
    partial void ApplyForwarding(Device device, DevicePollObservation poll);

    /// <summary>Observations about endpoints themselves: heartbeats, camera status, ICMP (StateEngine.Endpoints.cs).</summary>
    partial void ApplyEndpointEvidence(Observation observation);

    /// <summary>Planned links compared with discovered ones (StateEngine.Topology.cs).</summary>
    partial void DeriveTopology(DateTimeOffset now);

    /// <summary>Each endpoint's connectivity from all its evidence (StateEngine.Endpoints.cs).</summary>
    partial void DeriveEndpoints(DateTimeOffset now);

    /// <summary>One endpoint's connectivity, after evidence about it alone (StateEngine.Endpoints.cs).</summary>
    partial void DeriveEndpoint(string endpointId, DateTimeOffset now);

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

    private void ApplyTelemetry(NodeTelemetryObservation observation)
    {
        if (!NodeDeployed(observation.NodeId, observation.ObservedAt))
        {
            return;
        }

        var t = observation.Telemetry;
        Span<(string Key, double Value)> values =
        [
            ("battery_pct", t.BatteryPercent ?? double.NaN),
            ("runtime_left_s", t.RuntimeLeft?.TotalSeconds ?? double.NaN),
            ("enclosure_temp_c", t.EnclosureTemperatureC ?? double.NaN),
            ("lte_rssi_dbm", t.LteSignalDbm ?? double.NaN),
            ("uplink", (double)(t.Uplink ?? UplinkKind.None)),
            ("on_mains", t.Power == PowerSource.Mains ? 1 : 0),
        ];
        var entity = EntityRef.Node(observation.NodeId);
        var (value, reason) = t switch
        {
            { Uplink: UplinkKind.None } => (StateValue.Down, Reason.Of(ReasonCodes.NodeNoUplink, ("node", observation.NodeId))),
            { Power: PowerSource.Battery } => (StateValue.Degraded,
                Reason.Of(ReasonCodes.NodeOnBattery, ("node", observation.NodeId), ("battery_pct", t.BatteryPercent))),
            { Uplink: UplinkKind.Lte } => (StateValue.Degraded, Reason.Of(ReasonCodes.NodeOnLte, ("node", observation.NodeId))),
            _ => (StateValue.Up, Reason.Of(ReasonCodes.NodeReporting, ("node", observation.NodeId))),
        };
        Observe(entity, value, reason, observation, MetricsOf(values, _states.GetValueOrDefault(entity)?.Metrics));
    }

    /// <summary>
    /// The metrics given (NaN: absent), as the previous ones when they are the same: a node reports every few seconds,
    /// mostly unchanged, and the previous map costs nothing to keep.
    /// </summary>
    private static ImmutableSortedDictionary<string, double> MetricsOf(ReadOnlySpan<(string Key, double Value)> values,
        ImmutableSortedDictionary<string, double>? previous)
    {
        var present = 0;
        var same = previous is not null;
        foreach (var (key, value) in values)
        {
            if (double.IsNaN(value))
            {
                continue;
            }

            present++;
            same = same && previous!.TryGetValue(key, out var before) && before.Equals(value);
        }

        if (same && previous!.Count == present)
        {
            return previous;
        }

        var builder = ImmutableSortedDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
        foreach (var (key, value) in values)
        {
            if (!double.IsNaN(value))
            {
                builder[key] = value;
            }
        }

        return builder.ToImmutable();
    }

    private void ApplyPresence(NodePresenceObservation observation)
    {
        if (!NodeDeployed(observation.NodeId, observation.ObservedAt) || observation.Online)
        {
            // Online alone says little: the next telemetry report tells the node's health.
            return;
        }

        Observe(EntityRef.Node(observation.NodeId), StateValue.Down, Reason.Of(ReasonCodes.NodeOffline, ("node", observation.NodeId)), observation);
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

    /// <summary>
    /// After a poll of one device: its links (both ends are needed, and only its own changed), reachability (cheap,
    /// and a changed device or link can move any device behind it), the topology comparison only when the poll read
    /// neighbours or a device, port or link changed its state, and the endpoints the device can speak for: those of
    /// its node and those seen on it, or all of them when it read its forwarding table or PoE (a MAC may have left it).
    /// A poll of one switch in a fleet of 2,000 costs what that switch touches, not a pass over the fleet.
    /// </summary>
    private void RederiveAfterPoll(DevicePollObservation poll, DateTimeOffset now)
    {
        foreach (var link in LinksOf(poll.DeviceId))
        {
            DeriveLink(link, now);
        }

        DeriveReachability();
        if (poll.Neighbours is not null || _stateValuesChanged)
        {
            DeriveTopology(now);
        }

        if (poll.Forwarding is not null || poll.Poe is not null)
        {
            DeriveEndpoints(now);
        }
        else
        {
            DeriveEndpointsOf(poll.DeviceId, now);
        }
    }

    /// <summary>The planned links with an end on a device.</summary>
    private IReadOnlyList<Link> LinksOf(string deviceId)
    {
        if (_linksByDevice is null || !ReferenceEquals(_linksByDeviceOf, _inventory))
        {
            _linksByDevice = _inventory.Links.Values
                .SelectMany(l => new[] { (Device: l.A.DeviceId, Link: l), (Device: l.B.DeviceId, Link: l) })
                .GroupBy(e => e.Device, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => (IReadOnlyList<Link>)g.Select(e => e.Link).Distinct().ToList(), StringComparer.Ordinal);
            _linksByDeviceOf = _inventory;
        }

        return _linksByDevice.GetValueOrDefault(deviceId) ?? [];
    }

    /// <summary>Endpoints whose judgement reads a device: those of its node, and those seen on it (StateEngine.Endpoints.cs).</summary>
    partial void DeriveEndpointsOf(string deviceId, DateTimeOffset now);

    /// <summary>Derived states: links from both ends, node deployment lifecycle.</summary>
    private void RederiveAll(DateTimeOffset now)
    {
        foreach (var link in _inventory.Links.Values)
        {
            DeriveLink(link, now);
        }

        DeriveReachability();
        DeriveTopology(now);
        DeriveEndpoints(now);

        foreach (var device in _inventory.Devices.Values)
        {
            if (!IsDeployed(device, now))
            {
                var reason = NotDeployedReason(device.NodeId!, now);
                MarkInactive(EntityRef.Device(device.Id), reason, now);
                foreach (var port in device.Ports)
                {
                    MarkInactive(EntityRef.Port(device.Id, port.Name), reason, now);
                }
            }
        }

        foreach (var node in _inventory.Nodes.Values)
        {
            if (FleetInventory.PhaseOf(node.Assignments, now) is not DeploymentPhase.Deployed)
            {
                MarkInactive(EntityRef.Node(node.Id), NotDeployedReason(node.Id, now), now);
            }
        }
    }

    /// <summary>
    /// A device that does not answer while a link on its path from the core is down is not down itself as far as
    /// anyone can tell: it is unknown, and the failed link is the one root cause to show and alert on.
    /// </summary>
    private void DeriveReachability()
    {
        foreach (var (deviceId, path) in _pathsFromCore)
        {
            var entity = EntityRef.Device(deviceId);
            if (_states.GetValueOrDefault(entity) is not { Value: StateValue.Down, Reason.Code: ReasonCodes.DeviceUnreachable } state)
            {
                continue;
            }

            var failed = path.Select(id => _states.GetValueOrDefault(EntityRef.Link(id))).FirstOrDefault(l => l?.Value == StateValue.Down);
            if (failed is null)
            {
                continue;
            }

            var reason = Reason.Of(ReasonCodes.BehindFailedLink, ("device", deviceId), ("link", failed.Entity.Id), ("since", failed.Since));
            Put(state with { Value = StateValue.Unknown, Reason = reason, Since = failed.Since });
            var device = _inventory.Devices[deviceId];
            foreach (var port in device.Ports)
            {
                var portRef = EntityRef.Port(deviceId, port.Name);
                if (_states.GetValueOrDefault(portRef) is { } portState && portState.Reason.Code == ReasonCodes.DeviceUnreachable)
                {
                    Put(portState with { Reason = reason });
                }
            }
        }
    }

    /// <summary>For each device, the links on its shortest path from a core device (breadth first over planned links).</summary>
    private static Dictionary<string, IReadOnlyList<string>> PathsFromCore(FleetInventory inventory)
    {
        var adjacent = inventory.Links.Values
            .SelectMany(l => new[] { (From: l.A.DeviceId, To: l.B.DeviceId, Link: l.Id), (From: l.B.DeviceId, To: l.A.DeviceId, Link: l.Id) })
            .ToLookup(e => e.From, StringComparer.Ordinal);
        var paths = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var queue = new Queue<string>();
        foreach (var core in inventory.Devices.Values.Where(d => d.Class == DeviceClass.Core).OrderBy(d => d.Id, StringComparer.Ordinal))
        {
            paths[core.Id] = [];
            queue.Enqueue(core.Id);
        }

        while (queue.TryDequeue(out var device))
        {
            foreach (var edge in adjacent[device].OrderBy(e => e.Link, StringComparer.Ordinal))
            {
                if (!paths.ContainsKey(edge.To))
                {
                    paths[edge.To] = [.. paths[device], edge.Link];
                    queue.Enqueue(edge.To);
                }
            }
        }

        return paths;
    }

    private void MarkInactive(EntityRef entity, Reason reason, DateTimeOffset now)
    {
        var current = _states.GetValueOrDefault(entity);
        if (current is null || current.Value != StateValue.Inactive || !current.Reason.Equals(reason))
        {
            Put(new EntityState(entity, StateValue.Inactive, reason, now, now, "engine", DefaultFreshFor)
            {
                Metrics = current?.Metrics ?? ImmutableSortedDictionary<string, double>.Empty,
            });
        }
    }

    private bool NodeDeployed(string nodeId, DateTimeOffset at) =>
        _inventory.Nodes.TryGetValue(nodeId, out var node) && FleetInventory.PhaseOf(node.Assignments, at) == DeploymentPhase.Deployed;

    private Reason NotDeployedReason(string nodeId, DateTimeOffset now) =>
        Reason.Of(ReasonCodes.NotDeployed, ("node", nodeId), ("phase", FleetInventory.PhaseOf(_inventory.Nodes[nodeId].Assignments, now)));

    /// <summary>Fixed network devices are always deployed; a mobile switch only while its node is.</summary>
    private bool IsDeployed(Device device, DateTimeOffset at) =>
        device.NodeId is not { } nodeId || !_inventory.Nodes.TryGetValue(nodeId, out var node) ||
        FleetInventory.PhaseOf(node.Assignments, at) == DeploymentPhase.Deployed;

    private void DeriveLink(Link link, DateTimeOffset now)
    {
        var a = _states.GetValueOrDefault(EntityRef.Port(link.A.DeviceId, link.A.Port));
        var b = _states.GetValueOrDefault(EntityRef.Port(link.B.DeviceId, link.B.Port));
        var ends = new[] { (End: link.A, State: a), (End: link.B, State: b) };
        var down = ends.FirstOrDefault(e => e.State?.Value == StateValue.Down);
        var inactive = ends.FirstOrDefault(e => e.State?.Value == StateValue.Inactive);
        var unknown = ends.FirstOrDefault(e => e.State is null || e.State.Value == StateValue.Unknown);
        var degraded = ends.FirstOrDefault(e => e.State?.Value == StateValue.Degraded);
        var stored = ends.FirstOrDefault(e => _inventory.Devices.TryGetValue(e.End.DeviceId, out var d) && !IsDeployed(d, now));
        var (value, reason) = true switch
        {
            // A link to a node in storage is not patched: neither end's status says anything about it.
            _ when stored.End is not null => (StateValue.Inactive,
                NotDeployedReason(_inventory.Devices[stored.End.DeviceId].NodeId!, now)),
            _ when down.State is not null => (StateValue.Down,
                Reason.Of(ReasonCodes.LinkEndDown, ("device", down.End.DeviceId), ("port", down.End.Port), ("since", down.State.Since))),
            _ when inactive.State is not null => (StateValue.Inactive,
                Reason.Of(ReasonCodes.LinkEndAdminDown, ("device", inactive.End.DeviceId), ("port", inactive.End.Port))),
            _ when unknown.End is not null => (StateValue.Unknown,
                Reason.Of(ReasonCodes.LinkEndUnknown, ("device", unknown.End.DeviceId), ("port", unknown.End.Port))),
            _ when degraded.State is not null => (StateValue.Degraded, EndDegraded(degraded.End, degraded.State.Reason)),
            _ => (StateValue.Up, Reason.Of(ReasonCodes.LinkUp)),
        };
        var metrics = ImmutableSortedDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
        foreach (var key in new[] { "in_bps", "out_bps", "utilisation_pct" })
        {
            var values = ends.Select(e => e.State?.Metrics.GetValueOrDefault(key)).Where(v => v is > 0).ToList();
            if (values.Count > 0)
            {
                metrics[key] = values.Max()!.Value;
            }
        }

        var entity = EntityRef.Link(link.Id);
        (value, reason) = WithComplaints(entity, value, reason);
        var previous = _states.GetValueOrDefault(entity);
        var observedAt = ends.Select(e => e.State?.ObservedAt ?? now).Min();
        var same = previous is not null && previous.Value == value && previous.Reason.Equals(reason);
        var freshFor = ends.Select(e => e.State?.FreshFor ?? DefaultFreshFor).Max();
        var next = new EntityState(entity, value, reason, same ? previous!.Since : now, observedAt, "engine", freshFor)
        {
            Metrics = metrics.ToImmutable(),
        };
        if (!same || !MetricsEqual(previous!.Metrics, next.Metrics))
        {
            Put(next);
        }
    }

    /// <summary>A link is as degraded as its worse end: the end's own reason, with the cause's code beside it.</summary>
    private static Reason EndDegraded(LinkEnd end, Reason cause) =>
        new(ReasonCodes.LinkEndDegraded, cause.Args
            .SetItem("device", end.DeviceId)
            .SetItem("port", end.Port)
            .SetItem("cause", cause.Code));

    /// <summary>
    /// Sets (or with a null reason clears) what one concern holds against an entity, and re-derives the entity: an
    /// entity that is up turns degraded with the worst complaint's reason, and back to up when the last one clears.
    /// </summary>
    private void Complain(EntityRef entity, string concern, HealthLevel level, Reason? reason)
    {
        if (reason is null || level == HealthLevel.Ok)
        {
            if (_complaints.TryGetValue(entity, out var held) && held.Remove(concern) && held.Count == 0)
            {
                _complaints.Remove(entity);
            }
        }
        else
        {
            if (!_complaints.TryGetValue(entity, out var held))
            {
                _complaints[entity] = held = new SortedDictionary<string, Complaint>(StringComparer.Ordinal);
            }

            held[concern] = new Complaint(level, reason);
        }

        if (_states.GetValueOrDefault(entity) is { Value: StateValue.Up or StateValue.Degraded } current)
        {
            var (value, why) = WithComplaints(entity, StateValue.Up, UpReasonOf(current));
            if (value != current.Value || !why.Equals(current.Reason))
            {
                Put(current with { Value = value, Reason = why, Since = _time.GetUtcNow() });
            }
        }
    }

    /// <summary>An entity that is up with complaints against it is degraded, for the worst of them.</summary>
    private (StateValue Value, Reason Reason) WithComplaints(EntityRef entity, StateValue value, Reason reason)
    {
        if (value != StateValue.Up || !_complaints.TryGetValue(entity, out var held) || held.Count == 0)
        {
            return (value, reason);
        }

        var worst = held.Values.OrderByDescending(c => c.Level).First();
        return (StateValue.Degraded, worst.Reason);
    }

    /// <summary>The reason an entity has when it is up and nothing is held against it.</summary>
    private Reason UpReasonOf(EntityState state)
    {
        if (state.Value == StateValue.Up)
        {
            return state.Reason;
        }

        return state.Entity.Kind switch
        {
            EntityKind.Port when state.Entity.Id.Split('/', 2) is [var device, var port] =>
                Reason.Of(ReasonCodes.PortOperUp, ("device", device), ("port", port)),
            EntityKind.Device => Reason.Of(ReasonCodes.DeviceResponding, ("device", state.Entity.Id)),
            _ => Reason.Of(ReasonCodes.NoEvidence),
        };
    }

    /// <summary>One concern's complaint about an entity.</summary>
    private sealed record Complaint(HealthLevel Level, Reason Reason);

    private void Put(EntityState state)
    {
        var previous = _states.GetValueOrDefault(state.Entity);
        _states[state.Entity] = state;
        if (previous is null || previous.Value != state.Value)
        {
            _stateValuesChanged = true;
        }

        if (previous is null || !previous.SameHealthAs(state) || previous.ObservedAt != state.ObservedAt ||
            !MetricsEqual(previous.Metrics, state.Metrics) || !AttributesEqual(previous.Attributes, state.Attributes))
        {
            _pending[state.Entity] = state;
            _pendingRemoved.Remove(state.Entity);
        }
    }

    private StateDelta? TakeDelta()
    {
        if (_pending.Count == 0 && _pendingRemoved.Count == 0)
        {
            return null;
        }

        Version++;
        var delta = new StateDelta(Version, _pending.Values.ToList(), _pendingRemoved.ToList())
        {
            Sequences = new Dictionary<string, long>(_pendingSequences, StringComparer.Ordinal),
        };
        _pending.Clear();
        _pendingRemoved.Clear();
        _pendingSequences.Clear();
        return delta;
    }

    private static bool MetricsEqual(ImmutableSortedDictionary<string, double> a, ImmutableSortedDictionary<string, double> b) => SameEntries(a, b);

    private static bool AttributesEqual(ImmutableSortedDictionary<string, string> a, ImmutableSortedDictionary<string, string> b) => SameEntries(a, b);

    // Called for every entity an observation touches: no LINQ, no closure; the same map (kept when unchanged) is equal at once.
    private static bool SameEntries<T>(ImmutableSortedDictionary<string, T> a, ImmutableSortedDictionary<string, T> b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a.Count != b.Count)
        {
            return false;
        }

        foreach (var (key, value) in a)
        {
            if (!b.TryGetValue(key, out var other) || !EqualityComparer<T>.Default.Equals(other, value))
            {
                return false;
            }
        }

        return true;
    }

    private static ImmutableSortedDictionary<string, double> Metrics(params (string Key, double Value)[] values) =>
        values.ToImmutableSortedDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);

    private static IEnumerable<EntityRef> EntitiesOf(FleetInventory inventory)
    {
        foreach (var device in inventory.Devices.Values)
        {
            yield return EntityRef.Device(device.Id);
            foreach (var port in device.Ports)
            {
                yield return EntityRef.Port(device.Id, port.Name);
            }
        }

        foreach (var link in inventory.Links.Values)
        {
            yield return EntityRef.Link(link.Id);
        }

        foreach (var node in inventory.Nodes.Values)
        {
            yield return EntityRef.Node(node.Id);
        }

        foreach (var endpoint in inventory.Endpoints.Values)
        {
            yield return EntityRef.Endpoint(endpoint.Id);
        }
    }

    private bool InScope(EntityRef entity, Scope scope)
    {
        if (scope.IsAll)
        {
            return true;
        }

        var now = _time.GetUtcNow();
        var deviceId = entity.Kind switch
        {
            EntityKind.Device => entity.Id,
            EntityKind.Port => entity.Id.Split('/', 2)[0],
            _ => null,
        };
        if (deviceId is not null && _inventory.Devices.TryGetValue(deviceId, out var device))
        {
            if (scope.SiteIds is { } sites && device.SiteId is { } site && sites.Contains(site))
            {
                return true;
            }

            return device.NodeId is { } nodeId && NodeInEvents(nodeId, scope, now);
        }

        return entity.Kind switch
        {
            EntityKind.Node => NodeInEvents(entity.Id, scope, now),
            EntityKind.Endpoint when _inventory.Endpoints.TryGetValue(entity.Id, out var endpoint) => NodeInEvents(endpoint.NodeId, scope, now),
            EntityKind.Link when _inventory.Links.TryGetValue(entity.Id, out var link) =>
                InScope(EntityRef.Device(link.A.DeviceId), scope) || InScope(EntityRef.Device(link.B.DeviceId), scope),
            // A discovered link is in scope where one of its inventory ends is.
            EntityKind.Link when _states.GetValueOrDefault(entity)?.Attributes is { } attributes && attributes.ContainsKey("discovery") =>
                new[] { attributes.GetValueOrDefault("a_device"), attributes.GetValueOrDefault("b_device") }
                    .Any(d => d is not null && InScope(EntityRef.Device(d), scope)),
            _ => false,
        };
    }

    private bool NodeInEvents(string nodeId, Scope scope, DateTimeOffset now) =>
        scope.EventIds is { } events && _inventory.Nodes.TryGetValue(nodeId, out var node) &&
        FleetInventory.CurrentAssignment(node.Assignments, now) is { } assignment && events.Contains(assignment.EventId);
}
