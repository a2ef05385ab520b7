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

/// <summary>Operators make and move events on the dashboard's API: stored, in force at once, audited, exported as YAML.</summary>
public sealed partial class SecurityTests
{
    [Fact]
    public async Task Operator_CreatesAnEvent_MovesItByHand_ExportsIt_AndEachStepIsAudited()
    {
        var op = _as["operator"];
        var now = DateTimeOffset.UtcNow;
        var uri = new Uri("api/events/sommerfest", UriKind.Relative);

        using (var bad = await op.PutAsJsonAsync(uri, new { name = " ", start = now.AddDays(6), end = now.AddDays(5), zones = Array.Empty<object>() }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray().Select(e => e.GetString()).ToList();
            Assert.Equal(["name: required, at most 200 characters", "end: must be after start", "zones: at least one zone, at most 50"], errors);
        }

        // Planned in five days, MOGLI 06 on the Stiftsplatz from a day before (it is at the Weihnachtsmarkt only later).
        var plan = new
        {
            name = "Sommerfest am Stiftsplatz",
            start = now.AddDays(5),
            end = now.AddDays(7),
            zones = new[] { new { id = "buehne", name = "Bühne" } },
            nodes = new[] { new { node = "mogli-06", zone = "buehne", from = now.AddDays(4), until = now.AddDays(8) } },
        };
        using (var created = await op.PutAsJsonAsync(uri, plan))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
            Assert.Equal("planned", (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("phase").GetString());
        }

        using (var theirs = await _as["coordinator"].GetAsync(uri))
        {
            Assert.Equal(HttpStatusCode.NotFound, theirs.StatusCode);
        }

        // By hand: setup deploys the node now, live starts the event now, no way back, teardown, closed packs it away.
        Assert.Equal("setup", await MoveAsync(op, "setup", HttpStatusCode.OK));
        var setUp = await op.GetFromJsonAsync<JsonElement>(uri);
        Assert.True(setUp.GetProperty("zones")[0].GetProperty("nodes")[0].GetProperty("deployed").GetBoolean());
        Assert.Equal("live", await MoveAsync(op, "live", HttpStatusCode.OK));
        Assert.Null(await MoveAsync(op, "setup", HttpStatusCode.Conflict));
        Assert.Null(await MoveAsync(op, "planned", HttpStatusCode.BadRequest));
        Assert.Null(await MoveAsync(_as["oncall"], "teardown", HttpStatusCode.Forbidden));
        Assert.Equal("teardown", await MoveAsync(op, "teardown", HttpStatusCode.OK));
        Assert.Equal("closed", await MoveAsync(op, "closed", HttpStatusCode.OK));
        var closed = await op.GetFromJsonAsync<JsonElement>(uri);
        Assert.False(closed.GetProperty("zones")[0].GetProperty("nodes")[0].GetProperty("deployed").GetBoolean());
        var live = DateTimeOffset.Parse(closed.GetProperty("event").GetProperty("start").GetString()!, CultureInfo.InvariantCulture);
        Assert.InRange(live, now, DateTimeOffset.UtcNow);

        // The YAML for next year: the event as it ran, and the node's assignment as it was in force.
        var yaml = await op.GetStringAsync(new Uri("api/events/sommerfest/yaml", UriKind.Relative));
        Assert.Contains("  - id: sommerfest\n    name: \"Sommerfest am Stiftsplatz\"\n", yaml, StringComparison.Ordinal);
        Assert.Contains("      - { id: buehne, name: \"Bühne\" }\n", yaml, StringComparison.Ordinal);
        Assert.Contains("  - { node: mogli-06, event: sommerfest, zone: buehne, from: ", yaml, StringComparison.Ordinal);

        // Who moved it when, from where.
        var audit = await _as["admin"].GetFromJsonAsync<JsonElement>(new Uri("api/audit?action=event.phase&limit=50", UriKind.Relative));
        var moves = audit.GetProperty("entries").EnumerateArray().Where(e => e.GetProperty("target").GetString() == "sommerfest")
            .Select(e => (Actor: e.GetProperty("actor").GetString(), Detail: e.GetProperty("detail").GetString(), Address: e.GetProperty("address").GetString()))
            .Reverse().ToList();
        Assert.Equal(["planned → setup", "setup → live", "live → teardown", "teardown → closed"], moves.Select(m => m.Detail));
        Assert.All(moves, m => Assert.Equal(("op", "127.0.0.1"), (m.Actor, m.Address)));

        // Deleted, it is gone; a second delete finds nothing.
        using (var deleted = await op.DeleteAsync(uri))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using (var gone = await op.GetAsync(uri))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        using var again = await op.DeleteAsync(uri);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    /// <summary>The phase the event is in after the move, or null when it was refused with <paramref name="expected"/>.</summary>
    private static async Task<string?> MoveAsync(HttpClient client, string phase, HttpStatusCode expected)
    {
        using var response = await client.PostAsJsonAsync(new Uri("api/events/sommerfest/phase", UriKind.Relative), new { phase });
        Assert.True(expected == response.StatusCode, $"{phase}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("phase").GetString() : null;
    }
}
