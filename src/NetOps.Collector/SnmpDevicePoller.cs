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

namespace NetOps.Collector;

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

    // ifEntry columns (RFC 2863)
    private const uint IfDescr = 2, IfSpeed = 5, IfAdminStatus = 7, IfOperStatus = 8, IfLastChange = 9, IfInOctets = 10,
        IfInUcastPkts = 11, IfInDiscards = 13, IfInErrors = 14, IfOutOctets = 16, IfOutUcastPkts = 17, IfOutDiscards = 19, IfOutErrors = 20;

    // ifXEntry columns
    private const uint IfName = 1, IfInMulticastPkts = 2, IfInBroadcastPkts = 3, IfOutMulticastPkts = 4, IfOutBroadcastPkts = 5,
        IfHcInOctets = 6, IfHcInUcastPkts = 7, IfHcInMulticastPkts = 8, IfHcInBroadcastPkts = 9, IfHcOutOctets = 10,
        IfHcOutUcastPkts = 11, IfHcOutMulticastPkts = 12, IfHcOutBroadcastPkts = 13, IfHighSpeed = 15, IfAlias = 18,
        IfCounterDiscontinuityTime = 19;

    private static readonly uint[] IfEntryColumns =
    [
        IfDescr, IfSpeed, IfAdminStatus, IfOperStatus, IfLastChange, IfInOctets, IfInUcastPkts, IfInDiscards, IfInErrors,
        IfOutOctets, IfOutUcastPkts, IfOutDiscards, IfOutErrors,
    ];

    private static readonly uint[] IfXEntryColumns =
    [
        IfName, IfInMulticastPkts, IfInBroadcastPkts, IfOutMulticastPkts, IfOutBroadcastPkts, IfHcInOctets, IfHcInUcastPkts,
        IfHcInMulticastPkts, IfHcInBroadcastPkts, IfHcOutOctets, IfHcOutUcastPkts, IfHcOutMulticastPkts, IfHcOutBroadcastPkts,
        IfHighSpeed, IfAlias, IfCounterDiscontinuityTime,
    ];

    /// <summary>ifSpeed's value for "faster than a Gauge32 can say": ifHighSpeed must be read instead.</summary>
    private const ulong IfSpeedSaturated = uint.MaxValue;

    private readonly ObservationSequence _sequence = new(options.Value.MemberName);
    private readonly ConcurrentDictionary<string, FrozenDictionary<int, string>> _portNames = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ulong?> _upTimes = new(StringComparer.Ordinal);

    public string Source => _sequence.Source;

    /// <summary>Hands a poll of this poller on, numbered in publishing order (polls of many devices finish in any order).</summary>
    public ValueTask PublishAsync(IObservationSink sink, DevicePollObservation poll, CancellationToken cancellationToken) =>
        _sequence.PublishAsync(sink, poll, cancellationToken);

    /// <summary>The ifName of <paramref name="ifIndex"/> on the device as its last successful poll mapped it, or null.</summary>
    public string? PortName(string deviceId, int ifIndex) =>
        _portNames.TryGetValue(deviceId, out var names) && names.TryGetValue(ifIndex, out var name) ? name : null;

    public Task<DevicePollObservation> PollAsync(Device device, CancellationToken cancellationToken) =>
        PollAsync(device, PollSections.Interfaces, cancellationToken);

    /// <summary>Polls the <paramref name="wanted"/> sections of a device; reachability (sysUpTime) always.</summary>
    public Task<DevicePollObservation> PollAsync(Device device, PollSections wanted, CancellationToken cancellationToken) =>
        PollAsync(device, wanted, options.Value.PollInterval ?? CollectorOptions.DefaultInterval, cancellationToken);

    /// <summary>
    /// Polls the <paramref name="wanted"/> sections of a device that is polled every <paramref name="interval"/> (its
    /// evidence stays fresh for that times the freshness factor). Interfaces come first: they map ifIndex to ifName for
    /// the other sections; without the Interfaces section only the names are read.
    /// </summary>
    public async Task<DevicePollObservation> PollAsync(Device device, PollSections wanted, TimeSpan interval, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        var settings = options.Value;
        var freshFor = interval * settings.FreshnessFactor;
        var started = time.GetUtcNow();
        try
        {
            var target = TargetOf(device, settings);
            var upTime = await client.GetAsync(target, SysUpTime, cancellationToken).ConfigureAwait(false);
            var interfaces = wanted.HasFlag(PollSections.Interfaces);
            var ticks = upTime.Value.IsNumeric ? upTime.Value.AsUInt64() : (ulong?)null;
            List<PortSample> ports = [];
            if (interfaces || !NamesStillHold(device.Id, ticks))
            {
                // Another section's poll needs the names only to map ifIndex: those of the last poll serve until the device
                // restarts (its uptime goes back), when ifIndexes may be numbered anew.
                ports = await ReadInterfacesAsync(target, interfaces, cancellationToken).ConfigureAwait(false);
                RememberPorts(device.Id, ports);
            }

            _upTimes[device.Id] = ticks;
            var poll = new DevicePollObservation(_sequence.Source, _sequence.Next(), time.GetUtcNow(), device.Id, true,
                ticks is { } t ? TimeSpan.FromMilliseconds(t * 10d) : null, null, interfaces ? ports : [], freshFor)
            {
                Sections = interfaces ? PollSections.Interfaces : PollSections.None,
                StartedAt = started,
            };
            return await ReadSectionsAsync(device, target, wanted, poll, cancellationToken).ConfigureAwait(false);
        }
        catch (SnmpException e)
        {
            return Unreachable(device, Describe(e), freshFor, started);
        }
        catch (CredentialException e)
        {
            return Unreachable(device, e.Message, freshFor, started);
        }
    }

    /// <summary>
    /// IF-MIB's ifTable and ifXTable, joined by ifIndex, one sample per interface named by ifName (ifDescr on devices
    /// without ifXTable). Traffic counters are the 64-bit HC columns where a row has them, else the 32-bit ones; a sample
    /// says which. With <paramref name="full"/> false only the names are read (for the ifIndex map of other sections).
    /// </summary>
    private async Task<List<PortSample>> ReadInterfacesAsync(Snmp.SnmpTarget target, bool full, CancellationToken cancellationToken)
    {
        var extended = await client.GetTableAsync(target, IfXEntry, full ? IfXEntryColumns : [IfName], cancellationToken).ConfigureAwait(false);
        var byIndex = extended.Rows.Where(r => r.Index.Length == 1).ToDictionary(r => (int)r.Index[0]);
        SnmpTable? basic = null;
        if (full || byIndex.Count == 0 || byIndex.Values.Any(r => !r.TryGet(IfName, out _)))
        {
            basic = await client.GetTableAsync(target, IfEntry, full ? IfEntryColumns : [IfDescr], cancellationToken).ConfigureAwait(false);
        }

        var indexes = byIndex.Keys.Concat(basic?.Rows.Where(r => r.Index.Length == 1).Select(r => (int)r.Index[0]) ?? []).Distinct().Order();
        var rows = basic?.Rows.Where(r => r.Index.Length == 1).ToDictionary(r => (int)r.Index[0]) ?? [];
        var ports = new List<PortSample>();
        foreach (var index in indexes)
        {
            byIndex.TryGetValue(index, out var x);
            rows.TryGetValue(index, out var row);
            var name = Text(x, IfName) ?? Text(row, IfDescr);
            if (string.IsNullOrEmpty(name))
            {
                continue;
            }

            if (!full)
            {
                ports.Add(new PortSample(name, index, null, null, null, null, null));
                continue;
            }

            // A row with HC octets is read as 64-bit throughout; one without falls back to the 32-bit columns.
            var hc = Counter(x, IfHcInOctets) is not null || Counter(x, IfHcOutOctets) is not null;
            var speedMbps = Counter(x, IfHighSpeed) is { } high and > 0 ? (long)high
                : Counter(row, IfSpeed) is { } bps and < IfSpeedSaturated ? (long)(bps / 1_000_000) : (long?)Counter(x, IfHighSpeed);
            ports.Add(new PortSample(
                name,
                index,
                Status(row, IfAdminStatus),
                Status(row, IfOperStatus),
                hc ? Counter(x, IfHcInOctets) : Counter(row, IfInOctets),
                hc ? Counter(x, IfHcOutOctets) : Counter(row, IfOutOctets),
                speedMbps)
            {
                CounterBits = hc ? 64 : 32,
                InUcastPkts = hc ? Counter(x, IfHcInUcastPkts) : Counter(row, IfInUcastPkts),
                OutUcastPkts = hc ? Counter(x, IfHcOutUcastPkts) : Counter(row, IfOutUcastPkts),
                InMulticastPkts = hc ? Counter(x, IfHcInMulticastPkts) : Counter(x, IfInMulticastPkts),
                OutMulticastPkts = hc ? Counter(x, IfHcOutMulticastPkts) : Counter(x, IfOutMulticastPkts),
                InBroadcastPkts = hc ? Counter(x, IfHcInBroadcastPkts) : Counter(x, IfInBroadcastPkts),
                OutBroadcastPkts = hc ? Counter(x, IfHcOutBroadcastPkts) : Counter(x, IfOutBroadcastPkts),
                InErrors = Counter(row, IfInErrors),
                OutErrors = Counter(row, IfOutErrors),
                InDiscards = Counter(row, IfInDiscards),
                OutDiscards = Counter(row, IfOutDiscards),
                LastChangeTicks = Counter(row, IfLastChange) is { } changed ? (uint)changed : null,
                DiscontinuityTicks = Counter(x, IfCounterDiscontinuityTime) is { } reset ? (uint)reset : null,
                Alias = Text(x, IfAlias),
            });
        }

        return ports;
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
    private bool NamesStillHold(string deviceId, ulong? ticks) =>
        _portNames.ContainsKey(deviceId) && ticks is { } now && _upTimes.TryGetValue(deviceId, out var before) && before is { } then && now >= then;

    internal void RememberPorts(string deviceId, IEnumerable<PortSample> ports) =>
        _portNames[deviceId] = ports.DistinctBy(p => p.IfIndex).ToFrozenDictionary(p => p.IfIndex, p => p.Name);

    private DevicePollObservation Unreachable(Device device, string error, TimeSpan freshFor, DateTimeOffset started) =>
        new(_sequence.Source, _sequence.Next(), time.GetUtcNow(), device.Id, false, null, error, [], freshFor) { StartedAt = started };

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

    private static string? Text(SnmpTableRow? row, uint column) =>
        row is not null && row.TryGet(column, out var value) && value.Type == SnmpType.OctetString ? value.AsString() : null;

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
