using System.Text.RegularExpressions;
using NetOps.Testing;

namespace NetOps.Web.Tests;

/// <summary>The detail pages' last changes come from the operational database, so a restart of the host loses none.</summary>
public sealed partial class StateHistoryRestartTests
{
    private const string Link = "core-acc-nord";

    [Fact]
    public Task LastChanges_OutliveARestartOfTheHost() =>
        AllInOneHost.AcrossARestartAsync(
            async first =>
            {
                await Eventually.TrueAsync(async () => await first.StateOfAsync("link:" + Link) == "up", TimeSpan.FromSeconds(60),
                    "the link to be up before the cut\n" + first.Output);
                await first.PostAsync($"api/simulator/links/{Link}/cut");
                return await Eventually.ValueAsync(async () => DownSince(await PageAsync(first)), TimeSpan.FromSeconds(60),
                    "the detail page to list the link going down\n" + first.Output);
            },
            // Read as soon as the restarted host is ready: the change it lists was recorded by the first process.
            async (second, cutAt) => Assert.Contains(cutAt, DownRows(await PageAsync(second))));

    private static async Task<string> PageAsync(AllInOneHost host) =>
        await host.Http.GetStringAsync(new Uri($"links/{Link}", UriKind.Relative));

    private static string? DownSince(string html) => DownRows(html).FirstOrDefault();

    private static List<string> DownRows(string html) =>
        [.. DownRow().Matches(html).Select(m => m.Groups["at"].Value)];

    // Scoped CSS adds an attribute (b-…) to each element: the pattern allows more attributes after the ones it names.
    [GeneratedRegex("""<tr data-change-of="link:core-acc-nord" data-change-to="down"[^>]*><td class="since"[^>]*>(?<at>[^<]+)</td>""")]
    private static partial Regex DownRow();
}
