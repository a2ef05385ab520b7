using System.Net;
using System.Text.Json;
using NetOps.Testing;

namespace NetOps.Web.Tests;

/// <summary>/api/history's parameters are bounded: out of bounds is a 400 that names the parameter; the largest question answers.</summary>
public sealed class HistoryApiTests(HistoryApiTests.Host fixture) : IClassFixture<HistoryApiTests.Host>
{
    private readonly AllInOneHost _host = fixture.Instance;

    /// <summary>One all-in-one host for every case: the tests only read.</summary>
    public sealed class Host : IAsyncLifetime
    {
        public AllInOneHost Instance { get; } = new();

        public Task InitializeAsync() => Instance.InitializeAsync();

        public Task DisposeAsync() => Instance.DisposeAsync();
    }

    public static TheoryData<string, string> OutOfBounds() => new()
    {
        { "range=400.00:00:01", "range is a time span from 00:00:01 to 400.00:00:00" },
        { "range=00:00:00.500", "range is a time span from 00:00:01" },
        { "range=-01:00:00", "range is a time span from 00:00:01" },
        { "range=ten-years", "not 'ten-years'" },
        { "window=00:00:00.001", "window is a time span from 00:00:01 to the range (01:00:00)" },
        { "window=02:00:00", "window is a time span from 00:00:01 to the range (01:00:00)" },
        { "range=3650.00:00:00&window=00:00:00.001", "range is a time span from 00:00:01 to 400.00:00:00" },
        { "range=400.00:00:00&window=00:00:01", "range / window is at most 10000 windows per series, not 34560000" },
        { "range=400.00:00:00&window=00:57:35", "take a window of at least 00:57:36" },
        { "aggregate=median", "aggregate is one of mean, min, max, last, sum, count, not 'median'" },
        { "aggregate=1", "aggregate is one of" },
        { "group=a,b,c,d,e,f,g,h,i", "group is a comma list of at most 8 tags" },
        { string.Join('&', Enumerable.Range(0, 17).Select(i => $"tag{i}=x")), "at most 16 tag filters" },
        { "device=a&device=b", "the tag filter device is given 2 times" },
        { "device=" + new string('x', 201), "a tag name and value have at most 200 characters each" },
    };

    [Theory]
    [MemberData(nameof(OutOfBounds))]
    public async Task OutOfBounds_Answers400_NamingTheParameterAndWhatItAllows(string query, string message)
    {
        using var response = await _host.Http.GetAsync(new Uri("api/history/device/reachable?" + query, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{query} answered {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(400, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Contains(message, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("range=400.00:00:00&window=00:57:36&aggregate=max&group=device")]
    [InlineData("range=400.00:00:00")]
    [InlineData("range=02:46:40&window=00:00:01&device=core-rathaus&group=port")]
    [InlineData("range=00:00:01&window=00:00:01&aggregate=COUNT")]
    public async Task TheLargestQuestions_Answer(string query)
    {
        await Eventually.TrueAsync(async () => await _host.StateOfAsync("device:core-rathaus") == "up", TimeSpan.FromSeconds(20), "core polled");

        using var response = await _host.Http.GetAsync(new Uri("api/history/port/in_octets?" + query, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query} answered {(int)response.StatusCode}: {body}");
        Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(body).RootElement.ValueKind);
    }

    [Fact]
    public async Task MoreSeriesThanTheWindowsLeaveRoomFor_Answers400_NamingTheFilter()
    {
        // 10,000 windows each leave room for 50 series (500,000 points in all); every port of the fleet is more than that.
        const string query = "api/history/port/in_octets?group=device,port&range=02:46:40&window=00:00:01";
        string body = "";
        await Eventually.TrueAsync(async () =>
        {
            using var response = await _host.Http.GetAsync(new Uri(query, UriKind.Relative));
            body = await response.Content.ReadAsStringAsync();
            return response.StatusCode == HttpStatusCode.BadRequest;
        }, TimeSpan.FromSeconds(30), "more than 50 port series in the history");

        var detail = JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString();
        Assert.Contains("the query selects more than 50 series (at most 500, and at most 500000 points in all: 10000 windows each)", detail,
            StringComparison.Ordinal);
        Assert.Contains("filter by a tag (device=...)", detail, StringComparison.Ordinal);
    }
}
