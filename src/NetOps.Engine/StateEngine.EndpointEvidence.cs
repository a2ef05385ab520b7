using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Core.State;

namespace NetOps.Engine;

/// <summary>
/// Endpoint evidence: what the engine keeps about each camera and sensor (where its MAC address was last seen, PoE per
/// switch port, ICMP, MQTT heartbeats and camera status), the newest of each kind, and what it forgets when the
/// collector that gave it is gone. Connectivity is judged from it in StateEngine.Endpoints.cs.
/// </summary>
public sealed partial class StateEngine
{
    /// <summary>Per endpoint, per device that read its forwarding table: where the endpoint's MAC was seen (or not).</summary>
    private readonly Dictionary<string, Dictionary<string, MacSighting>> _sightings = new(StringComparer.Ordinal);

    /// <summary>Per device, the PoE status of its ports as last read.</summary>
    private readonly Dictionary<string, PoeReading> _poeByDevice = new(StringComparer.Ordinal);

    private readonly Dictionary<string, EndpointHeartbeatObservation> _heartbeats = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CameraStatusObservation> _cameraStatus = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EndpointReachabilityObservation> _icmp = new(StringComparer.Ordinal);

    private EndpointIndex? _endpointIndex;

    /// <summary>A retained camera status without a freshness holds until the next status (a year stands for that).</summary>
    private static TimeSpan CameraFreshFor(CameraStatusObservation status) => status.FreshFor ?? TimeSpan.FromDays(365);

    /// <summary>
    /// A forwarding table and PoE status from one switch. A MAC address is where it is seen on an access port: every
    /// MAC behind a switch also appears on the uplink of each switch between it and the core, so entries on ports that
    /// are a planned link's end are not sightings. When several access ports of one switch hold the same MAC (a loop, a
    /// hub) the endpoint's planned port wins, else the first by name.
    /// </summary>
    partial void ApplyForwarding(Device device, DevicePollObservation poll)
    {
        if (poll.Poe is { } poe)
        {
            _poeByDevice[device.Id] = new PoeReading(
                poe.GroupBy(p => p.Port, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal),
                poll.ObservedAt, poll.Source, FreshForSection(device, poll, PollSections.Poe));
        }

        if (poll.Forwarding is not { } table)
        {
            return;
        }

        var index = IndexEndpoints();
        var onAccessPorts = table
            .Where(e => !index.Uplinks.Contains((device.Id, e.Port)))
            .ToLookup(e => MacAddress.Normalise(e.Mac), StringComparer.Ordinal);
        foreach (var endpoint in _inventory.Endpoints.Values)
        {
            var own = OwnDeviceOf(endpoint) == device.Id;
            var entries = onAccessPorts[MacAddress.Normalise(endpoint.Mac)].ToList();
            if (!_sightings.TryGetValue(endpoint.Id, out var byDevice))
            {
                if (entries.Count == 0 && !own)
                {
                    continue;
                }

                _sightings[endpoint.Id] = byDevice = new Dictionary<string, MacSighting>(StringComparer.Ordinal);
            }

            if (entries.Count == 0 && !own)
            {
                byDevice.Remove(device.Id);
                continue;
            }

            var entry = entries.FirstOrDefault(e => own && e.Port == endpoint.PlannedPort)
                        ?? entries.OrderBy(e => e.Port, StringComparer.Ordinal).FirstOrDefault();
            // Where the MAC was last seen on this switch outlives its leaving the table: a camera that lost power or its
            // cable is judged by the port it was last on, which may not be its planned one.
            var lastPort = entry?.Port ?? (byDevice.GetValueOrDefault(device.Id) is { } before ? before.Port ?? before.LastPort : null);
            byDevice[device.Id] = new MacSighting(device.Id, entry?.Port, entry?.Vlan, poll.ObservedAt, poll.Source,
                FreshForSection(device, poll, PollSections.Forwarding)) { LastPort = lastPort };
        }
    }

    /// <summary>Heartbeats, camera status and ICMP results about one endpoint; the newest of each kind counts.</summary>
    partial void ApplyEndpointEvidence(Observation observation)
    {
        switch (observation)
        {
            case EndpointHeartbeatObservation heartbeat when _inventory.Endpoints.ContainsKey(heartbeat.EndpointId):
                KeepNewest(_heartbeats, heartbeat.EndpointId, heartbeat);
                break;
            case CameraStatusObservation camera when _inventory.Endpoints.ContainsKey(camera.EndpointId):
                KeepNewest(_cameraStatus, camera.EndpointId, camera);
                break;
            case EndpointReachabilityObservation icmp when _inventory.Endpoints.ContainsKey(icmp.EndpointId):
                KeepNewest(_icmp, icmp.EndpointId, icmp);
                break;
        }
    }

    /// <summary>
    /// After a collector's last will the engine turned this endpoint (or its switch) unknown: evidence that collector
    /// gave before it went must not bring the endpoint back, so it is dropped here.
    /// </summary>
    private void ForgetGoneEvidence(Endpoint endpoint, EntityState? current)
    {
        static bool GoneBy(EntityState? state, string source, DateTimeOffset observedAt) =>
            state is { Value: StateValue.Unknown, Reason.Code: ReasonCodes.SourceGone } &&
            state.Reason["source"] == CollectorOf(source) && observedAt <= state.Since;

        if (_sightings.TryGetValue(endpoint.Id, out var byDevice))
        {
            foreach (var (deviceId, sighting) in byDevice.ToList())
            {
                if (GoneBy(current, sighting.Source, sighting.ObservedAt) ||
                    GoneBy(_states.GetValueOrDefault(EntityRef.Device(deviceId)), sighting.Source, sighting.ObservedAt))
                {
                    byDevice.Remove(deviceId);
                }
            }
        }

        foreach (var (deviceId, reading) in _poeByDevice.ToList())
        {
            if (GoneBy(_states.GetValueOrDefault(EntityRef.Device(deviceId)), reading.Source, reading.ObservedAt))
            {
                _poeByDevice.Remove(deviceId);
            }
        }

        if (_heartbeats.GetValueOrDefault(endpoint.Id) is { } h && GoneBy(current, h.Source, h.ObservedAt))
        {
            _heartbeats.Remove(endpoint.Id);
        }

        if (_cameraStatus.GetValueOrDefault(endpoint.Id) is { } c && GoneBy(current, c.Source, c.ObservedAt))
        {
            _cameraStatus.Remove(endpoint.Id);
        }

        if (_icmp.GetValueOrDefault(endpoint.Id) is { } i && GoneBy(current, i.Source, i.ObservedAt))
        {
            _icmp.Remove(endpoint.Id);
        }
    }

    /// <summary>The newest evidence ever kept about an endpoint, fresh or not.</summary>
    private Evidence? LastEvidenceOf(Endpoint endpoint)
    {
        var all = new List<Evidence>();
        if (_sightings.TryGetValue(endpoint.Id, out var byDevice))
        {
            all.AddRange(byDevice.Values.Select(s => new Evidence(s.ObservedAt, s.Source, s.FreshFor)));
        }

        if (_heartbeats.GetValueOrDefault(endpoint.Id) is { } h)
        {
            all.Add(new Evidence(h.ObservedAt, h.Source, h.FreshFor));
        }

        if (_cameraStatus.GetValueOrDefault(endpoint.Id) is { } c)
        {
            all.Add(new Evidence(c.ObservedAt, c.Source, CameraFreshFor(c)));
        }

        if (_icmp.GetValueOrDefault(endpoint.Id) is { } i)
        {
            all.Add(new Evidence(i.ObservedAt, i.Source, i.FreshFor));
        }

        return all.MaxBy(e => e.ObservedAt);
    }

    private EndpointIndex IndexEndpoints()
    {
        if (_endpointIndex is null || !ReferenceEquals(_endpointIndex.Inventory, _inventory))
        {
            var uplinks = _inventory.Links.Values
                .SelectMany(l => new[] { (l.A.DeviceId, l.A.Port), (l.B.DeviceId, l.B.Port) })
                .ToHashSet();
            _endpointIndex = new EndpointIndex(_inventory, uplinks);
        }

        return _endpointIndex;
    }

    private static void KeepNewest<T>(Dictionary<string, T> evidence, string endpointId, T observation)
        where T : Observation
    {
        if (!evidence.TryGetValue(endpointId, out var held) || held.ObservedAt <= observation.ObservedAt)
        {
            evidence[endpointId] = observation;
        }
    }

    /// <summary>Where one switch saw an endpoint's MAC on an access port; Port null: its table did not hold the MAC.</summary>
    private sealed record MacSighting(string DeviceId, string? Port, int? Vlan, DateTimeOffset ObservedAt, string Source, TimeSpan FreshFor)
    {
        /// <summary>The access port this switch last saw the MAC on, also after it left the table.</summary>
        public string? LastPort { get; init; }
    }

    private sealed record PoeReading(Dictionary<string, PoePortStatus> Ports, DateTimeOffset ObservedAt, string Source, TimeSpan FreshFor);

    private sealed record Evidence(DateTimeOffset ObservedAt, string Source, TimeSpan FreshFor);

    private sealed record EndpointIndex(FleetInventory Inventory, HashSet<(string DeviceId, string Port)> Uplinks);
}
