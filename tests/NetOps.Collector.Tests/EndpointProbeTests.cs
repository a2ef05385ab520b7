using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Inventory;

namespace NetOps.Collector.Tests;

/// <summary>ICMP probes of endpoints, on loopback only (Linux answers every address of 127/8).</summary>
public sealed class EndpointProbeTests
{
    [Fact]
    public async Task Prober_GetsAnAnswerFromLoopback_WithItsRoundTrip()
    {
        var result = await new IcmpProber().ProbeAsync(IPAddress.Parse("127.0.0.1"), TimeSpan.FromSeconds(2), CancellationToken.None);

        Assert.NotNull(result);
        Assert.True(result.Reachable, result.Status);
        Assert.NotNull(result.RoundTripMs);
        Assert.InRange(result.RoundTripMs.Value, 0, 2000);
    }

    [Fact]
    public async Task ProbeRound_ProbesDeployedEndpointsWithAnAddress_AndHandsTheResultOn()
    {
        var now = DateTimeOffset.UtcNow;
        var deployed = BridgeSectionTests.Fleet(now, sensorAddress: "127.0.0.2");
        // A second node in storage with a sensor whose address must not be probed, and a camera without an address.
        var stored = new MobileNode("mogli-02", "MOGLI 02", null, TimeSpan.FromSeconds(10),
            [new Assignment("kerwe", "stiftsplatz", now.AddDays(5), now.AddDays(6))]);
        var fleet = new FleetInventory(deployed.Sites.Values, deployed.Devices.Values, deployed.Links.Values,
            deployed.Nodes.Values.Append(stored),
            deployed.Endpoints.Values.Append(new Endpoint("luft-lager", "Luftsensor Lager", EndpointKind.Sensor, "02:00:00:00:00:09", "mogli-02", null, [])
            {
                Address = "127.0.0.3",
            }),
            deployed.Events.Values);
        var sink = new CollectingSink();
        var service = new EndpointProbeService(new IcmpProber(), new FixedInventory(fleet), sink,
            Options.Create(new EndpointProbeOptions { Timeout = TimeSpan.FromSeconds(2) }),
            Options.Create(new CollectorOptions { Name = "probe-test" }), Alone(fleet), TimeProvider.System, NullLogger<EndpointProbeService>.Instance);

        await service.ProbeRoundAsync(CancellationToken.None);

        var observation = Assert.IsType<EndpointReachabilityObservation>(Assert.Single(sink.Observations));
        Assert.Equal("luft-1", observation.EndpointId);
        Assert.True(observation.Reachable);
        Assert.StartsWith("probe-test#", observation.Source, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(90), observation.FreshFor);
    }

    private sealed class CollectingSink : IObservationSink
    {
        public ConcurrentQueue<Observation> Observations { get; } = new();

        public ValueTask PublishAsync(Observation observation, CancellationToken cancellationToken)
        {
            Observations.Enqueue(observation);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A collector alone in its membership (it polls every device), as in the all-in-one host before its first heartbeat.</summary>
    internal static CollectorMembership Alone(FleetInventory fleet) =>
        new(new Core.Cluster.LocalMembershipStore(), new FixedInventoryProvider(fleet), Options.Create(new CollectorOptions()),
            NullLogger<CollectorMembership>.Instance);

    /// <summary>An inventory the test controls.</summary>
    private sealed class FixedInventory(FleetInventory current) : IInventoryProvider
    {
        public FleetInventory Current { get; } = current;

        public event EventHandler<InventoryChangedEventArgs>? Changed { add { } remove { } }

        public event EventHandler<InventoryRefusedEventArgs>? Refused { add { } remove { } }

        public InventoryError[]? LastRefusal => null;

        public DateTimeOffset? LastRefusalAt => null;
    }
}
