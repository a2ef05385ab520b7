using NetOps.Core.Inventory;

namespace NetOps.Inventory.Tests;

/// <summary>An event's <c>plan:</c> and its zones' polygons: loaded as written, and each mistake named by file, line and field.</summary>
public sealed class SitePlanValidationTests : IDisposable
{
    private const string Nodes = """
        defaults:
          snmp: { version: v2c, port: 16161, credential: mogli-ro }
          report_interval: 10s
        devices:
          - { id: mogli-01-sw, class: mobile-switch, node: mogli-01, address: 127.77.3.1, ports: [xe-0/0/0, ge-0/0/1] }
        nodes:
          - id: mogli-01
            device: mogli-01-sw
            assignments:
              - { event: kerwe, zone: stiftsplatz, from: now-1d, until: now+2d }
        endpoints:
          - { id: cam-1, kind: camera, mac: "ac:cc:8e:00:00:01", node: mogli-01, planned_port: ge-0/0/1 }
        """;

    // Line numbers matter: the tests below name them.
    private const string Events = """
        events:
          - id: kerwe
            start: now-1d
            end: now+2d
            plan:
              image: plans/kerwe.svg
              width: 1000
              height: 700
              bounds: { south: 49.4426, west: 7.7650, north: 49.4458, east: 7.7720 }
              placements:
                mogli-01: [100, 100]
                cam-1: [120, 100]
            zones:
              - { id: stiftsplatz, name: Stiftsplatz, polygon: [[560, 240], [680, 235], [690, 335], [565, 340]] }
              - { id: markt, name: Markt }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("netops-plan-").FullName;

    public SitePlanValidationTests()
    {
        Directory.CreateDirectory(Path.Combine(_directory, "plans"));
        File.WriteAllText(Path.Combine(_directory, "plans", "kerwe.svg"), """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1000 700"/>""");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Plan_LoadsWithItsImageSizeBoundsPlacementsAndZonePolygons()
    {
        var result = Load(Events);

        Assert.True(result.Succeeded, string.Join('\n', result.Errors));
        var ev = result.Inventory!.Events["kerwe"];
        var plan = Assert.IsType<SitePlan>(ev.Plan);
        Assert.Equal("plans/kerwe.svg", plan.Image);
        Assert.Equal(Path.Combine(_directory, "plans", "kerwe.svg"), plan.ImagePath);
        Assert.Equal((1000d, 700d), (plan.Width, plan.Height));
        Assert.Equal(new PlanBounds(49.4426, 7.7650, 49.4458, 7.7720), plan.Bounds);
        Assert.Equal(new PlanPoint(100, 100), plan.Placements["mogli-01"]);
        Assert.Equal(new PlanPoint(120, 100), plan.Placements["cam-1"]);
        Assert.Equal([new PlanPoint(560, 240), new PlanPoint(680, 235), new PlanPoint(690, 335), new PlanPoint(565, 340)], plan.Zones["stiftsplatz"]);
        // A zone without a polygon is on no part of the plan.
        Assert.False(plan.Zones.ContainsKey("markt"));
    }

    [Fact]
    public void EventWithoutPlan_HasNone()
    {
        var text = string.Join('\n', Events.Split('\n').Where((_, i) => i is < 4 or > 11)).Replace(", polygon: [[560, 240], [680, 235], [690, 335], [565, 340]]", "", StringComparison.Ordinal);

        var result = Load(text);

        Assert.True(result.Succeeded, string.Join('\n', result.Errors));
        Assert.Null(result.Inventory!.Events["kerwe"].Plan);
    }

    [Theory]
    [InlineData("image: plans/kerwe.svg", "image: plans/gone.svg", 6, "events[0].plan.image", "image 'plans/gone.svg' not found in the inventory directory")]
    [InlineData("image: plans/kerwe.svg", "image: plans/kerwe.gif", 6, "events[0].plan.image", "'plans/kerwe.gif' is not an SVG, PNG or JPEG image")]
    [InlineData("image: plans/kerwe.svg", "image: ../kerwe.svg", 6, "events[0].plan.image", "'../kerwe.svg' is outside the inventory directory")]
    [InlineData("image: plans/kerwe.svg", "image: /etc/kerwe.svg", 6, "events[0].plan.image", "'/etc/kerwe.svg' is outside the inventory directory")]
    [InlineData("      image: plans/kerwe.svg\n", "", 6, "events[0].plan.image", "missing required field")]
    [InlineData("width: 1000", "width: wide", 7, "events[0].plan.width", "'wide' is not a number")]
    [InlineData("height: 700", "height: 0", 8, "events[0].plan.height", "height must be a positive number, not 0")]
    [InlineData("north: 49.4458", "north: 49.4400", 9, "events[0].plan.bounds.north", "bounds are inverted: north (49.44) must be greater than south (49.4426)")]
    [InlineData("east: 7.7720", "east: 7.7600", 9, "events[0].plan.bounds.east", "bounds are inverted: east (7.76) must be greater than west (7.765)")]
    [InlineData("south: 49.4426", "south: 91", 9, "events[0].plan.bounds.south", "91 is not a latitude (-90 to 90 degrees)")]
    [InlineData("south: 49.4426, ", "", 9, "events[0].plan.bounds.south", "missing required field")]
    [InlineData("mogli-01: [100, 100]", "mogli-99: [100, 100]", 11, "events[0].plan.placements.mogli-99", "unknown node or endpoint 'mogli-99'")]
    [InlineData("cam-1: [120, 100]", "cam-1: [1200, 100]", 12, "events[0].plan.placements.cam-1", "point [1200, 100] is outside the plan (x 0 to 1000, y 0 to 700)")]
    [InlineData("cam-1: [120, 100]", "cam-1: [120]", 12, "events[0].plan.placements.cam-1", "expected a point [x, y] of two numbers (plan units)")]
    [InlineData("polygon: [[560, 240], [680, 235], [690, 335], [565, 340]]", "polygon: [[560, 240], [680, 235]]", 14,
        "events[0].zones[0].polygon", "a polygon needs at least 3 points, not 2")]
    [InlineData("[690, 335]", "[690, 735]", 14, "events[0].zones[0].polygon[2]", "point [690, 735] is outside the plan (x 0 to 1000, y 0 to 700)")]
    [InlineData("[690, 335]", "[690, x]", 14, "events[0].zones[0].polygon[2]", "'x' is not a number")]
    [InlineData("      bounds:", "      scale: 1\n      bounds:", 9, "events[0].plan.scale", "unknown key 'scale'; expected one of image, width, height, bounds, placements")]
    public void PlanMistake_IsNamedByFileLineAndField(string oldText, string newText, int line, string field, string message)
    {
        Assert.Contains(oldText, Events, StringComparison.Ordinal);

        var error = Single(Load(Events.Replace(oldText, newText, StringComparison.Ordinal)));

        Assert.Equal((EventsFile, line, field), (error.File, error.Line, error.Field));
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PolygonWithoutAPlan_IsAnError_AtThePolygon()
    {
        var text = string.Join('\n', Events.Split('\n').Where((_, i) => i is < 4 or > 11));

        var error = Single(Load(text));

        Assert.Equal((EventsFile, 6, "events[0].zones[0].polygon"), (error.File, error.Line, error.Field));
        Assert.StartsWith("a zone polygon is drawn on the event's plan", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ImageOverTwoMegabytes_IsRefused()
    {
        File.WriteAllBytes(Path.Combine(_directory, "plans", "huge.png"), new byte[InventoryParser.MaxPlanImageBytes + 1]);

        var error = Single(Load(Events.Replace("plans/kerwe.svg", "plans/huge.png", StringComparison.Ordinal)));

        Assert.Equal((EventsFile, 6, "events[0].plan.image"), (error.File, error.Line, error.Field));
        Assert.Equal("image 'plans/huge.png' is 2097153 bytes; a plan image is at most 2 MB (the page embeds it)", error.Message);
    }

    [Fact]
    public void ImageOfExactlyTwoMegabytes_Loads()
    {
        File.WriteAllBytes(Path.Combine(_directory, "plans", "big.png"), new byte[InventoryParser.MaxPlanImageBytes]);

        var result = Load(Events.Replace("plans/kerwe.svg", "plans/big.png", StringComparison.Ordinal));

        Assert.True(result.Succeeded, string.Join('\n', result.Errors));
    }

    [Fact]
    public async Task DemoPlans_LoadForKerweAndAltstadtfest_WithAPolygonForEveryZone()
    {
        var inventory = (await Demo.Loader().LoadDirectoryAsync(Demo.Directory, CancellationToken.None)).GetOrThrow();

        foreach (var id in new[] { "kerwe", "altstadtfest" })
        {
            var ev = inventory.Events[id];
            var plan = Assert.IsType<SitePlan>(ev.Plan);
            Assert.True(File.Exists(plan.ImagePath), plan.ImagePath);
            Assert.All(ev.Zones, z => Assert.True(plan.Zones.ContainsKey(z.Id), $"{id}/{z.Id} has no polygon"));
        }

        Assert.Null(inventory.Events["weihnachtsmarkt"].Plan);
    }

    private string EventsFile => Path.Combine(_directory, "events.yaml");

    private InventoryLoadResult Load(string events) =>
        Demo.Loader().Load([new InventorySource(Path.Combine(_directory, "mogli.yaml"), Nodes), new InventorySource(EventsFile, events)]);

    private static InventoryError Single(InventoryLoadResult result)
    {
        Assert.False(result.Succeeded);
        return Assert.Single(result.Errors);
    }
}
