using System.Text.RegularExpressions;
using NetOps.Testing;

namespace NetOps.Web.Tests;

/// <summary>The coverage page's timeline comes from the operational database, so a restart of the host loses no stretch.</summary>
public sealed partial class CoverageTimelineRestartTests
{
    private const string Camera = "endpoint:mogli-02-cam1";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public Task Timeline_KeepsTheOutageRecordedBeforeARestartOfTheHost() =>
        AllInOneHost.AcrossARestartAsync(
            async first =>
            {
                await Eventually.TrueAsync(async () => await first.StateOfAsync(Camera) == "up", Patience, "the Kerwe camera up before\n" + first.Output);
                await first.PostAsync("api/simulator/endpoints/mogli-02-cam1/unplug");
                await Eventually.TrueAsync(async () => await first.StateOfAsync(Camera) == "down", Patience, "the camera down\n" + first.Output);
                await first.PostAsync("api/simulator/endpoints/mogli-02-cam1/restore");
                // The page's timeline (read from the history) has the outage closed: down, then reachable again.
                return await Eventually.ValueAsync(async () => Outage(await PageAsync(first)), Patience,
                    "the timeline to show the camera down and back\n" + first.Output);
            },
            // Read as soon as the restarted host is ready: the stretch it shows was recorded by the first process.
            async (second, outage) => Assert.Contains(("down", outage.From, outage.Until), Bars(await PageAsync(second))));

    private static async Task<string> PageAsync(AllInOneHost host) =>
        await host.Http.GetStringAsync(new Uri("events/kerwe", UriKind.Relative));

    /// <summary>The camera's down stretch that has a reachable one after it.</summary>
    private static Stretch? Outage(string html)
    {
        var bars = Bars(html);
        return bars.Zip(bars.Skip(1)).Where(p => p.First.Value == "down" && p.Second.Value == "reachable")
            .Select(p => new Stretch(p.First.From, p.First.Until)).LastOrDefault();
    }

    /// <summary>The camera's bars on the timeline, in order: (value, from, until).</summary>
    private static List<(string Value, string From, string Until)> Bars(string html)
    {
        var row = CameraRow().Match(html);
        Assert.True(row.Success, "the timeline has no row for " + Camera);
        return [.. Bar().Matches(row.Groups["svg"].Value).Select(m => (m.Groups["value"].Value, m.Groups["from"].Value, m.Groups["until"].Value))];
    }

    private sealed record Stretch(string From, string Until);

    // Scoped CSS adds an attribute (b-…) to each element: the patterns allow more attributes after the ones they name.
    [GeneratedRegex("""<div class="row row-endpoint" data-entity="endpoint:mogli-02-cam1"[^>]*>(?<svg>.*?)</svg>""", RegexOptions.Singleline)]
    private static partial Regex CameraRow();

    [GeneratedRegex(""""<rect [^>]*data-from="(?<from>[^"]+)" data-until="(?<until>[^"]+)" data-value="(?<value>[^"]+)"""")]
    private static partial Regex Bar();
}
