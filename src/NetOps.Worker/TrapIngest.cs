using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetOps.Core.Inventory;
using NetOps.Inventory;
using NetOps.Snmp;

namespace NetOps.Worker;

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
}

/// <summary>
/// Receives traps and informs and turns the ones about a device's state (linkDown, linkUp, coldStart, warmStart) into
/// an immediate re-poll of that device: the state change itself comes from the poll, so state is confirmed by evidence.
/// The sender is resolved to an inventory device by agent address (the UDP source, then a v1 agent-addr), then by a v3
/// engine id learned from an earlier address match, then by a sysName binding. Unresolved senders are counted on
/// netops.traps.unknown_source (reason "no_device") and logged.
/// </summary>
public sealed partial class TrapIngest(IOptions<TrapIngestOptions> options, IInventoryProvider inventory, ICredentialStore credentials,
    PollQueue polls, ILogger<TrapIngest> logger)
    : BackgroundService
{
    private static readonly Oid SysNameInstance = new([1, 3, 6, 1, 2, 1, 1, 5, 0]);
    private static readonly Oid[] RepollTraps = [SnmpNotification.LinkDown, SnmpNotification.LinkUp, SnmpNotification.ColdStart, SnmpNotification.WarmStart];

    private readonly ConcurrentDictionary<string, string> _engines = new(StringComparer.Ordinal);
    private (FleetInventory Inventory, Dictionary<IPAddress, Device> ByAddress, Dictionary<string, Device> BySysName)? _index;

    /// <summary>Notifications whose sender matched no device.</summary>
    public long UnknownSources { get; private set; }

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
        var receiver = TrapReceiver.Start(new TrapReceiverOptions { EndPoint = endPoint, Communities = communities }, logger);
        await using (receiver.ConfigureAwait(false))
        {
            try
            {
                await foreach (var notification in receiver.Notifications.ReadAllAsync(stoppingToken).ConfigureAwait(false))
                {
                    Handle(notification);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Host stopping.
            }
        }
    }

    /// <summary>Resolves the sender and queues a re-poll when the trap concerns the device's state.</summary>
    internal void Handle(SnmpNotification notification)
    {
        var device = Resolve(notification);
        if (device is null)
        {
            UnknownSources++;
            TrapReceiver.RecordUnknownSource("no_device");
            LogUnknownSource(notification.Source.Address, notification.TrapOid.ToDottedString());
            return;
        }

        if (Array.IndexOf(RepollTraps, notification.TrapOid) >= 0)
        {
            var queued = polls.TryEnqueue(device.Id);
            LogRepoll(device.Id, notification.TrapOid.ToDottedString(), queued);
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "Trap {TrapOid} from {Device}: re-poll queued {Queued}")]
    private partial void LogRepoll(string device, string trapOid, bool queued);
}
