using System.Collections.Immutable;
using System.Globalization;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Core.State;

namespace NetOps.Engine;

/// <summary>
/// Endpoint connectivity: whether each camera and sensor is reachable, from every piece of evidence about it. The
/// evidence is kept per endpoint (StateEngine.EndpointEvidence.cs) and the state is derived afresh on every change, so
/// evidence that ages out simply stops counting. The decision table is in <see cref="JudgeEndpoint"/> and docs/endpoints.md.
/// </summary>
public sealed partial class StateEngine
{
    partial void DeriveEndpoints(DateTimeOffset now)
    {
        foreach (var endpoint in _inventory.Endpoints.Values)
        {
            DeriveEndpoint(endpoint, now);
        }
    }

    partial void DeriveEndpointsOf(string deviceId, DateTimeOffset now)
    {
        foreach (var endpoint in _inventory.Endpoints.Values)
        {
            if (OwnDeviceOf(endpoint) == deviceId ||
                (_sightings.TryGetValue(endpoint.Id, out var byDevice) && byDevice.ContainsKey(deviceId)))
            {
                DeriveEndpoint(endpoint, now);
            }
        }
    }

    partial void DeriveEndpoint(string endpointId, DateTimeOffset now)
    {
        if (_inventory.Endpoints.TryGetValue(endpointId, out var endpoint))
        {
            DeriveEndpoint(endpoint, now);
        }
    }

    private void DeriveEndpoint(Endpoint endpoint, DateTimeOffset now)
    {
        var entity = EntityRef.Endpoint(endpoint.Id);
        var current = _states.GetValueOrDefault(entity);
        if (EndpointNotDeployed(endpoint, now) is { } notDeployed)
        {
            MarkInactive(entity, notDeployed, now);
            return;
        }

        ForgetGoneEvidence(endpoint, current);
        var verdict = JudgeEndpoint(endpoint, now);
        PutEndpoint(entity, current, verdict, now);
    }

    /// <summary>
    /// The decision table: the first row that matches decides. "Where" is the access port the MAC was last seen on
    /// (the endpoint's own node's switch first), else the port its own switch last saw it on, else the planned port.
    /// <list type="number">
    /// <item>PoE on that port reports a fault, or PoE is switched off under a camera or access point → down (no PoE
    /// power): the power is the cause, the dark link its symptom</item>
    /// <item>that port is operationally down → down (port down, since when the port went down)</item>
    /// <item>that port is administratively down → down (port disabled)</item>
    /// <item>a PoE-powered kind (camera, access point) on a port whose PoE delivers no power, and nothing else proves it alive → down</item>
    /// <item>the node reports the camera offline → down (with the node's detail)</item>
    /// <item>ICMP unanswered while its MAC, a heartbeat or the camera status say it is there → degraded; with nothing else → down</item>
    /// <item>MAC seen on an access port → up; on another port than planned → up with a note (re-patched is not broken)</item>
    /// <item>camera reported online, ICMP answered, or a heartbeat arrived → up</item>
    /// <item>its planned port is up (nothing else known) → up (link up)</item>
    /// <item>its switch read its forwarding table and the MAC was not on it → unknown (a quiet device ages out of the table)</item>
    /// <item>its switch is unreachable or unknown → unknown, naming the switch (the switch is the root cause)</item>
    /// <item>evidence that aged out → unknown (stale); none ever → unknown (no evidence)</item>
    /// </list>
    /// </summary>
    private EndpointVerdict JudgeEndpoint(Endpoint endpoint, DateTimeOffset now)
    {
        bool Fresh(DateTimeOffset at, TimeSpan freshFor) => at + freshFor > now;

        // A switch's tables count while it answers, as for topology: one that went unknown or down (behind a failed
        // link, its node switched off) says nothing of where a MAC is or what its PoE delivers now.
        bool Answers(string deviceId) => _states.GetValueOrDefault(EntityRef.Device(deviceId))?.Value is StateValue.Up or StateValue.Degraded;

        var ownDevice = OwnDeviceOf(endpoint);
        var sightings = _sightings.GetValueOrDefault(endpoint.Id)?.Values.Where(s => Fresh(s.ObservedAt, s.FreshFor) && Answers(s.DeviceId)).ToList() ?? [];
        var sighting = sightings.Where(s => s.Port is not null)
            .OrderByDescending(s => s.DeviceId == ownDevice)
            .ThenByDescending(s => s.ObservedAt)
            .FirstOrDefault();
        var ownRead = sightings.FirstOrDefault(s => s.DeviceId == ownDevice);
        var (atDevice, atPort) = sighting is not null ? (sighting.DeviceId, sighting.Port)
            : ownRead?.LastPort is { } lastPort ? (ownDevice, lastPort)
            : (ownDevice, endpoint.PlannedPort);
        var portState = atDevice is not null && atPort is not null ? _states.GetValueOrDefault(EntityRef.Port(atDevice, atPort)) : null;
        var poe = atDevice is not null && atPort is not null && _poeByDevice.TryGetValue(atDevice, out var reading) &&
                  Fresh(reading.ObservedAt, reading.FreshFor) && Answers(atDevice) && reading.Ports.TryGetValue(atPort, out var status)
            ? (Status: status, Reading: reading)
            : default;
        var heartbeat = _heartbeats.GetValueOrDefault(endpoint.Id) is { } h && Fresh(h.ObservedAt, h.FreshFor) ? h : null;
        var camera = _cameraStatus.GetValueOrDefault(endpoint.Id) is { } c && Fresh(c.ObservedAt, CameraFreshFor(c)) ? c : null;
        var icmp = _icmp.GetValueOrDefault(endpoint.Id) is { } i && Fresh(i.ObservedAt, i.FreshFor) ? i : null;

        var evidence = new List<Evidence>();
        evidence.AddRange(sightings.Select(s => new Evidence(s.ObservedAt, s.Source, s.FreshFor)));
        if (portState is { Value: not StateValue.Unknown })
        {
            evidence.Add(new Evidence(portState.ObservedAt, portState.Source, portState.FreshFor));
        }

        if (poe.Reading is { } poeReading)
        {
            evidence.Add(new Evidence(poeReading.ObservedAt, poeReading.Source, poeReading.FreshFor));
        }

        foreach (var o in new (Observation? Observation, TimeSpan FreshFor)[] { (heartbeat, heartbeat?.FreshFor ?? default), (camera, camera is null ? default : CameraFreshFor(camera)), (icmp, icmp?.FreshFor ?? default) })
        {
            if (o.Observation is { } observation)
            {
                evidence.Add(new Evidence(observation.ObservedAt, observation.Source, o.FreshFor));
            }
        }

        var attributes = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        attributes["kind"] = endpoint.Kind.ToString().ToLowerInvariant();
        attributes["mac"] = MacAddress.Normalise(endpoint.Mac);
        Set(attributes, "planned_device", ownDevice);
        Set(attributes, "planned_port", endpoint.PlannedPort);
        Set(attributes, "address", endpoint.Address);
        if (FleetInventory.CurrentAssignment(_inventory.AssignmentsOf(endpoint), now) is { } assignment)
        {
            attributes["event"] = assignment.EventId;
            attributes["zone"] = assignment.ZoneId;
        }

        if (sighting is not null)
        {
            attributes["seen_device"] = sighting.DeviceId;
            attributes["seen_port"] = sighting.Port!;
            attributes["seen_at"] = sighting.ObservedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
            Set(attributes, "seen_vlan", sighting.Vlan?.ToString(CultureInfo.InvariantCulture));
        }

        if (poe.Reading is not null)
        {
            attributes["poe"] = PoeText(poe.Status.Detection);
        }

        if (camera?.Detail is { } detail)
        {
            attributes["camera_detail"] = detail;
        }

        var metrics = icmp is { Reachable: true, RoundTripMs: { } rtt }
            ? ImmutableSortedDictionary<string, double>.Empty.WithComparers(StringComparer.Ordinal).Add("rtt_ms", rtt)
            : ImmutableSortedDictionary<string, double>.Empty;

        EndpointVerdict Verdict(StateValue value, Reason reason, DateTimeOffset? since = null) =>
            new(value, reason, since, evidence, attributes.ToImmutable(), metrics);

        var alive = sighting is not null || heartbeat is not null || camera is { Online: true };
        var where = (Device: atDevice ?? "", Port: atPort ?? "");
        // A PoE fault or PoE switched off takes a powered camera's link down with it: the power is the cause to show.
        if (poe.Reading is not null && (poe.Status.Detection is PoeDetection.Fault or PoeDetection.OtherFault ||
                                        (!poe.Status.AdminEnabled && endpoint.Kind is EndpointKind.Camera or EndpointKind.AccessPoint)))
        {
            return Verdict(StateValue.Down, Reason.Of(ReasonCodes.EndpointPoeFault,
                ("device", where.Device), ("port", where.Port), ("detection", poe.Status.AdminEnabled ? PoeText(poe.Status.Detection) : "disabled")),
                poe.Reading.ObservedAt);
        }

        switch (portState?.Value)
        {
            case StateValue.Down:
                return Verdict(StateValue.Down, Reason.Of(ReasonCodes.EndpointPortDown,
                    ("device", where.Device), ("port", where.Port), ("since", portState.Since)), portState.Since);
            case StateValue.Inactive when portState.Reason.Code == ReasonCodes.PortAdminDown:
                return Verdict(StateValue.Down, Reason.Of(ReasonCodes.EndpointPortDisabled,
                    ("device", where.Device), ("port", where.Port), ("since", portState.Since)), portState.Since);
        }

        if (poe.Reading is not null && endpoint.Kind is EndpointKind.Camera or EndpointKind.AccessPoint &&
            poe.Status.Detection != PoeDetection.DeliveringPower && !alive && icmp is not { Reachable: true })
        {
            return Verdict(StateValue.Down, Reason.Of(ReasonCodes.EndpointPoeOff,
                ("device", where.Device), ("port", where.Port), ("detection", PoeText(poe.Status.Detection))), poe.Reading.ObservedAt);
        }

        if (camera is { Online: false })
        {
            return Verdict(StateValue.Down, Reason.Of(ReasonCodes.EndpointCameraOffline, ("detail", camera.Detail)), camera.ObservedAt);
        }

        if (icmp is { Reachable: false })
        {
            return alive
                ? Verdict(StateValue.Degraded, Reason.Of(ReasonCodes.EndpointIcmpSilent, ("address", endpoint.Address),
                    ("evidence", sighting is not null ? "mac" : camera is not null ? "camera-status" : "heartbeat"),
                    ("device", sighting?.DeviceId), ("port", sighting?.Port)))
                : Verdict(StateValue.Down, Reason.Of(ReasonCodes.EndpointIcmpUnreachable, ("address", endpoint.Address)), icmp.ObservedAt);
        }

        if (sighting is not null)
        {
            var planned = ownDevice is not null && endpoint.PlannedPort is not null;
            if (planned && (sighting.DeviceId != ownDevice || sighting.Port != endpoint.PlannedPort))
            {
                attributes["note"] = sighting.DeviceId == ownDevice
                    ? $"seen on {sighting.Port}, planned {endpoint.PlannedPort}"
                    : $"seen on {sighting.Port} of {sighting.DeviceId}, planned {endpoint.PlannedPort} of {ownDevice}";
                return Verdict(StateValue.Up, Reason.Of(ReasonCodes.EndpointRepatched, ("device", sighting.DeviceId), ("port", sighting.Port),
                    ("planned_device", ownDevice), ("planned_port", endpoint.PlannedPort)));
            }

            return Verdict(StateValue.Up, Reason.Of(ReasonCodes.EndpointSeen, ("device", sighting.DeviceId), ("port", sighting.Port)));
        }

        if (camera is { Online: true })
        {
            return Verdict(StateValue.Up, Reason.Of(ReasonCodes.EndpointCameraOnline));
        }

        if (icmp is { Reachable: true })
        {
            return Verdict(StateValue.Up, Reason.Of(ReasonCodes.EndpointIcmpReachable, ("address", endpoint.Address), ("rtt_ms", icmp.RoundTripMs)));
        }

        if (heartbeat is not null)
        {
            return Verdict(StateValue.Up, Reason.Of(ReasonCodes.EndpointHeartbeat));
        }

        if (portState?.Value == StateValue.Up)
        {
            return Verdict(StateValue.Up, Reason.Of(ReasonCodes.EndpointLinkUp, ("device", where.Device), ("port", where.Port)));
        }

        if (ownRead is { Port: null })
        {
            return Verdict(StateValue.Unknown, Reason.Of(ReasonCodes.EndpointMacNotSeen, ("device", ownRead.DeviceId), ("port", endpoint.PlannedPort)));
        }

        if (ownDevice is not null && _states.GetValueOrDefault(EntityRef.Device(ownDevice)) is { Value: StateValue.Down or StateValue.Unknown } device &&
            device.Reason.Code != ReasonCodes.NoEvidence)
        {
            return Verdict(StateValue.Unknown, Reason.Of(ReasonCodes.EndpointSwitchUnknown, ("device", ownDevice), ("cause", device.Reason.Code)));
        }

        if (LastEvidenceOf(endpoint) is { } last)
        {
            return Verdict(StateValue.Unknown, Reason.Of(ReasonCodes.Stale, ("source", last.Source), ("last", last.ObservedAt)));
        }

        return Verdict(StateValue.Unknown, Reason.Of(ReasonCodes.NoEvidence));
    }

    private void PutEndpoint(EntityRef entity, EntityState? current, EndpointVerdict verdict, DateTimeOffset now)
    {
        if (verdict.Value == StateValue.Unknown && current is not null)
        {
            // Stale or gone as the engine already said: keep its words rather than flap between two ways of saying it.
            if (current.Value == StateValue.Unknown && current.Reason.Code is ReasonCodes.Stale or ReasonCodes.SourceGone &&
                verdict.Reason.Code is ReasonCodes.Stale or ReasonCodes.NoEvidence)
            {
                return;
            }

            // A standby that took over holds the states it restored but none of the evidence behind them: they stand
            // until their own freshness runs out rather than all turning unknown at the takeover.
            if (verdict.Reason.Code == ReasonCodes.NoEvidence && current.Value is StateValue.Up or StateValue.Degraded or StateValue.Down &&
                current.ObservedAt + current.FreshFor > now)
            {
                return;
            }
        }

        var (observedAt, source, freshFor) = (now, "engine", DefaultFreshFor);
        if (verdict.Evidence.Count > 0)
        {
            var newest = verdict.Evidence.MaxBy(e => e.ObservedAt)!;
            var expires = verdict.Evidence.Max(e => e.ObservedAt + e.FreshFor);
            (observedAt, source, freshFor) = (newest.ObservedAt, newest.Source, expires - newest.ObservedAt);
        }

        var same = current is not null && current.Value == verdict.Value && current.Reason.Equals(verdict.Reason);
        var since = same ? current!.Since : verdict.Since ?? now;
        Put(new EntityState(entity, verdict.Value, verdict.Reason, since, observedAt, source, freshFor)
        {
            Metrics = verdict.Metrics,
            Attributes = verdict.Attributes,
        });
    }

    /// <summary>An endpoint is only deployed while its node is, and while one of its own assignments (if it has any) covers now.</summary>
    private Reason? EndpointNotDeployed(Endpoint endpoint, DateTimeOffset now)
    {
        if (_inventory.Nodes.ContainsKey(endpoint.NodeId) && !NodeDeployed(endpoint.NodeId, now))
        {
            return NotDeployedReason(endpoint.NodeId, now);
        }

        return endpoint.Assignments.Count > 0 && FleetInventory.PhaseOf(endpoint.Assignments, now) is var phase && phase != DeploymentPhase.Deployed
            ? Reason.Of(ReasonCodes.NotDeployed, ("endpoint", endpoint.Id), ("phase", phase))
            : null;
    }

    /// <summary>The switch of the endpoint's node: where it is planned to be patched.</summary>
    private string? OwnDeviceOf(Endpoint endpoint) =>
        _inventory.Nodes.TryGetValue(endpoint.NodeId, out var node) ? node.DeviceId : null;

    private static string PoeText(PoeDetection detection) => detection switch
    {
        PoeDetection.DeliveringPower => "delivering-power",
        PoeDetection.OtherFault => "other-fault",
        _ => detection.ToString().ToLowerInvariant(),
    };

    private static void Set(ImmutableSortedDictionary<string, string>.Builder attributes, string key, string? value)
    {
        if (value is not null)
        {
            attributes[key] = value;
        }
    }

    private sealed record EndpointVerdict(
        StateValue Value,
        Reason Reason,
        DateTimeOffset? Since,
        IReadOnlyList<Evidence> Evidence,
        ImmutableSortedDictionary<string, string> Attributes,
        ImmutableSortedDictionary<string, double> Metrics);
}
