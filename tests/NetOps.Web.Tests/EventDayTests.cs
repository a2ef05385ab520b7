using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using NetOps.Testing;

namespace NetOps.Web.Tests;

/// <summary>
/// An event day compressed into a couple of minutes on the simulated fleet, with the host restarted in the middle: the
/// operator sets the event up, takes it live, a camera is unplugged and MOGLI 06's fibre uplink cut for a measured while
/// each, its node runs on battery, then teardown and close. The after-event report's outage, time on LTE and battery
/// episode match what the simulator did to within one poll or report interval (1 s here, plus the test's own timing),
/// and what was recorded before the restart is still in it afterwards.
/// </summary>
public sealed class EventDayTests
{
    private const string Event = "tagesfest";
    private const string Camera = "endpoint:mogli-06-cam1";
    private static readonly TimeSpan Live = TimeSpan.FromSeconds(60);

    /// <summary>Detection lags a change and its return alike, by up to one poll interval (1 s), and the clock reads add a little.</summary>
    private const double Tolerance = 1.5;

    [Fact]
    public async Task EventDay_SetupLiveUplinkCutBatteryTeardown_ReportMatchesTheSimulator_AndSurvivesARestart()
    {
        var data = Path.Combine(Path.GetTempPath(), "netops-eventday-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            (DateTimeOffset From, DateTimeOffset Until) unplugged, cut, battery;
            string[] before;
            double lteBefore;
            var first = new AllInOneHost("--Storage:DataDirectory", data);
            await first.InitializeAsync();
            try
            {
                // Made on the dashboard for an hour from now: MOGLI 06 (otherwise planned for the Weihnachtsmarkt) on the stage.
                var now = DateTimeOffset.UtcNow;
                var plan = new
                {
                    name = "Tagesfest am Schillerplatz",
                    start = now.AddHours(1),
                    end = now.AddHours(3),
                    zones = new[] { new { id = "buehne", name = "Bühne" } },
                    nodes = new[] { new { node = "mogli-06", zone = "buehne", from = now.AddMinutes(30), until = now.AddHours(4) } },
                };
                using (var created = await first.Http.PutAsJsonAsync(new Uri($"api/events/{Event}", UriKind.Relative), plan))
                {
                    Assert.Equal(HttpStatusCode.OK, created.StatusCode);
                }

                // Planned: nothing of it is expected, nothing is missing.
                Assert.Equal("planned", await PhaseAsync(first));
                Assert.False(Planned(await EventAsync(first), Camera).GetProperty("deployed").GetBoolean());

                Assert.Equal("setup", await MoveAsync(first, "setup"));
                await Eventually.TrueAsync(async () => await first.StateOfAsync(Camera) == "up", Live, "the camera up once set up\n" + first.Output);
                Assert.Equal("live", await MoveAsync(first, "live"));

                // A camera unplugged for a measured while: an outage.
                unplugged = await ForAWhileAsync(first, "endpoints/mogli-06-cam1/unplug", "endpoints/mogli-06-cam1/restore", TimeSpan.FromSeconds(4),
                    async () => await first.StateOfAsync(Camera) == "down", async () => await first.StateOfAsync(Camera) == "up");
                before = await OutageAsync(first, Camera, unplugged);
                AssertDuration(before, unplugged);

                // The fibre uplink cut for a measured while: the node falls back to LTE (its cameras stay reachable over it).
                cut = await ForAWhileAsync(first, "links/mogli-06-uplink/cut", "links/mogli-06-uplink/restore", TimeSpan.FromSeconds(5),
                    async () => await NodeReasonAsync(first) == "node.on-lte", async () => await NodeReasonAsync(first) == "node.reporting");
                lteBefore = await LteSecondsAsync(first, cut);
            }
            finally
            {
                await first.DisposeAsync();
            }

            // Restarted in the middle of the day: the event is still live (its phases are stored), its timeline intact.
            var second = new AllInOneHost("--Storage:DataDirectory", data);
            await second.InitializeAsync();
            try
            {
                Assert.Equal("live", await PhaseAsync(second));
                Assert.Equal(before, await OutageAsync(second, Camera, unplugged));
                Assert.Equal(lteBefore, await LteSecondsAsync(second, cut));
                await Eventually.TrueAsync(async () => await second.StateOfAsync(Camera) == "up", Live, "the camera up after the restart\n" + second.Output);

                // Off the mains for a measured while: the node runs on its draining battery and says so.
                battery = await ForAWhileAsync(second, "nodes/mogli-06/mains-off", "nodes/mogli-06/mains-on", TimeSpan.FromSeconds(4),
                    async () => await NodeReasonAsync(second) == "node.on-battery", async () => await NodeReasonAsync(second) == "node.reporting");

                // Teardown ends the live time the report covers; closed packs the things away.
                var liveFrom = DateTimeOffset.Parse((await EventAsync(second)).GetProperty("event").GetProperty("start").GetString()!, CultureInfo.InvariantCulture);
                Assert.Equal("teardown", await MoveAsync(second, "teardown"));
                var liveUntil = DateTimeOffset.Parse((await EventAsync(second)).GetProperty("event").GetProperty("end").GetString()!, CultureInfo.InvariantCulture);
                Assert.Equal("closed", await MoveAsync(second, "closed"));
                Assert.False(Planned(await EventAsync(second), Camera).GetProperty("deployed").GetBoolean());

                var rows = await ReportAsync(second);
                var camera = rows.Single(r => r[0] == "availability" && r[2] == Camera);
                var observed = double.Parse(camera[6], CultureInfo.InvariantCulture);
                Assert.InRange(observed, 0, (liveUntil - liveFrom).TotalSeconds + Tolerance);
                Assert.Equal(before, Outage(rows, Camera, unplugged));
                // The battery episode and the uplink's time on LTE, each as long as the simulator made them.
                var episode = Assert.Single(rows, r => r[0] == "battery" && r[2] == "node:mogli-06");
                AssertDuration(episode, battery);
                Assert.Equal("ended", episode[11]);
                Assert.InRange(double.Parse(episode[16], CultureInfo.InvariantCulture), 0, 99.9);
                Assert.Equal(lteBefore, LteSeconds(rows));

                // The camera was out of reach while unplugged alone: its availability is the rest of the time it was watched.
                var reachable = double.Parse(camera[7], CultureInfo.InvariantCulture);
                Assert.InRange(observed - reachable, double.Parse(before[10], CultureInfo.InvariantCulture) - Tolerance,
                    double.Parse(before[10], CultureInfo.InvariantCulture) + Tolerance);
            }
            finally
            {
                await second.DisposeAsync();
            }
        }
        finally
        {
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    /// <summary>Does <paramref name="start"/>, waits until <paramref name="begun"/>, holds for <paramref name="hold"/>, undoes it and waits until <paramref name="ended"/>.</summary>
    private static async Task<(DateTimeOffset From, DateTimeOffset Until)> ForAWhileAsync(AllInOneHost host, string start, string undo, TimeSpan hold,
        Func<Task<bool>> begun, Func<Task<bool>> ended)
    {
        var from = DateTimeOffset.UtcNow;
        await host.PostAsync("api/simulator/" + start);
        DateTimeOffset until;
        try
        {
            await Eventually.TrueAsync(begun, Live, start + " to show", TimeSpan.FromMilliseconds(100));
            await Eventually.TrueAsync(() => DateTimeOffset.UtcNow - from > hold, Live, $"{hold.TotalSeconds} s of {start}", TimeSpan.FromMilliseconds(100));
        }
        finally
        {
            await host.PostAsync("api/simulator/" + undo);
            until = DateTimeOffset.UtcNow;
        }

        await Eventually.TrueAsync(ended, Live, undo + " to show", TimeSpan.FromMilliseconds(100));
        return (from, until);
    }

    private static async Task<string?> NodeReasonAsync(AllInOneHost host) =>
        Planned(await EventAsync(host), "node:mogli-06").GetProperty("reason").GetProperty("code").GetString();

    /// <summary>The node's time on LTE in the report, once it is as long as the cut (within the tolerance).</summary>
    private static async Task<double> LteSecondsAsync(AllInOneHost host, (DateTimeOffset From, DateTimeOffset Until) cut)
    {
        var expected = (cut.Until - cut.From).TotalSeconds;
        var lte = 0.0;
        await Eventually.TrueAsync(async () => Math.Abs((lte = LteSeconds(await ReportAsync(host))) - expected) <= Tolerance, Live,
            $"the node's time on LTE in the report as long as the {expected:0.0} s cut (last: {lte} s)");
        return lte;
    }

    private static double LteSeconds(List<string[]> rows) =>
        double.Parse(rows.Single(r => r[0] == "uplink" && r[2] == "node:mogli-06")[17], CultureInfo.InvariantCulture);

    private static void AssertDuration(string[] outage, (DateTimeOffset From, DateTimeOffset Until) measured)
    {
        var reported = double.Parse(outage[10], CultureInfo.InvariantCulture);
        var expected = (measured.Until - measured.From).TotalSeconds;
        Assert.InRange(reported, expected - Tolerance, expected + Tolerance);
    }

    /// <summary>The report's outage of <paramref name="entity"/> that overlaps <paramref name="measured"/>, once it is there.</summary>
    private static async Task<string[]> OutageAsync(AllInOneHost host, string entity, (DateTimeOffset From, DateTimeOffset Until) measured)
    {
        string[]? outage = null;
        await Eventually.TrueAsync(async () => (outage = Outage(await ReportAsync(host), entity, measured)) is not null, Live,
            $"the outage of {entity} in the report");
        return outage!;
    }

    private static string[]? Outage(List<string[]> rows, string entity, (DateTimeOffset From, DateTimeOffset Until) measured) =>
        rows.LastOrDefault(r => r[0] == "outage" && r[2] == entity
                                && DateTimeOffset.Parse(r[8], CultureInfo.InvariantCulture) >= measured.From.AddSeconds(-Tolerance)
                                && DateTimeOffset.Parse(r[9], CultureInfo.InvariantCulture) <= measured.Until.AddSeconds(5));

    private static async Task<List<string[]>> ReportAsync(AllInOneHost host)
    {
        var bytes = await host.Http.GetByteArrayAsync(new Uri($"api/events/{Event}/report?format=csv", UriKind.Relative));
        var text = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
        return [.. text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split(','))];
    }

    private static async Task<JsonElement> EventAsync(AllInOneHost host) =>
        await host.Http.GetFromJsonAsync<JsonElement>(new Uri($"api/events/{Event}", UriKind.Relative));

    private static async Task<string?> PhaseAsync(AllInOneHost host) =>
        (await EventAsync(host)).GetProperty("event").GetProperty("phase").GetString();

    private static JsonElement Planned(JsonElement ev, string entity) =>
        ev.GetProperty("zones").EnumerateArray().SelectMany(z => z.GetProperty("nodes").EnumerateArray().Concat(z.GetProperty("endpoints").EnumerateArray()))
            .Single(p => p.GetProperty("entity").GetString() == entity);

    private static async Task<string?> MoveAsync(AllInOneHost host, string phase)
    {
        using var response = await host.Http.PostAsJsonAsync(new Uri($"api/events/{Event}/phase", UriKind.Relative), new { phase });
        Assert.True(response.IsSuccessStatusCode, $"{phase}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("phase").GetString();
    }
}
