using System.Globalization;
using System.Text;
using NetOps.Core.Inventory;
using NetOps.Snmp;

namespace NetOps.Simulator;

/// <summary>What a switch hears on one port over LLDP: the neighbour's chassis, name and port, as it advertises them.</summary>
public sealed record LldpAdvertisement(byte[] ChassisId, string SysName, int PortIdSubtype, byte[] PortId, string PortDescription);

/// <summary>
/// LLDP-MIB as real devices of each class serve it. Port ids differ by class on purpose, as they do in the field:
/// core and access switches (Cisco-like) advertise the ifName (subtype interfaceName) with lldpLocPortNum = ifIndex;
/// MOGLI switches (Juniper-like) advertise the ifIndex as text (subtype local) under lldpLocPortNum = 500 + ifIndex;
/// site switches advertise the port's MAC address as 6 raw bytes (subtype macAddress) with only the ifAlias as
/// description. The chassis id is a stable MAC derived from the device id.
/// </summary>
public sealed partial class SimulatedSwitch
{
    private static readonly Oid LocalSystem = Oid.Parse("1.0.8802.1.1.2.1.3");
    private static readonly Oid LocPortEntry = Oid.Parse("1.0.8802.1.1.2.1.3.7.1");
    private static readonly Oid RemEntry = Oid.Parse("1.0.8802.1.1.2.1.4.1.1");

    private readonly Lock _lldpGate = new();
    private readonly List<Oid> _remoteRows = [];

    /// <summary>The chassis id a simulated device advertises: a locally administered MAC from its id.</summary>
    public static byte[] ChassisMac(string deviceId)
    {
        var hash = global::System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(deviceId));
        return [0x02, 0x4e, 0x4f, hash[0], hash[1], hash[2]];
    }

    /// <summary>What <paramref name="device"/> advertises on <paramref name="port"/>; null when it has no such port.</summary>
    public static LldpAdvertisement? AdvertisementOf(Device device, string port)
    {
        ArgumentNullException.ThrowIfNull(device);
        var index = IndexOf(device, port);
        if (index == 0)
        {
            return null;
        }

        var (_, subtype, id, description) = LocalPort(device, index);
        return new LldpAdvertisement(ChassisMac(device.Id), device.SysName ?? device.Id, subtype, id, description);
    }

    /// <summary>A neighbour that is no inventory device (a laptop, a foreign switch): interfaceName "eth0", chassis from its name.</summary>
    public static LldpAdvertisement Foreign(string sysName) =>
        new(ChassisMac("foreign:" + sysName), sysName, 5, Encoding.UTF8.GetBytes("eth0"), "eth0");

    /// <summary>
    /// Replaces what the switch hears over LLDP: the advertisements per local port (ifName). Ports not named hear
    /// nothing, as when a link goes down and the neighbour ages out.
    /// </summary>
    public void SetNeighbours(IReadOnlyDictionary<string, IReadOnlyList<LldpAdvertisement>> neighbours)
    {
        ArgumentNullException.ThrowIfNull(neighbours);
        lock (_lldpGate)
        {
            foreach (var oid in _remoteRows)
            {
                View.Remove(oid);
            }

            _remoteRows.Clear();
            // lldpRemTimeMark: when the entry was (re)learned, as sysUpTime.
            var timeMark = UpTimeTicks();
            foreach (var (port, heard) in neighbours)
            {
                var index = IndexOf(Device, port);
                if (index == 0)
                {
                    continue;
                }

                var (localNum, _, _, _) = LocalPort(Device, index);
                for (var i = 0; i < heard.Count; i++)
                {
                    var peer = heard[i];
                    var row = new Oid([timeMark, localNum, (uint)(i + 1)]);
                    void Cell(uint column, SnmpValue value)
                    {
                        var oid = RemEntry.Append(column).Append(row);
                        View.Set(oid, value);
                        _remoteRows.Add(oid);
                    }

                    Cell(4, SnmpValue.Integer(4));
                    Cell(5, SnmpValue.OctetString(peer.ChassisId));
                    Cell(6, SnmpValue.Integer(peer.PortIdSubtype));
                    Cell(7, SnmpValue.OctetString(peer.PortId));
                    Cell(8, SnmpValue.OctetString(peer.PortDescription));
                    Cell(9, SnmpValue.OctetString(peer.SysName));
                }
            }
        }
    }

    /// <summary>The planned neighbours of a device: for each planned link with an end here, the other end's advertisement.</summary>
    public static Dictionary<string, IReadOnlyList<LldpAdvertisement>> PlannedNeighbours(Device device, FleetInventory fleet)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(fleet);
        var heard = new Dictionary<string, IReadOnlyList<LldpAdvertisement>>(StringComparer.Ordinal);
        foreach (var link in fleet.Links.Values.OrderBy(l => l.Id, StringComparer.Ordinal))
        {
            foreach (var (here, there) in new[] { (link.A, link.B), (link.B, link.A) })
            {
                if (here.DeviceId == device.Id && fleet.Devices.TryGetValue(there.DeviceId, out var peer) &&
                    AdvertisementOf(peer, there.Port) is { } advertisement)
                {
                    heard[here.Port] = [advertisement];
                }
            }
        }

        return heard;
    }

    partial void AddNeighbours(FleetInventory fleet)
    {
        View.Set(LocalSystem.Append(1, 0), SnmpValue.Integer(4));
        View.Set(LocalSystem.Append(2, 0), SnmpValue.OctetString(ChassisMac(Device.Id)));
        View.Set(LocalSystem.Append(3, 0), SnmpValue.OctetString(Device.SysName ?? Device.Id));
        for (var i = 1; i <= Device.Ports.Count; i++)
        {
            var (num, subtype, id, description) = LocalPort(Device, i);
            View.Set(LocPortEntry.Append(2, num), SnmpValue.Integer(subtype));
            View.Set(LocPortEntry.Append(3, num), SnmpValue.OctetString(id));
            View.Set(LocPortEntry.Append(4, num), SnmpValue.OctetString(description));
        }

        SetNeighbours(PlannedNeighbours(Device, fleet));
    }

    /// <summary>The ifIndex of a port (its position in the plan, from 1), or 0.</summary>
    private static int IndexOf(Device device, string port)
    {
        for (var i = 0; i < device.Ports.Count; i++)
        {
            if (device.Ports[i].Name == port)
            {
                return i + 1;
            }
        }

        return 0;
    }

    /// <summary>lldpLocPortNum, port id subtype, port id and port description of a port, by device class.</summary>
    private static (uint Num, int Subtype, byte[] Id, string Description) LocalPort(Device device, int ifIndex)
    {
        var plan = device.Ports[ifIndex - 1];
        return device.Class switch
        {
            DeviceClass.MobileSwitch => ((uint)(500 + ifIndex), 7, Encoding.ASCII.GetBytes(ifIndex.ToString(CultureInfo.InvariantCulture)), plan.Name),
            // The port's ifPhysAddress, as AddInterface serves it.
            DeviceClass.Site => ((uint)ifIndex, 3, [0x02, 0x00, 0x5e, (byte)(ifIndex >> 8), (byte)ifIndex, 0x01], plan.Description ?? ""),
            _ => ((uint)ifIndex, 5, Encoding.UTF8.GetBytes(plan.Name), plan.Description ?? plan.Name),
        };
    }
}
