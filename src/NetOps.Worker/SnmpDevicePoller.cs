using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Inventory;
using NetOps.Snmp;

namespace NetOps.Worker;

/// <summary>
/// Polls one device's status and counters over SNMP (sysUpTime, IF-MIB ifTable/ifXTable) and turns the answer
/// into a <see cref="DevicePollObservation"/>. Interfaces are matched by ifName; the ifIndex is read afresh each time.
/// </summary>
public sealed partial class SnmpDevicePoller(
    SnmpClient client,
    ICredentialStore credentials,
    IOptions<CollectorOptions> options,
    TimeProvider time,
    IEnumerable<IPollSection>? sections = null,
    ILogger<SnmpDevicePoller>? logger = null)
{
    internal static readonly Oid SysUpTime = Oid.Parse("1.3.6.1.2.1.1.3.0");
    internal static readonly Oid IfEntry = Oid.Parse("1.3.6.1.2.1.2.2.1");
    internal static readonly Oid IfXEntry = Oid.Parse("1.3.6.1.2.1.31.1.1.1");

    private const uint IfAdminStatus = 7, IfOperStatus = 8, IfInOctets = 10, IfOutOctets = 16;
    private const uint IfName = 1, IfHcInOctets = 6, IfHcOutOctets = 10, IfHighSpeed = 15;

    private readonly ObservationSequence _sequence = new(options.Value.Name);
    private readonly ConcurrentDictionary<string, FrozenDictionary<int, string>> _portNames = new(StringComparer.Ordinal);

    public string Source => _sequence.Source;

    /// <summary>The ifName of <paramref name="ifIndex"/> on the device as its last successful poll mapped it, or null.</summary>
    public string? PortName(string deviceId, int ifIndex) =>
        _portNames.TryGetValue(deviceId, out var names) && names.TryGetValue(ifIndex, out var name) ? name : null;

    public Task<DevicePollObservation> PollAsync(Device device, CancellationToken cancellationToken) =>
        PollAsync(device, PollSections.Interfaces, cancellationToken);

    /// <summary>Polls the <paramref name="wanted"/> sections of a device; reachability (sysUpTime) always.</summary>
    public async Task<DevicePollObservation> PollAsync(Device device, PollSections wanted, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var freshFor = settings.PollInterval * settings.FreshnessFactor;
        try
        {
            var target = TargetOf(device, settings);
            var upTime = await client.GetAsync(target, SysUpTime, cancellationToken).ConfigureAwait(false);
            var names = await client.GetTableAsync(target, IfXEntry, [IfName, IfHcInOctets, IfHcOutOctets, IfHighSpeed], cancellationToken).ConfigureAwait(false);
            var status = await client.GetTableAsync(target, IfEntry, [IfAdminStatus, IfOperStatus, IfInOctets, IfOutOctets], cancellationToken).ConfigureAwait(false);
            var byIndex = status.Rows.ToDictionary(r => r.Index, r => r);
            var ports = new List<PortSample>(names.Rows.Count);
            foreach (var row in names.Rows)
            {
                if (!row.TryGet(IfName, out var name) || row.Index.Length != 1)
                {
                    continue;
                }

                byIndex.TryGetValue(row.Index, out var statusRow);
                ports.Add(new PortSample(
                    name.AsString(),
                    (int)row.Index[0],
                    Status(statusRow, IfAdminStatus),
                    Status(statusRow, IfOperStatus),
                    Counter(row, IfHcInOctets) ?? Counter(statusRow, IfInOctets),
                    Counter(row, IfHcOutOctets) ?? Counter(statusRow, IfOutOctets),
                    row.TryGet(IfHighSpeed, out var speed) && speed.IsNumeric ? (long)speed.AsUInt64() : null));
            }

            RememberPorts(device.Id, ports);
            var ticks = upTime.Value.IsNumeric ? upTime.Value.AsUInt64() : (ulong?)null;
            var poll = new DevicePollObservation(_sequence.Source, _sequence.Next(), time.GetUtcNow(), device.Id, true,
                ticks is { } t ? TimeSpan.FromMilliseconds(t * 10d) : null, null, ports, freshFor)
            {
                Sections = PollSections.Interfaces,
            };
            return await ReadSectionsAsync(device, target, wanted, poll, cancellationToken).ConfigureAwait(false);
        }
        catch (SnmpException e)
        {
            return Unreachable(device, Describe(e), freshFor);
        }
        catch (CredentialException e)
        {
            return Unreachable(device, e.Message, freshFor);
        }
    }

    private async Task<DevicePollObservation> ReadSectionsAsync(
        Device device, Snmp.SnmpTarget target, PollSections wanted, DevicePollObservation poll, CancellationToken cancellationToken)
    {
        var ports = _portNames.TryGetValue(device.Id, out var names) ? names : FrozenDictionary<int, string>.Empty;
        foreach (var section in (sections ?? []).Where(s => (s.Sections & wanted) != 0))
        {
            try
            {
                poll = await section.ReadAsync(client, target, ports, poll, cancellationToken).ConfigureAwait(false);
                poll = poll with { Sections = poll.Sections | (section.Sections & wanted) };
            }
            catch (SnmpException e)
            {
                // The device answered its interfaces: one table it cannot serve does not make it unreachable.
                LogSectionFailed(logger ?? NullLogger<SnmpDevicePoller>.Instance, device.Id, section.Sections, Describe(e));
            }
        }

        return poll;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Poll of {Device}: {Sections} not read: {Reason}")]
    private static partial void LogSectionFailed(ILogger logger, string device, PollSections sections, string reason);

    /// <summary>Keeps the device's ifIndex → ifName map: ifIndex may change on a reboot and traps name interfaces by it.</summary>
    internal void RememberPorts(string deviceId, IEnumerable<PortSample> ports) =>
        _portNames[deviceId] = ports.DistinctBy(p => p.IfIndex).ToFrozenDictionary(p => p.IfIndex, p => p.Name);

    private DevicePollObservation Unreachable(Device device, string error, TimeSpan freshFor) =>
        new(_sequence.Source, _sequence.Next(), time.GetUtcNow(), device.Id, false, null, error, [], freshFor);

    private Snmp.SnmpTarget TargetOf(Device device, CollectorOptions settings)
    {
        var name = device.Snmp.CredentialRef;
        if (!credentials.TryResolve(name, out var secret))
        {
            throw new CredentialException($"credential '{name}' is not defined");
        }

        var target = new Snmp.SnmpTarget(new IPEndPoint(IPAddress.Parse(device.Snmp.Host), device.Snmp.Port))
        {
            Timeout = settings.Timeout,
            Retries = settings.Retries,
        };
        return device.Snmp.Version switch
        {
            // The parsed user compares equal from poll to poll, so the client keeps its localised keys.
            SnmpVersionSetting.V3 => SnmpV3Credential.TryParse(secret.Reveal(), out var security, out var error)
                ? target with { Version = SnmpVersion.V3, V3 = security }
                : throw new CredentialException($"credential '{name}' is not an SNMPv3 credential: {error}"),
            SnmpVersionSetting.V1 => target with { Version = SnmpVersion.V1, Community = secret.Reveal() },
            _ => target with { Version = SnmpVersion.V2c, Community = secret.Reveal() },
        };
    }

    private static bool? Status(SnmpTableRow? row, uint column) =>
        row is not null && row.TryGet(column, out var value) && value.IsNumeric ? value.AsInt64() == 1 : null;

    private static ulong? Counter(SnmpTableRow? row, uint column) =>
        row is not null && row.TryGet(column, out var value) && value.IsNumeric ? value.AsUInt64() : null;

    /// <summary>A reason a person can read; never the community, a pass phrase or a packet.</summary>
    private static string Describe(SnmpException e) => e switch
    {
        SnmpTimeoutException => "timeout",
        SnmpSecurityException security => security.Message, // names device, user and reason, never a pass phrase
        SnmpDecodeException => "malformed response",
        SnmpErrorException error => error.Message,
        _ => e.GetType().Name,
    };

    /// <summary>A credential that is not defined or cannot serve the device's SNMP version; its message names no secret.</summary>
    private sealed class CredentialException(string message) : Exception(message);
}
