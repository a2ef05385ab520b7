using Microsoft.Extensions.Logging;
using NetOps.Core.Inventory;

namespace NetOps.Simulator;

/// <summary>
/// LLDP as the field shows it: each switch hears its planned peers over links that are up; a patch cable can be moved
/// to another port (a miswire) and a foreign device can turn up on a port.
/// </summary>
public sealed partial class SimulatedFleet
{
    private readonly Dictionary<string, (LinkEnd End, string OtherPort)> _miswired = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Device, string Port), string> _foreign = [];

    /// <summary>
    /// Moves one end of a link to another port of the same switch: the planned port goes down, the other port comes up,
    /// and both switches hear each other there. <paramref name="end"/> is "a" or "b". False when there is no such link,
    /// end or port.
    /// </summary>
    public bool Miswire(string linkId, string end, string otherPort)
    {
        if (!inventory.Current.Links.TryGetValue(linkId, out var link) || end is not ("a" or "b"))
        {
            return false;
        }

        var moved = end == "a" ? link.A : link.B;
        if (!inventory.Current.Devices.TryGetValue(moved.DeviceId, out var device) || device.Ports.All(p => p.Name != otherPort) || otherPort == moved.Port)
        {
            return false;
        }

        lock (_topology)
        {
            _miswired[linkId] = (moved, otherPort);
        }

        ApplyTopology();
        LogMiswired(_logger, linkId, moved.DeviceId, moved.Port, otherPort);
        return true;
    }

    /// <summary>A device that is not in the inventory appears on a port (which comes up) and speaks LLDP there.</summary>
    public bool AddUnexpectedNeighbour(string deviceId, string port, string sysName)
    {
        if (!inventory.Current.Devices.TryGetValue(deviceId, out var device) || device.Ports.All(p => p.Name != port) || string.IsNullOrWhiteSpace(sysName))
        {
            return false;
        }

        lock (_topology)
        {
            _foreign[(deviceId, port)] = sysName;
        }

        ApplyTopology();
        LogForeign(_logger, deviceId, port);
        return true;
    }

    /// <summary>Undoes every miswire and foreign neighbour: the cabling is as planned again.</summary>
    public void RestoreWiring()
    {
        lock (_topology)
        {
            _miswired.Clear();
            _foreign.Clear();
        }

        ApplyTopology();
        LogWiringRestored(_logger);
    }

    /// <summary>
    /// Called at the end of ApplyTopology, under its lock, after the planned ports got their status: sets the ports a
    /// miswire or a foreign device touches, and what every switch hears. A neighbour is heard only over an up link.
    /// </summary>
    partial void ApplyLldp()
    {
        var fleet = inventory.Current;
        var heard = _switches.Keys.ToDictionary(id => id, _ => new Dictionary<string, List<LldpAdvertisement>>(StringComparer.Ordinal), StringComparer.Ordinal);
        void Hear(string device, string port, LldpAdvertisement? advertisement)
        {
            if (advertisement is not null && heard.TryGetValue(device, out var ports))
            {
                (ports.TryGetValue(port, out var list) ? list : ports[port] = []).Add(advertisement);
            }
        }

        void SetPort(string device, string port, bool up)
        {
            if (_switches.TryGetValue(device, out var entry))
            {
                entry.Switch.SetOperUp(port, up);
            }
        }

        foreach (var link in fleet.Links.Values.OrderBy(l => l.Id, StringComparer.Ordinal))
        {
            if (!fleet.Devices.TryGetValue(link.A.DeviceId, out var a) || !fleet.Devices.TryGetValue(link.B.DeviceId, out var b))
            {
                continue;
            }

            var up = !_cutLinks.Contains(link.Id) && !_poweredOff.Contains(a.Id) && !_poweredOff.Contains(b.Id);
            var (endA, endB) = (link.A, link.B);
            if (_miswired.TryGetValue(link.Id, out var miswire))
            {
                // The cable left the planned port: it is dark; the other port carries the link now.
                SetPort(miswire.End.DeviceId, miswire.End.Port, false);
                SetPort(miswire.End.DeviceId, miswire.OtherPort, up);
                (endA, endB) = miswire.End == link.A ? (link.A with { Port = miswire.OtherPort }, link.B) : (link.A, link.B with { Port = miswire.OtherPort });
            }

            if (up)
            {
                Hear(endA.DeviceId, endA.Port, SimulatedSwitch.AdvertisementOf(b, endB.Port));
                Hear(endB.DeviceId, endB.Port, SimulatedSwitch.AdvertisementOf(a, endA.Port));
            }
        }

        foreach (var ((device, port), sysName) in _foreign)
        {
            if (!_poweredOff.Contains(device))
            {
                SetPort(device, port, true);
                Hear(device, port, SimulatedSwitch.Foreign(sysName));
            }
        }

        foreach (var (id, entry) in _switches)
        {
            entry.Switch.SetNeighbours(heard[id].ToDictionary(kv => kv.Key, kv => (IReadOnlyList<LldpAdvertisement>)kv.Value, StringComparer.Ordinal));
        }
    }

    partial void ApplyLldp();

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulator: link {Link} miswired, {Device} {Port} moved to {OtherPort}")]
    private static partial void LogMiswired(ILogger logger, string link, string device, string port, string otherPort);

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulator: foreign LLDP neighbour on {Device} {Port}")]
    private static partial void LogForeign(ILogger logger, string device, string port);

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulator: wiring restored as planned")]
    private static partial void LogWiringRestored(ILogger logger);
}
