using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NetOps.Testing;

namespace NetOps.Web.Tests;

/// <summary>
/// GET /api/events and /api/events/{id} on the host with an account per role (the demo fleet: the Kerwe and the
/// Altstadtfest live, the Weihnachtsmarkt in two weeks with MOGLI 06 planned for it).
/// </summary>
public sealed partial class SecurityTests
{
    [Fact]
    public async Task Events_ListTheirPhase_AndACoordinatorTheirOwnOnly()
    {
        var all = await _as["oncall"].GetFromJsonAsync<JsonElement>(new Uri("api/events", UriKind.Relative));
        var phases = all.EnumerateArray().ToDictionary(e => e.GetProperty("id").GetString()!, e => e.GetProperty("phase").GetString());
        Assert.Equal("live", phases["kerwe"]);
        Assert.Equal("live", phases["altstadtfest"]);
        Assert.Equal("planned", phases["weihnachtsmarkt"]);

        var mine = await _as["coordinator"].GetFromJsonAsync<JsonElement>(new Uri("api/events", UriKind.Relative));
        Assert.Equal([CoordinatorEvent], mine.EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        using var other = await _as["coordinator"].GetAsync(new Uri("api/events/altstadtfest", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        using var unknown = await _as["oncall"].GetAsync(new Uri("api/events/no-such-event", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Event_CoveragePerZone_CountsReachableOfPlanned()
    {
        // Once the simulated cameras are seen, the Stiftsplatz has all four of its things reachable: two of two cameras.
        var kerwe = default(JsonElement);
        await Eventually.TrueAsync(async () =>
        {
            kerwe = await _as["coordinator"].GetFromJsonAsync<JsonElement>(new Uri("api/events/kerwe", UriKind.Relative));
            return Zone(kerwe, "stiftsplatz").GetProperty("reachable").GetInt32() == 4;
        }, ScopeLive, "the Kerwe's Stiftsplatz reachable");
        var stiftsplatz = Zone(kerwe, "stiftsplatz");
        Assert.Equal("live", kerwe.GetProperty("event").GetProperty("phase").GetString());
        Assert.Equal(4, stiftsplatz.GetProperty("planned").GetInt32());
        Assert.Equal(100, stiftsplatz.GetProperty("percent").GetDouble());
        var cameras = stiftsplatz.GetProperty("kinds").GetProperty("camera");
        Assert.Equal((2, 2), (cameras.GetProperty("planned").GetInt32(), cameras.GetProperty("reachable").GetInt32()));
        var camera = stiftsplatz.GetProperty("endpoints").EnumerateArray().Single(e => e.GetProperty("entity").GetString() == "endpoint:mogli-01-cam1");
        Assert.True(camera.GetProperty("deployed").GetBoolean());
        Assert.Equal("up", camera.GetProperty("value").GetString());

        // The Weihnachtsmarkt is only planned: MOGLI 06 and its camera are in its plan, not deployed, with no state.
        var market = await _as["oncall"].GetFromJsonAsync<JsonElement>(new Uri("api/events/weihnachtsmarkt", UriKind.Relative));
        Assert.Equal("planned", market.GetProperty("event").GetProperty("phase").GetString());
        var planned = market.GetProperty("zones").EnumerateArray().SelectMany(z => z.GetProperty("endpoints").EnumerateArray()).ToList();
        Assert.Contains(planned, e => e.GetProperty("entity").GetString() == "endpoint:mogli-06-cam1");
        Assert.All(planned, e => Assert.False(e.GetProperty("deployed").GetBoolean()));
        Assert.All(planned, e => Assert.Equal(JsonValueKind.Null, e.GetProperty("value").ValueKind));
        Assert.Equal(0, market.GetProperty("reachable").GetInt32());
    }

    private static JsonElement Zone(JsonElement coverage, string id) =>
        coverage.GetProperty("zones").EnumerateArray().Single(z => z.GetProperty("id").GetString() == id);
}
