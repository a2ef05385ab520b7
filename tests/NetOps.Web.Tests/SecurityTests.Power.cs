using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using NetOps.Testing;

namespace NetOps.Web.Tests;

/// <summary>
/// A node's power and uplink per zone, from the simulator's MOGLI 02 at the Kerwe's Schillerplatz: taken off the mains it
/// runs on battery, its fibre uplink cut it falls back to LTE; the event's API and its page say so, with the gap's reason.
/// </summary>
public sealed partial class SecurityTests
{
    private const string PowerNode = "mogli-02";

    [Fact]
    public async Task NodeOffTheMains_AndOnLte_ShowsInItsZonesPowerUplinkAndGaps()
    {
        await Eventually.TrueAsync(async () => (await NodeOfAsync()) is { } n && Power(n, "source") == "mains" && n.GetProperty("uplink").GetString() == "fibre",
            ScopeLive, "MOGLI 02 on mains and fibre before");
        var page = await _host.NewPageAsync(_browser.Instance, new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        try
        {
            await page.GotoAsync(new Uri(_host.BaseAddress, "events/kerwe").ToString());
            await Assertions.Expect(page.Locator("div.coverage")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = 30_000 });
            var row = page.Locator($"section.zone[data-zone=schillerplatz] tr[data-node={PowerNode}]");
            await Assertions.Expect(row).ToHaveAttributeAsync("data-power", "mains");

            await _host.PostAsync($"api/simulator/nodes/{PowerNode}/mains-off");
            JsonElement node = default;
            JsonElement zone = default;
            await Eventually.TrueAsync(async () =>
            {
                zone = await ZoneOfAsync();
                node = NodeIn(zone);
                return Power(node, "source") == "battery";
            }, ScopeLive, "MOGLI 02 on battery in GET /api/events/kerwe");
            var power = node.GetProperty("power");
            Assert.InRange(power.GetProperty("batteryPct").GetDouble(), 0, 100);
            Assert.True(power.GetProperty("runtimeLeftS").GetDouble() > 0);
            // The default class's thresholds: warning at 40 % or 2 h, critical at 20 % or 30 min (the simulator starts at 60 to 100 %).
            var byBattery = BatteryLevel(power);
            Assert.Equal(byBattery, Power(node, "level"));
            var gap = Assert.Single(zone.GetProperty("gaps").EnumerateArray(), g => g.GetProperty("entity").GetString() == "node:" + PowerNode);
            Assert.StartsWith("on battery, ", gap.GetProperty("reason").GetString(), StringComparison.Ordinal);
            await Assertions.Expect(row).ToHaveAttributeAsync("data-power", "battery", new() { Timeout = 30_000 });
            await Assertions.Expect(page.Locator($"section.zone[data-zone=schillerplatz] li.gap[data-entity='node:{PowerNode}']"))
                .ToContainTextAsync("on battery", new() { Timeout = 30_000 });

            await _host.PostAsync($"api/simulator/links/{PowerNode}-uplink/cut");
            await Eventually.TrueAsync(async () =>
            {
                zone = await ZoneOfAsync();
                node = NodeIn(zone);
                return node.GetProperty("uplink").GetString() == "lte";
            }, ScopeLive, "MOGLI 02 on LTE in GET /api/events/kerwe");
            // LTE is at least a warning.
            Assert.Equal(BatteryLevel(node.GetProperty("power")) == "critical" ? "critical" : "warning", Power(node, "level"));
            gap = Assert.Single(zone.GetProperty("gaps").EnumerateArray(), g => g.GetProperty("entity").GetString() == "node:" + PowerNode);
            Assert.Contains("LTE fallback: the fibre uplink is down", gap.GetProperty("reason").GetString(), StringComparison.Ordinal);
            await Assertions.Expect(row).ToHaveAttributeAsync("data-uplink", "lte", new() { Timeout = 30_000 });
            await Assertions.Expect(row).ToHaveAttributeAsync("data-level", Power(node, "level")!);
        }
        finally
        {
            await _host.PostAsync($"api/simulator/links/{PowerNode}-uplink/restore");
            await _host.PostAsync($"api/simulator/nodes/{PowerNode}/mains-on");
            await page.Context.CloseAsync();
        }

        await Eventually.TrueAsync(async () => (await NodeOfAsync()) is { } n && Power(n, "source") == "mains" && n.GetProperty("uplink").GetString() == "fibre"
            && !(await ZoneOfAsync()).GetProperty("gaps").EnumerateArray().Any(g => g.GetProperty("entity").GetString() == "node:" + PowerNode),
            ScopeLive, "MOGLI 02 back on mains and fibre, no gap");
    }

    private static string BatteryLevel(JsonElement power)
    {
        var (pct, left) = (power.GetProperty("batteryPct").GetDouble(), power.GetProperty("runtimeLeftS").GetDouble());
        return pct <= 20 || left <= 1800 ? "critical" : pct <= 40 || left <= 7200 ? "warning" : "ok";
    }

    private async Task<JsonElement> ZoneOfAsync() =>
        Zone(await _as["operator"].GetFromJsonAsync<JsonElement>(new Uri("api/events/kerwe", UriKind.Relative)), "schillerplatz");

    private async Task<JsonElement?> NodeOfAsync() => NodeIn(await ZoneOfAsync());

    private static JsonElement NodeIn(JsonElement zone) =>
        zone.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("entity").GetString() == "node:" + PowerNode);

    private static string? Power(JsonElement node, string field) =>
        node.GetProperty("power").ValueKind == JsonValueKind.Object ? node.GetProperty("power").GetProperty(field).GetString() : null;
}
