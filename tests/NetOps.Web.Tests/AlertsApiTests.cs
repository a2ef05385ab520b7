using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using NetOps.Core.Security;
using NetOps.Core.State;
using NetOps.Inventory;
using NetOps.Testing;
using NetOps.Web.History;

namespace NetOps.Web.Tests;

/// <summary>The alerts REST API of the all-in-one host: real alerting over the simulated fleet, read and driven over HTTP.</summary>
public sealed class AlertsApiTests(AlertsApiTests.Host fixture) : IClassFixture<AlertsApiTests.Host>
{
    private static readonly TimeSpan Live = TimeSpan.FromSeconds(30);
    private readonly AllInOneHost _host = fixture.Instance;

    /// <summary>One all-in-one host for the API tests; each test leaves the fleet as it found it.</summary>
    public sealed class Host : IAsyncLifetime
    {
        public AllInOneHost Instance { get; } = new();

        public Task InitializeAsync() => Instance.InitializeAsync();

        public Task DisposeAsync() => Instance.DisposeAsync();
    }

    [Fact]
    public async Task LinkCut_IsListedAsLinkDown_AcknowledgedWithWhoAndWhy_AndRefusedOnceResolved()
    {
        await _host.PostAsync("api/simulator/links/core-acc-nord/cut");
        string id;
        try
        {
            var alert = default(JsonElement);
            await Eventually.TrueAsync(async () =>
            {
                alert = (await OpenAsync("api/alerts")).FirstOrDefault(a =>
                    a.GetProperty("rule").GetString() == "LinkDown" && a.GetProperty("subject").GetString() == "link:core-acc-nord");
                return alert.ValueKind == JsonValueKind.Object;
            }, Live, "LinkDown of link:core-acc-nord in /api/alerts\n" + _host.Output);
            id = alert.GetProperty("id").GetString()!;
            Assert.Equal("critical", alert.GetProperty("severity").GetString());
            Assert.Equal("firing", alert.GetProperty("status").GetString());
            // What stands behind the cut joins the alert as the far side's polls go unanswered.
            await Eventually.TrueAsync(async () =>
            {
                var now = await _host.Http.GetFromJsonAsync<JsonElement>(new Uri($"api/alerts/{id}", UriKind.Relative));
                return now.GetProperty("affected").EnumerateArray().Any(e => e.GetString() == "device:acc-nord");
            }, Live, "device:acc-nord among the affected of the LinkDown alert");
            Assert.Contains(await OpenAsync("api/alerts?status=firing&severity=critical"), a => a.GetProperty("id").GetString() == id);

            // The name on an acknowledgement is the logged-in account's; a "by" in the body does not count (SecurityTests).
            using (var unknown = await PostJsonAsync("api/alerts/no-such-alert/acknowledge", new { by = "Ada" }))
            {
                Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            }

            using (var acknowledged = await PostJsonAsync($"api/alerts/{id}/acknowledge", new { by = "Ada", comment = "fibre crew on the way" }))
            {
                Assert.Equal(HttpStatusCode.OK, acknowledged.StatusCode);
                var body = await acknowledged.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal("acknowledged", body.GetProperty("status").GetString());
                Assert.Equal("admin", body.GetProperty("acknowledgement").GetProperty("by").GetString());
                Assert.Equal("fibre crew on the way", body.GetProperty("acknowledgement").GetProperty("comment").GetString());
            }

            Assert.Contains(await OpenAsync("api/alerts?status=acknowledged"), a => a.GetProperty("id").GetString() == id);
            Assert.DoesNotContain(await OpenAsync("api/alerts?status=firing"), a => a.GetProperty("id").GetString() == id);
            var single = await _host.Http.GetFromJsonAsync<JsonElement>(new Uri($"api/alerts/{id}", UriKind.Relative));
            Assert.Equal("acknowledged", single.GetProperty("status").GetString());
        }
        finally
        {
            await _host.PostAsync("api/simulator/links/core-acc-nord/restore");
        }

        await Eventually.TrueAsync(async () =>
        {
            var alert = await _host.Http.GetFromJsonAsync<JsonElement>(new Uri($"api/alerts/{id}", UriKind.Relative));
            return alert.GetProperty("status").GetString() == "resolved";
        }, Live, $"alert {id} resolved after the restore");
        using (var late = await PostJsonAsync($"api/alerts/{id}/acknowledge", new { by = "Ada" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
            Assert.Contains("resolved", await DetailAsync(late), StringComparison.Ordinal);
        }

        var history = await _host.Http.GetFromJsonAsync<JsonElement>(new Uri("api/alerts/history?limit=1000", UriKind.Relative));
        var past = history.GetProperty("alerts").EnumerateArray().Single(a => a.GetProperty("id").GetString() == id);
        Assert.Equal("resolved", past.GetProperty("status").GetString());
        Assert.Equal("admin", past.GetProperty("acknowledgement").GetProperty("by").GetString());
        Assert.Equal(1000, history.GetProperty("limit").GetInt32());
    }

    [Fact]
    public async Task Silences_InEitherMatcherForm_AreCreatedListedAndExpired()
    {
        var endsAt = DateTimeOffset.UtcNow.AddHours(1);
        using var created = await PostJsonAsync("api/silences", new
        {
            matchers = new object[]
            {
                new { name = "alertname", value = "ApiTestRule", isRegex = false, isEqual = true },
                "subject=~\"link:api-test-.*\"",
            },
            endsAt,
            createdBy = "Grace",
            comment = "splicing the test fibre",
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var silence = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = silence.GetProperty("id").GetString()!;
        Assert.Equal("active", silence.GetProperty("state").GetString());
        var matchers = silence.GetProperty("matchers").EnumerateArray().ToList();
        Assert.Equal(("alertname", "ApiTestRule", false, true), Matcher(matchers[0]));
        Assert.Equal(("subject", "link:api-test-.*", true, true), Matcher(matchers[1]));

        var listed = await _host.Http.GetFromJsonAsync<JsonElement>(new Uri("api/silences", UriKind.Relative));
        Assert.Contains(listed.EnumerateArray(), s => s.GetProperty("id").GetString() == id && s.GetProperty("createdBy").GetString() == "admin");

        // Without ?by the logged-in account names the expiry (a "by" given is ignored then, as below).
        using (var unknown = await _host.Http.DeleteAsync(new Uri("api/silences/no-such-silence?by=Grace", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        using (var expired = await _host.Http.DeleteAsync(new Uri($"api/silences/{id}?by=Grace", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, expired.StatusCode);
            var body = await expired.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("expired", body.GetProperty("state").GetString());
            Assert.Equal("admin", body.GetProperty("expiredBy").GetString());
        }

        await Eventually.TrueAsync(async () =>
        {
            var now = await _host.Http.GetFromJsonAsync<JsonElement>(new Uri("api/silences", UriKind.Relative));
            return now.EnumerateArray().All(s => s.GetProperty("id").GetString() != id);
        }, Live, $"silence {id} gone from /api/silences once expired");
    }

    [Fact]
    public async Task BadRequests_AreRefused_WithTheProblemNamed()
    {
        using (var bad = await PostJsonAsync("api/silences", new
        {
            matchers = new object[] { "alertname=\"LinkDown\"", "subject=~\"(\"", "nonsense" },
            endsAt = DateTimeOffset.UtcNow.AddHours(1),
            createdBy = "Grace",
        }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            var detail = await DetailAsync(bad);
            Assert.Contains("matchers[1]: '(' is not a regular expression", detail, StringComparison.Ordinal);
            Assert.Contains("matchers[2]: 'nonsense' is not a matcher", detail, StringComparison.Ordinal);
        }

        using (var noComment = await PostJsonAsync("api/silences", new
        {
            matchers = new[] { "alertname=\"LinkDown\"" },
            endsAt = DateTimeOffset.UtcNow.AddHours(1),
            createdBy = "Grace",
        }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noComment.StatusCode);
            Assert.Contains("a comment is required", await DetailAsync(noComment), StringComparison.Ordinal);
        }

        using (var noEnd = await PostJsonAsync("api/silences", new { matchers = new[] { "alertname=\"LinkDown\"" }, createdBy = "Grace", comment = "x" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noEnd.StatusCode);
            Assert.Contains("endsAt is required", await DetailAsync(noEnd), StringComparison.Ordinal);
        }

        using (var notJson = await _host.Http.PostAsync(new Uri("api/silences", UriKind.Relative),
            new StringContent("matchers: all", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
            Assert.Contains("the body is not what this route takes", await DetailAsync(notJson), StringComparison.Ordinal);
        }

        var until = DateTimeOffset.UtcNow;
        using (var tooLong = await _host.Http.GetAsync(new Uri(
            $"api/alerts/history?from={Uri.EscapeDataString(until.AddDays(-32).ToString("O"))}&until={Uri.EscapeDataString(until.ToString("O"))}",
            UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
            Assert.Contains("longer than 31 days", await DetailAsync(tooLong), StringComparison.Ordinal);
        }

        foreach (var query in new[] { "limit=0", "limit=1001", "limit=many", "from=yesterday", "from=2030-01-01T00:00:00Z" })
        {
            using var refused = await _host.Http.GetAsync(new Uri("api/alerts/history?" + query, UriKind.Relative));
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"history?{query} answered {(int)refused.StatusCode}");
            Assert.NotEmpty(await DetailAsync(refused));
        }

        using (var status = await _host.Http.GetAsync(new Uri("api/alerts?status=resolved", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, status.StatusCode);
            Assert.Contains("firing or acknowledged", await DetailAsync(status), StringComparison.Ordinal);
        }

        using (var missing = await _host.Http.GetAsync(new Uri("api/alerts/no-such-alert", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }
    }

    private async Task<List<JsonElement>> OpenAsync(string path) =>
        [.. (await _host.Http.GetFromJsonAsync<JsonElement>(new Uri(path, UriKind.Relative))).EnumerateArray()];

    private Task<HttpResponseMessage> PostJsonAsync(string path, object body) =>
        _host.Http.PostAsJsonAsync(new Uri(path, UriKind.Relative), body);

    private static async Task<string> DetailAsync(HttpResponseMessage response)
    {
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        return problem.GetProperty("detail").GetString() ?? "";
    }

    private static (string, string, bool, bool) Matcher(JsonElement m) => (m.GetProperty("name").GetString()!, m.GetProperty("value").GetString()!,
        m.GetProperty("isRegex").GetBoolean(), m.GetProperty("isEqual").GetBoolean());
}

/// <summary>A process without the alerting role maps the same routes; each says where alerting is not.</summary>
public sealed class AlertsApiWithoutAlertingTests
{
    [Fact]
    public async Task EveryAlertsRoute_Answers503_WhenAlertingDoesNotRunInTheProcess()
    {
        var port = FreePort.Tcp();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        // The dashboard's other routes bind these; none is called here.
        builder.Services.AddSingleton(_ => (LiveStateView)null!);
        builder.Services.AddSingleton(_ => (IInventoryProvider)null!);
        builder.Services.AddSingleton(_ => (IHistoryReader)null!);
        builder.Services.AddSingleton(TimeProvider.System);
        // The routes' policies admit anyone here: this test is about where alerting runs, not who asks (SecurityTests).
        var authorization = builder.Services.AddAuthorizationBuilder();
        foreach (var policy in NetOpsPolicies.Roles.Keys)
        {
            authorization.AddPolicy(policy, p => p.RequireAssertion(_ => true));
        }

        await using var app = builder.Build();
        app.UseAuthorization();
        app.MapNetOpsApi();
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };

        var routes = ((IEndpointRouteBuilder)app).DataSources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<ITagsMetadata>()?.Tags.Contains("Alerts") == true)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => (Method: m, Path: e.RoutePattern.RawText!.Replace("{id}", "x", StringComparison.Ordinal))))
            .ToList();
        Assert.Contains(("POST", "/api/silences"), routes);
        Assert.Contains(("GET", "/api/alerts/history"), routes);
        foreach (var (method, path) in routes)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path.TrimStart('/'));
            if (method == "POST")
            {
                request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
            }

            using var response = await http.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{method} {path} answered {(int)response.StatusCode}");
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("alerting does not run in this process", problem.GetProperty("detail").GetString());
        }

        await app.StopAsync();
    }
}
