using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NetOps.Core.Inventory;
using NetOps.Core.State;
using NetOps.Engine;
using NetOps.Inventory;
using NetOps.Simulator;
using NetOps.Snmp;
using NetOps.Testing;

namespace NetOps.Collector.Tests;

/// <summary>
/// Simulated fleet (real agents on loopback) → poller with the LLDP section → state engine: a moved patch cable is
/// reported as a miswire naming both ends, a foreign device as a discovered link, and restoring the cabling clears both.
/// </summary>
public sealed class TopologyEndToEndTests : IAsyncLifetime
{
    private readonly FleetInventory _fleet = SimulatedTopology.Build(0, FreePort.Udp);
    private readonly SnmpClient _client = new();
    private readonly StateEngine _engine = new(TimeProvider.System);
    private SimulatedFleet? _simulator;

    private SimulatedFleet Simulator => _simulator ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _simulator = new SimulatedFleet(new FixedInventory(_fleet), SimulatedTopology.Credentials(), new SimulatorBroker("127.0.0.1", 1, null, null),
            Options.Create(new SimulatorOptions()), TimeProvider.System, NullLoggerFactory.Instance);
        await _simulator.StartAsync(CancellationToken.None);
        _engine.SetInventory(_fleet);
    }

    [Fact]
    public async Task Miswire_ThenForeignNeighbour_ThenRestore_AsTheEngineSeesThem()
    {
        await PollAllAsync();
        Assert.Equal("confirmed", Link(SimulatedTopology.Uplink).Attributes["discovery"]);
        Assert.Equal("seen from both ends", Link(SimulatedTopology.Uplink).Attributes["discovery_detail"]);
        // The site switch advertises raw MAC port ids: resolved through its own advertisement.
        Assert.Equal("confirmed", Link("acc-west--site").Attributes["discovery"]);
        Assert.Equal(StateValue.Up, Link(SimulatedTopology.Uplink).Value);

        Assert.True(Simulator.Miswire(SimulatedTopology.Uplink, "a", "Gi1/0/7"));
        await PollAllAsync();

        var uplink = Link(SimulatedTopology.Uplink);
        Assert.Equal(StateValue.Down, uplink.Value); // the planned port is dark: down first, miswired in its attributes
        Assert.Equal(ReasonCodes.LinkEndDown, uplink.Reason.Code);
        Assert.Equal("miswired", uplink.Attributes["discovery"]);
        Assert.Equal("Gi1/0/7", uplink.Attributes["actual_a_port"]);
        Assert.Equal("xe-0/0/0", uplink.Attributes["actual_b_port"]);
        Assert.Equal("planned acc-west Gi1/0/5 ↔ mogli-03-sw xe-0/0/0, seen acc-west Gi1/0/7 ↔ mogli-03-sw xe-0/0/0", uplink.Attributes["discovery_detail"]);
        Assert.Empty(Discovered());

        Assert.True(Simulator.AddUnexpectedNeighbour("acc-west", "Gi1/0/8", "rogue-ap"));
        await PollAllAsync();

        var rogue = Assert.Single(Discovered());
        Assert.Equal(StateValue.Up, rogue.Value);
        Assert.Equal("unexpected", rogue.Attributes["discovery"]);
        Assert.Equal("acc-west/Gi1/0/8", rogue.Attributes["a"]);
        Assert.Equal("rogue-ap", rogue.Attributes["b_sysname"]);

        Simulator.RestoreWiring();
        await PollAllAsync();

        Assert.Equal("confirmed", Link(SimulatedTopology.Uplink).Attributes["discovery"]);
        Assert.Equal(StateValue.Up, Link(SimulatedTopology.Uplink).Value);
        Assert.Empty(Discovered());
    }

    private async Task PollAllAsync()
    {
        var poller = SimulatedTopology.Poller(_client);
        foreach (var device in _fleet.Devices.Values.OrderBy(d => d.Id, StringComparer.Ordinal))
        {
            var poll = await poller.PollAsync(device, PollSections.Interfaces | PollSections.Neighbours, CancellationToken.None);
            Assert.True(poll.Reachable, $"{device.Id}: {poll.Error}");
            _engine.Apply(poll);
        }
    }

    private EntityState Link(string id) => _engine.Get(EntityRef.Link(id)) ?? throw new InvalidOperationException($"no link {id}");

    private List<EntityState> Discovered() =>
        [.. _engine.Snapshot(Scope.All).States.Where(s => s.Entity.Kind == EntityKind.Link && s.Entity.Id.StartsWith("discovered:", StringComparison.Ordinal))];

    public async Task DisposeAsync()
    {
        if (_simulator is not null)
        {
            await _simulator.DisposeAsync();
        }

        await _client.DisposeAsync();
    }

    private sealed class FixedInventory(FleetInventory fleet) : IInventoryProvider
    {
        public FleetInventory Current => fleet;

        public InventoryError[]? LastRefusal => null;

        public DateTimeOffset? LastRefusalAt => null;

        public event EventHandler<InventoryChangedEventArgs>? Changed { add { } remove { } }

        public event EventHandler<InventoryRefusedEventArgs>? Refused { add { } remove { } }
    }
}
