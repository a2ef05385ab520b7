using System.Globalization;
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
        // The node's GPS position as it reports it (the simulated nodes stand in the town centre).
        await Eventually.TrueAsync(async () =>
        {
            var answer = await _as["coordinator"].GetFromJsonAsync<JsonElement>(new Uri("api/events/kerwe", UriKind.Relative));
            var node = Zone(answer, "stiftsplatz").GetProperty("nodes").EnumerateArray().Single();
            return node.GetProperty("position").ValueKind == JsonValueKind.Object && node.GetProperty("position").GetProperty("lat").GetDouble() is > 49 and < 50;
        }, ScopeLive, "the node's position");

        // The Weihnachtsmarkt is only planned: MOGLI 06 and its camera are in its plan, not deployed, with no state.
        var market = await _as["oncall"].GetFromJsonAsync<JsonElement>(new Uri("api/events/weihnachtsmarkt", UriKind.Relative));
        Assert.Equal("planned", market.GetProperty("event").GetProperty("phase").GetString());
        var planned = market.GetProperty("zones").EnumerateArray().SelectMany(z => z.GetProperty("endpoints").EnumerateArray()).ToList();
        Assert.Contains(planned, e => e.GetProperty("entity").GetString() == "endpoint:mogli-06-cam1");
        Assert.All(planned, e => Assert.False(e.GetProperty("deployed").GetBoolean()));
        Assert.All(planned, e => Assert.Equal(JsonValueKind.Null, e.GetProperty("value").ValueKind));
        Assert.Equal(0, market.GetProperty("reachable").GetInt32());
    }

    /// <summary>
    /// A Kerwe camera is unplugged until the live view says it is down, then put back: the report (from the recorded state
    /// history) has its outage, as long as the API saw it within a poll interval and the recorder's lag, in a CSV a
    /// spreadsheet reads (RFC 4180, UTF-8 with a byte order mark, the zones' umlauts intact) and in the printable HTML.
    /// </summary>
    [Fact]
    public async Task Report_HasTheOutageTheSimulatorMade_AsCsvAndHtml()
    {
        const string Camera = "endpoint:mogli-02-cam1";
        await Eventually.TrueAsync(async () => await _host.StateOfAsync(Camera) == "up", ScopeLive, "the camera up before");
        var unplugged = DateTimeOffset.UtcNow;
        await _host.PostAsync("api/simulator/endpoints/mogli-02-cam1/unplug");
        await Eventually.TrueAsync(async () => await _host.StateOfAsync(Camera) == "down", ScopeLive, "the camera down", TimeSpan.FromMilliseconds(100));
        // Unplugged for a few poll intervals, so the measured interval is more than the detection's lag.
        await Eventually.TrueAsync(() => DateTimeOffset.UtcNow - unplugged > TimeSpan.FromSeconds(4), ScopeLive, "four seconds unplugged",
            TimeSpan.FromMilliseconds(100));
        await _host.PostAsync("api/simulator/endpoints/mogli-02-cam1/restore");
        var restored = DateTimeOffset.UtcNow;
        await Eventually.TrueAsync(async () => await _host.StateOfAsync(Camera) == "up", ScopeLive, "the camera up again", TimeSpan.FromMilliseconds(100));

        string[] outage = [];
        await Eventually.TrueAsync(async () =>
        {
            var bytes = await _as["coordinator"].GetByteArrayAsync(new Uri("api/events/kerwe/report?format=csv", UriKind.Relative));
            Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
            var text = System.Text.Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
            Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
            Assert.DoesNotContain("\n", text.Replace("\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
            var rows = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split(',')).ToList();
            Assert.Equal("record", rows[0][0]);
            Assert.Contains(rows, r => r[0] == "zone" && r[1] == "Marktstraße");
            outage = rows.LastOrDefault(r => r[0] == "outage" && r[2] == Camera && DateTimeOffset.Parse(r[9], CultureInfo.InvariantCulture) <= restored.AddSeconds(5)
                && DateTimeOffset.Parse(r[8], CultureInfo.InvariantCulture) >= unplugged.AddSeconds(-1)) ?? [];
            return outage.Length > 0;
        }, ScopeLive, "the outage in the report");

        var measured = (restored - unplugged).TotalSeconds;
        var reported = double.Parse(outage[10], CultureInfo.InvariantCulture);
        // Detection lags the cut and the return alike, by up to a poll interval (1 s here): the difference is within one.
        Assert.InRange(reported, measured - 1.5, measured + 1.5);
        Assert.Equal("down", outage[11]);

        var html = await _as["coordinator"].GetStringAsync(new Uri("api/events/kerwe/report", UriKind.Relative));
        Assert.Contains("<tr data-entity=\"endpoint:mogli-02-cam1\">", html, StringComparison.Ordinal);
        Assert.Contains("Marktstraße", html, StringComparison.Ordinal);
        using var other = await _as["coordinator"].GetAsync(new Uri("api/events/altstadtfest/report", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        using var early = await _as["oncall"].GetAsync(new Uri("api/events/weihnachtsmarkt/report?format=csv", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        using var wrong = await _as["oncall"].GetAsync(new Uri("api/events/kerwe/report?format=pdf", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
    }

    private static JsonElement Zone(JsonElement coverage, string id) =>
        coverage.GetProperty("zones").EnumerateArray().Single(z => z.GetProperty("id").GetString() == id);
}
