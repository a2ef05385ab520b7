using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Inventory;
using NetOps.Snmp;

namespace NetOps.Collector;

/// <summary>Settings of <see cref="TrapIngest"/>, section "Traps".</summary>
public sealed record TrapIngestOptions
{
    public const string SectionName = "Traps";

    public bool Enabled { get; init; }

    /// <summary>
    /// Where to listen, "HOST:PORT". Port 162 needs CAP_NET_BIND_SERVICE, or listen on 10162 and redirect:
    /// <c>nft add rule ip nat prerouting udp dport 162 redirect to :10162</c>.
    /// </summary>
    public string Endpoint { get; init; } = "0.0.0.0:162";

    /// <summary>Names of the credentials whose communities v1/v2c notifications may carry; empty accepts any.</summary>
    public IReadOnlyList<string> Credentials { get; init; } = [];

    /// <summary>
    /// Names of SNMPv3 credentials (the inventory's <c>user=…;level=…</c> form) whose users may send v3 traps and informs.
    /// </summary>
    public IReadOnlyList<string> Users { get; init; } = [];
}

/// <summary>
/// Receives traps and informs from inventory devices and turns each into a <see cref="DeviceNotificationObservation"/>
/// (linkDown/linkUp with the ifIndex resolved to the port by the device's last poll), then, for linkDown, linkUp,
/// coldStart and warmStart, into an immediate re-poll of that device, so that state is confirmed by evidence, not only
/// by the trap. The sender is resolved to an inventory device by agent address (the UDP source, then a v1 agent-addr),
/// then by a v3 engine id learned from an earlier address match, then by a sysName binding. Unresolved senders are
/// counted on netops.traps.unknown_source (reason "no_device"), logged and listed in <see cref="UnknownSenders"/>.
/// </summary>
public sealed partial class TrapIngest(IOptions<TrapIngestOptions> options, IInventoryProvider inventory, ICredentialStore credentials,
    PollQueue polls, SnmpDevicePoller poller, IObservationSink sink, TimeProvider time, ILogger<TrapIngest> logger, TrapMetrics metrics)
    : BackgroundService, ITrapLog
{
    /// <summary>How many notifications <see cref="Recent"/> keeps.</summary>
    public const int RecentCapacity = 200;

    /// <summary>How many distinct unknown senders <see cref="UnknownSenders"/> keeps.</summary>
    public const int UnknownSenderCapacity = 50;

    private static readonly Oid SysNameInstance = new([1, 3, 6, 1, 2, 1, 1, 5, 0]);
    private static readonly Oid IfEntry = new([1, 3, 6, 1, 2, 1, 2, 2, 1]);
    private static readonly Oid IfIndexColumn = IfEntry.Append(1);
    private static readonly Oid[] RepollTraps = [SnmpNotification.LinkDown, SnmpNotification.LinkUp, SnmpNotification.ColdStart, SnmpNotification.WarmStart];

    private readonly ConcurrentDictionary<string, string> _engines = new(StringComparer.Ordinal);
    private readonly ObservationSequence _sequence = new("traps");
    private readonly Queue<RecentNotification> _recent = new();
    private readonly Dictionary<IPAddress, UnknownSender> _unknown = [];
    private readonly Lock _gate = new();
    private (FleetInventory Inventory, Dictionary<IPAddress, Device> ByAddress, Dictionary<string, Device> BySysName)? _index;
    private TrapReceiver? _receiver;
    private long _unknownSources;

    /// <summary>Notifications whose sender matched no device.</summary>
    public long UnknownSources => Interlocked.Read(ref _unknownSources);

    /// <summary>Notifications decoded and accepted by the receiver (0 when traps are disabled).</summary>
    public long Received => _receiver?.Received ?? 0;

    /// <summary>Datagrams the receiver could not decode.</summary>
    public long Malformed => _receiver?.Malformed ?? 0;

    /// <summary>Notifications the receiver refused: unknown community, user or engine, or a wrong digest.</summary>
    public long Refused => _receiver?.UnknownSource ?? 0;

    /// <summary>Notifications the receiver dropped because its queue was full.</summary>
    public long Dropped => _receiver?.Dropped ?? 0;

    /// <summary>The last <see cref="RecentCapacity"/> notifications, newest first.</summary>
    public IReadOnlyList<RecentNotification> Recent
    {
        get
        {
            lock (_gate)
            {
                return _recent.Reverse().ToList();
            }
        }
    }

    /// <summary>Senders matching no inventory device, most recent first.</summary>
    public IReadOnlyList<UnknownSender> UnknownSenders
    {
        get
        {
            lock (_gate)
            {
                return _unknown.Values.OrderByDescending(u => u.LastSeen).ToList();
            }
        }
    }

    /// <summary>Everything the receiver knows, counts included.</summary>
    public ValueTask<TrapLogReport> ReadAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(new TrapLogReport(Received, Malformed, Refused, Dropped, UnknownSources, Recent, UnknownSenders));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }

        var endPoint = IPEndPoint.Parse(settings.Endpoint);
        // Communities are secrets: the configuration names credentials, the credential store holds their values.
        var communities = settings.Credentials.Select(credentials.Require).ToList();
        var users = settings.Users.Select(name => SnmpV3Credential.TryParse(credentials.Require(name), out var user, out var error)
            ? user
            : throw new InvalidOperationException($"Traps:Users: credential '{name}' is not an SNMPv3 credential: {error}")).ToList();
        var receiver = TrapReceiver.Start(new TrapReceiverOptions { EndPoint = endPoint, Communities = communities, Users = users, Metrics = metrics }, logger);
        _receiver = receiver;
        await using (receiver.ConfigureAwait(false))
        {
            try
            {
                await foreach (var notification in receiver.Notifications.ReadAllAsync(stoppingToken).ConfigureAwait(false))
                {
                    await HandleAsync(notification, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Host stopping.
            }
        }
    }

    /// <summary>
    /// Resolves the sender, hands the notification on as an observation, and queues a re-poll when the trap concerns the
    /// device's state. The observation goes first, so the re-poll's evidence always follows the trap's news.
    /// </summary>
    internal async ValueTask HandleAsync(SnmpNotification notification, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var trapOid = notification.TrapOid.ToDottedString();
        var device = Resolve(notification);
        var kind = KindOf(notification.TrapOid);
        var port = device is not null && kind is NotificationKind.LinkDown or NotificationKind.LinkUp && IfIndexOf(notification) is { } ifIndex
            ? poller.PortName(device.Id, ifIndex)
            : null;
        var varbinds = notification.Objects.Select(b => new NotificationVarbind(b.Oid.ToDottedString(), b.Value.ToString())).ToList();
        Remember(new RecentNotification(now, notification.Source.Address.ToString(), notification.Version.ToString(), device?.Id, kind, trapOid, port,
            varbinds));
        if (device is null)
        {
            Interlocked.Increment(ref _unknownSources);
            RememberUnknown(notification.Source.Address, trapOid, now);
            metrics.UnknownSource("no_device");
            LogUnknownSource(notification.Source.Address, trapOid);
            return;
        }

        try
        {
            await _sequence.PublishAsync(sink, new DeviceNotificationObservation(_sequence.Source, _sequence.Next(), now, device.Id, kind, trapOid, port, varbinds)
                {
                    Sender = notification.Source.Address.ToString(),
                    Version = notification.Version.ToString(),
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The re-poll below still brings the news, a poll later.
            LogPublishFailed(device.Id, trapOid, e);
        }

        if (Array.IndexOf(RepollTraps, notification.TrapOid) >= 0)
        {
            var queued = polls.Request(device.Id);
            LogRepoll(device.Id, trapOid, queued);
        }
    }

    private static NotificationKind KindOf(Oid trapOid) =>
        trapOid == SnmpNotification.LinkDown ? NotificationKind.LinkDown
        : trapOid == SnmpNotification.LinkUp ? NotificationKind.LinkUp
        : trapOid == SnmpNotification.ColdStart ? NotificationKind.ColdStart
        : trapOid == SnmpNotification.WarmStart ? NotificationKind.WarmStart
        : NotificationKind.Other;

    /// <summary>The interface a linkDown/linkUp names: its ifIndex binding's value, else the instance of any ifTable column.</summary>
    private static int? IfIndexOf(SnmpNotification notification)
    {
        if (notification.Find(IfIndexColumn) is { Value.IsNumeric: true } ifIndex)
        {
            return (int)ifIndex.Value.AsInt64();
        }

        foreach (var binding in notification.Objects)
        {
            if (binding.Oid.Length == IfEntry.Length + 2 && binding.Oid.StartsWith(IfEntry))
            {
                return (int)binding.Oid[^1];
            }
        }

        return null;
    }

    private void Remember(RecentNotification notification)
    {
        lock (_gate)
        {
            if (_recent.Count == RecentCapacity)
            {
                _recent.Dequeue();
            }

            _recent.Enqueue(notification);
        }
    }

    private void RememberUnknown(IPAddress address, string trapOid, DateTimeOffset at)
    {
        lock (_gate)
        {
            var count = _unknown.TryGetValue(address, out var known) ? known.Count : 0;
            if (known is null && _unknown.Count == UnknownSenderCapacity)
            {
                // Bounded: a scan from many addresses must not grow this without end; the oldest sender goes.
                _unknown.Remove(_unknown.MinBy(u => u.Value.LastSeen).Key);
            }

            _unknown[address] = new UnknownSender(address.ToString(), count + 1, at, trapOid);
        }
    }

    /// <summary>The inventory device that sent <paramref name="notification"/>, or null.</summary>
    internal Device? Resolve(SnmpNotification notification)
    {
        var (_, byAddress, bySysName) = Index();
        var engine = notification.EngineId.IsEmpty || notification.IsInform ? null : Convert.ToHexString(notification.EngineId.Span);
        Device? device = null;
        if (byAddress.TryGetValue(notification.Source.Address, out var bySource) ||
            (notification.AgentAddress is { } agent && byAddress.TryGetValue(agent, out bySource)))
        {
            device = bySource;
        }
        else if (engine is not null && _engines.TryGetValue(engine, out var deviceId) && inventory.Current.Devices.TryGetValue(deviceId, out var byEngine))
        {
            device = byEngine;
        }
        else if (notification.Find(SysNameInstance) is { Value.Type: SnmpType.OctetString } sysName &&
                 bySysName.TryGetValue(sysName.Value.AsString(), out var byName))
        {
            device = byName;
        }

        if (device is not null && engine is not null)
        {
            // A trap's engine id is its sender's: remember it, so that the device is known behind NAT or a relay too.
            _engines[engine] = device.Id;
        }

        return device;
    }

    private (FleetInventory Inventory, Dictionary<IPAddress, Device> ByAddress, Dictionary<string, Device> BySysName) Index()
    {
        var current = inventory.Current;
        if (_index is { } index && ReferenceEquals(index.Inventory, current))
        {
            return index;
        }

        var byAddress = new Dictionary<IPAddress, Device>();
        var bySysName = new Dictionary<string, Device>(StringComparer.OrdinalIgnoreCase);
        foreach (var device in current.Devices.Values)
        {
            if (IPAddress.TryParse(device.Snmp.Host, out var address))
            {
                byAddress.TryAdd(address, device);
            }

            if (device.SysName is { Length: > 0 } sysName)
            {
                bySysName.TryAdd(sysName, device);
            }
        }

        _index = (current, byAddress, bySysName);
        return _index.Value;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Trap {TrapOid} from {Source} matches no inventory device")]
    private partial void LogUnknownSource(IPAddress source, string trapOid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Trap {TrapOid} from {Device} could not be handed on")]
    private partial void LogPublishFailed(string device, string trapOid, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Trap {TrapOid} from {Device}: re-poll queued {Queued}")]
    private partial void LogRepoll(string device, string trapOid, bool queued);
}
