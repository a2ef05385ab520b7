using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Inventory;
using NetOps.Mqtt;
using NetOps.Snmp;

namespace NetOps.Simulator;

/// <summary>Where the simulated nodes publish: the broker address and the node login.</summary>
public sealed record SimulatorBroker(string Host, int Port, string? Username, string? Password);

/// <summary>
/// The simulated Rainbow/MOGLI fleet: every inventory switch as a real SNMP agent on its own loopback address,
/// every deployed MOGLI node as an MQTT publisher. Links can be cut and nodes switched off, as in the field.
/// </summary>
public sealed partial class SimulatedFleet(
    IInventoryProvider inventory,
    ICredentialStore credentials,
    SimulatorBroker broker,
    IOptions<SimulatorOptions> options,
    TimeProvider time,
    ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    private readonly ILogger _logger = loggers.CreateLogger<SimulatedFleet>();
    private readonly ConcurrentDictionary<string, (SimulatedSwitch Switch, SnmpAgent Agent)> _switches = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SimulatedNode> _nodes = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _topology = new();
    private readonly HashSet<string> _cutLinks = new(StringComparer.Ordinal);
    private readonly HashSet<string> _poweredOff = new(StringComparer.Ordinal);
    private Task _reporting = Task.CompletedTask;
    private Random _random = new(0);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var fleet = inventory.Current;
        var random = new Random(options.Value.Seed);
        var linked = fleet.Links.Values.SelectMany(l => new[] { l.A, l.B }).ToLookup(e => e.DeviceId, e => e.Port, StringComparer.Ordinal);
        foreach (var device in fleet.Devices.Values.OrderBy(d => d.Id, StringComparer.Ordinal))
        {
            if (!credentials.TryResolve(device.Snmp.CredentialRef, out var secret))
            {
                LogNoCommunity(_logger, device.Id, device.Snmp.CredentialRef);
                continue;
            }

            SnmpAgentOptions agentOptions;
            if (device.Snmp.Version != SnmpVersionSetting.V3)
            {
                agentOptions = new SnmpAgentOptions { ReadCommunity = secret.Reveal() };
            }
            else if (SnmpV3Credential.TryParse(secret.Reveal(), out var user, out var error))
            {
                // A v3 device answers its USM user only: no community anyone could guess.
                agentOptions = new SnmpAgentOptions { ReadCommunity = Guid.NewGuid().ToString("N"), Users = [user] };
            }
            else
            {
                LogNotV3(_logger, device.Id, device.Snmp.CredentialRef, error);
                continue;
            }

            var simulated = new SimulatedSwitch(device, random, linked[device.Id].ToHashSet(StringComparer.Ordinal), fleet, time);
            var endPoint = new IPEndPoint(IPAddress.Parse(device.Snmp.Host), device.Snmp.Port);
            var agent = SnmpAgent.Start(endPoint, simulated.View, agentOptions);
            _switches[device.Id] = (simulated, agent);
        }

        _random = random;
        PowerOnDeployedNodes();

        LogStarted(_logger, _switches.Count, _nodes.Count);
        _reporting = Task.Run(() => ReportAsync(_stop.Token), CancellationToken.None);
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>Takes both ends of a link down (a fibre cut); false when there is no such link.</summary>
    public bool CutLink(string linkId) => SetLink(linkId, up: false);

    /// <summary>Brings both ends of a cut link up again.</summary>
    public bool RestoreLink(string linkId) => SetLink(linkId, up: true);

    /// <summary>Powers a node off: its broker connection drops (the will says offline) and its switch goes silent.</summary>
    public async Task<bool> SwitchOffNodeAsync(string nodeId, CancellationToken cancellationToken)
    {
        if (!_nodes.TryGetValue(nodeId, out var node))
        {
            return false;
        }

        node.PoweredOn = false;
        if (node.Node.DeviceId is { } device)
        {
            lock (_topology)
            {
                _poweredOff.Add(device);
            }
        }

        ApplyTopology();
        await node.Publisher.SwitchOffAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Takes a node off the mains (true) or puts it back (false): on battery it drains and says so, and its runtime left
    /// falls with it; it reports at once.
    /// </summary>
    public async Task<bool> SetMainsAsync(string nodeId, bool onMains, CancellationToken cancellationToken)
    {
        if (!_nodes.TryGetValue(nodeId, out var node))
        {
            return false;
        }

        node.OnBattery = !onMains;
        if (node.PoweredOn)
        {
            await ReportOnceAsync(node, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>Powers a node on again; it reconnects and reports at its next interval.</summary>
    public async Task<bool> SwitchOnNodeAsync(string nodeId, CancellationToken cancellationToken)
    {
        if (!_nodes.TryGetValue(nodeId, out var node))
        {
            return false;
        }

        node.PoweredOn = true;
        if (node.Node.DeviceId is { } device)
        {
            lock (_topology)
            {
                _poweredOff.Remove(device);
            }
        }

        ApplyTopology();
        await ReportOnceAsync(node, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private bool SetLink(string linkId, bool up)
    {
        if (!inventory.Current.Links.ContainsKey(linkId))
        {
            return false;
        }

        lock (_topology)
        {
            if (up)
            {
                _cutLinks.Remove(linkId);
            }
            else
            {
                _cutLinks.Add(linkId);
            }
        }

        ApplyTopology();
        LogLink(_logger, linkId, up ? "restored" : "cut");
        return true;
    }

    /// <summary>
    /// Makes the simulated network behave like the real one: a link is up unless it is cut or a switch at either end is
    /// powered off (the peer sees its port go down), and a switch answers SNMP only while a path of up links leads to
    /// it from the core, as the collector's packets would travel.
    /// </summary>
    private void ApplyTopology()
    {
        var fleet = inventory.Current;
        lock (_topology)
        {
            var up = new HashSet<string>(StringComparer.Ordinal);
            foreach (var link in fleet.Links.Values)
            {
                var linkUp = !_cutLinks.Contains(link.Id) && !_poweredOff.Contains(link.A.DeviceId) && !_poweredOff.Contains(link.B.DeviceId);
                foreach (var end in new[] { link.A, link.B })
                {
                    if (_switches.TryGetValue(end.DeviceId, out var entry))
                    {
                        entry.Switch.SetOperUp(end.Port, linkUp);
                    }
                }

                if (linkUp)
                {
                    up.Add(link.Id);
                }
            }

            var reachable = new HashSet<string>(fleet.Devices.Values.Where(d => d.Class == DeviceClass.Core).Select(d => d.Id), StringComparer.Ordinal);
            var queue = new Queue<string>(reachable);
            while (queue.TryDequeue(out var device))
            {
                foreach (var link in fleet.Links.Values.Where(l => up.Contains(l.Id) && (l.A.DeviceId == device || l.B.DeviceId == device)))
                {
                    var other = link.A.DeviceId == device ? link.B.DeviceId : link.A.DeviceId;
                    if (reachable.Add(other))
                    {
                        queue.Enqueue(other);
                    }
                }
            }

            foreach (var (id, entry) in _switches)
            {
                var silent = _poweredOff.Contains(id) || !reachable.Contains(id);
                if (entry.Agent.Quirks.Silent != silent)
                {
                    entry.Agent.Quirks = entry.Agent.Quirks with { Silent = silent };
                }
            }

            ApplyLldp();
        }
    }

    /// <summary>
    /// Every node deployed now reports, as a real one does once it is set up: those deployed at the start, and those whose
    /// assignment began since (by its time, or by an operator's hand through the inventory in force).
    /// </summary>
    private void PowerOnDeployedNodes()
    {
        var fleet = inventory.Current;
        var now = time.GetUtcNow();
        foreach (var node in fleet.Nodes.Values.Where(n => !_nodes.ContainsKey(n.Id) && FleetInventory.PhaseOf(n.Assignments, now) == DeploymentPhase.Deployed))
        {
            var publisher = new NodePublisher(new NodePublisherOptions
            {
                NodeId = node.Id,
                Host = broker.Host,
                Port = broker.Port,
                Username = broker.Username,
                Password = broker.Password,
                ClientId = $"sim-{node.Id}",
            }, time, loggers.CreateLogger<NodePublisher>());
            _nodes[node.Id] = new SimulatedNode(node, publisher, 60 + _random.NextDouble() * 40, PositionOf(fleet, node, now));
        }
    }

    private async Task ReportAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Value.NodeReportInterval, time);
        do
        {
            PowerOnDeployedNodes();
            await Task.WhenAll(_nodes.Values.Where(n => n.PoweredOn).Select(n => ReportOnceAsync(n, cancellationToken))).ConfigureAwait(false);
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }

    private async Task ReportOnceAsync(SimulatedNode node, CancellationToken cancellationToken)
    {
        try
        {
            await node.Publisher.SwitchOnAsync(cancellationToken).ConfigureAwait(false);
            await node.Publisher.PublishTelemetryAsync(node.NextTelemetry(UplinkUp(node.Node)), cancellationToken).ConfigureAwait(false);
            await ReportCamerasAsync(node, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The broker may not be up yet or may restart: the next interval tries again.
            LogReportFailed(_logger, node.Node.Id, e.Message);
        }
    }

    /// <summary>
    /// The node reports its cameras' status (retained) as it watches their streams: online while the camera is on the
    /// wire, offline with "no video signal" once it is unplugged or unpowered. Repeated every report, with the report
    /// interval, so that the status ages out when the node goes dark; after a field event at once, when it changed.
    /// </summary>
    private async Task ReportCamerasAsync(SimulatedNode node, CancellationToken cancellationToken, bool changedOnly = false)
    {
        var fleet = inventory.Current;
        var simulated = node.Node.DeviceId is { } device && _switches.TryGetValue(device, out var entry) ? entry.Switch : null;
        if (simulated is null)
        {
            return;
        }

        await node.CameraGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var camera in fleet.Endpoints.Values.Where(e => e.NodeId == node.Node.Id && e.Kind == EndpointKind.Camera))
            {
                if (simulated.IsEndpointUp(camera.Id) is not { } online ||
                    (changedOnly && node.CamerasSaid.TryGetValue(camera.Id, out var said) && said == online))
                {
                    continue;
                }

                await node.Publisher.PublishCameraStatusAsync(camera.Id, online, online ? "recording" : "no video signal",
                    options.Value.NodeReportInterval, cancellationToken).ConfigureAwait(false);
                node.CamerasSaid[camera.Id] = online;
            }
        }
        finally
        {
            node.CameraGate.Release();
        }
    }

    /// <summary>After a field event, the node of the endpoint reports its cameras at once rather than at its next interval.</summary>
    private void ReportCamerasSoon(string endpointId)
    {
        if (!inventory.Current.Endpoints.TryGetValue(endpointId, out var endpoint) || !_nodes.TryGetValue(endpoint.NodeId, out var node) ||
            !node.PoweredOn)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await ReportCamerasAsync(node, _stop.Token, changedOnly: true).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Switched off, or the broker is away: the next report sends what changed.
                LogReportFailed(_logger, node.Node.Id, e.Message);
            }
        }, CancellationToken.None);
    }

    /// <summary>A node's uplink is its fibre link when both ends are up; otherwise it falls back to LTE.</summary>
    private bool UplinkUp(MobileNode node)
    {
        var fleet = inventory.Current;
        var uplink = fleet.Links.Values.FirstOrDefault(l => l.A.DeviceId == node.DeviceId || l.B.DeviceId == node.DeviceId);
        if (uplink is null)
        {
            return false;
        }

        return new[] { uplink.A, uplink.B }.All(e =>
            !_switches.TryGetValue(e.DeviceId, out var entry) ||
            !entry.Switch.View.TryGet(OperStatusOid(entry.Switch.Device, e.Port), out var status) || status.AsInt64() == 1);
    }

    private static Oid OperStatusOid(Device device, string port)
    {
        var index = device.Ports.Select((p, i) => (p.Name, Index: i + 1)).First(p => p.Name == port).Index;
        return Oid.Parse("1.3.6.1.2.1.2.2.1.8").Append((uint)index);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _reporting.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        foreach (var node in _nodes.Values)
        {
            await node.Publisher.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var (_, agent) in _switches.Values)
        {
            await agent.DisposeAsync().ConfigureAwait(false);
        }

        _nodes.Clear();
        _switches.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulated fleet: {Switches} SNMP agents, {Nodes} MOGLI nodes reporting")]
    private static partial void LogStarted(ILogger logger, int switches, int nodes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Simulator skips {Device}: credential {Credential} is not defined")]
    private static partial void LogNoCommunity(ILogger logger, string device, string credential);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Simulator skips {Device}: credential {Credential} is not an SNMPv3 credential: {Error}")]
    private static partial void LogNotV3(ILogger logger, string device, string credential, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulator: link {Link} {Action}")]
    private static partial void LogLink(ILogger logger, string link, string action);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Simulated node {Node} could not report: {Error}")]
    private static partial void LogReportFailed(ILogger logger, string node, string error);

    /// <summary>A node's power and telemetry model.</summary>
    private sealed class SimulatedNode(MobileNode node, NodePublisher publisher, double battery, GeoPosition position)
    {
        private double _battery = battery;

        public MobileNode Node { get; } = node;

        public NodePublisher Publisher { get; } = publisher;

        public volatile bool PoweredOn = true;

        /// <summary>Off the mains: the battery drains a percent per report instead of charging.</summary>
        public volatile bool OnBattery;

        /// <summary>What the node last said of each camera (online or not); guarded by <see cref="CameraGate"/>.</summary>
        public Dictionary<string, bool> CamerasSaid { get; } = new(StringComparer.Ordinal);

        public SemaphoreSlim CameraGate { get; } = new(1, 1);

        public NodeTelemetry NextTelemetry(bool fibreUp)
        {
            _battery = OnBattery ? Math.Max(0, _battery - 1) : Math.Min(100, _battery + 0.2);
            return new NodeTelemetry(
                Math.Round(_battery, 1),
                OnBattery ? PowerSource.Battery : PowerSource.Mains,
                TimeSpan.FromHours(_battery / 100 * 9),
                21 + (Node.Id.GetHashCode(StringComparison.Ordinal) & 7),
                fibreUp ? UplinkKind.Fibre : UplinkKind.Lte,
                fibreUp ? null : -71,
                position);
        }
    }
}
