using NetOps.Core.Events;
using NetOps.Core.Inventory;

namespace NetOps.Inventory.Tests;

/// <summary>
/// An event exported as YAML (for the next year's inventory) loads beside the rest of the inventory as the same event
/// with the same plan; the top-level <c>assignments:</c> section it uses is checked like a node's own.
/// </summary>
public sealed class EventExportTests
{
    private const string Fleet = """
        defaults:
          snmp: { version: v2c, port: 16161, credential: mogli-ro }
          report_interval: 10s
        sites:
          - { id: rathaus, name: Rathaus }
        devices:
          - { id: core, class: core, site: rathaus, address: 127.77.0.1, ports: [Te1/0/1] }
          - { id: mogli-01-sw, class: mobile-switch, node: mogli-01, address: 127.77.3.1, ports: [xe-0/0/0, ge-0/0/1, ge-0/0/2] }
        nodes:
          - { id: mogli-01, device: mogli-01-sw }
        endpoints:
          - { id: cam-1, kind: camera, mac: "ac:cc:8e:00:00:01", node: mogli-01, planned_port: ge-0/0/1 }
          - { id: cam-2, kind: camera, mac: "ac:cc:8e:00:00:02", node: mogli-01, planned_port: ge-0/0/2 }
        """;

    private const string Plan = """
        events:
          - id: kerwe
            name: "Lautrer Kerwe \"2026\""
            start: now-1d
            end: now+2d
            zones:
              - { id: stiftsplatz, name: Stiftsplatz }
              - { id: marktstrasse, name: "Marktstraße" }
        assignments:
          - { node: mogli-01, event: kerwe, zone: stiftsplatz, from: now-2d, until: now+3d }
          - { endpoint: cam-2, event: kerwe, zone: marktstrasse, from: now-1d, until: now+1d }
        """;

    [Fact]
    public void TopLevelAssignments_PlaceNodesAndEndpoints_AnEndpointWithOneNoLongerTravelsWithItsNode()
    {
        var inventory = Loaded(("fleet.yaml", Fleet), ("kerwe.yaml", Plan));

        Assert.Equal([new Assignment("kerwe", "stiftsplatz", Demo.Now.AddDays(-2), Demo.Now.AddDays(3))], inventory.Nodes["mogli-01"].Assignments);
        Assert.Equal(inventory.Nodes["mogli-01"].Assignments, inventory.Endpoints["cam-1"].Assignments);
        Assert.Equal([new Assignment("kerwe", "marktstrasse", Demo.Now.AddDays(-1), Demo.Now.AddDays(1))], inventory.Endpoints["cam-2"].Assignments);
    }

    [Fact]
    public void ExportedEvent_LoadsBesideTheRest_AsTheSameEventAndPlan()
    {
        var inventory = Loaded(("fleet.yaml", Fleet), ("kerwe.yaml", Plan));

        var yaml = EventEditing.ToYaml(inventory, inventory.Events["kerwe"], Demo.Now, "op");
        var again = Loaded(("fleet.yaml", Fleet), ("kerwe-export.yaml", yaml));

        Assert.Equal(inventory.Events["kerwe"].Name, again.Events["kerwe"].Name);
        Assert.Equal(inventory.Events["kerwe"].Start, again.Events["kerwe"].Start);
        Assert.Equal(inventory.Events["kerwe"].End, again.Events["kerwe"].End);
        Assert.Equal(inventory.Events["kerwe"].Zones, again.Events["kerwe"].Zones);
        foreach (var id in new[] { "cam-1", "cam-2" })
        {
            Assert.Equal(inventory.Endpoints[id].Assignments, again.Endpoints[id].Assignments);
        }

        Assert.Equal(inventory.Nodes["mogli-01"].Assignments, again.Nodes["mogli-01"].Assignments);
    }

    [Fact]
    public void BadTopLevelAssignments_AreNamedWithFileLineAndField()
    {
        var result = Load(("fleet.yaml", Fleet), ("kerwe.yaml", Plan + "\n" + """
              - { node: mogli-09, event: kerwe, zone: stiftsplatz, from: now-1d, until: now+1d }
              - { node: mogli-01, endpoint: cam-1, event: kerwe, zone: stiftsplatz, from: now-1d, until: now+1d }
              - { endpoint: cam-1, event: kerwe, zone: buehne, from: now-1d, until: now+1d }
              - { node: mogli-01, event: kerwe, zone: stiftsplatz, from: now+5d, until: now+4d }
            """));

        Assert.False(result.Succeeded);
        Assert.Contains(result.Errors, e => e is { File: "kerwe.yaml", Line: 12, Field: "assignments[2].node", Message: "unknown node 'mogli-09'" });
        Assert.Contains(result.Errors, e => e is { File: "kerwe.yaml", Line: 13, Field: "assignments[3]", Message: "names either a node or an endpoint" });
        Assert.Contains(result.Errors, e => e is { File: "kerwe.yaml", Line: 14, Field: "assignments[4].zone", Message: "event 'kerwe' has no zone 'buehne'" });
        Assert.Contains(result.Errors, e => e is { File: "kerwe.yaml", Line: 15, Field: "assignments[5].until", Message: "until must be after from" });
    }

    private static FleetInventory Loaded(params (string File, string Text)[] files)
    {
        var result = Load(files);
        Assert.True(result.Succeeded, string.Join('\n', result.Errors));
        return result.Inventory!;
    }

    private static InventoryLoadResult Load(params (string File, string Text)[] files) =>
        new InventoryLoader(new CredentialStore(Demo.SecretsFile, _ => null), new FakeTimeProvider(Demo.Now))
            .Load([.. files.Select(f => new InventorySource(f.File, f.Text))]);
}
