using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using NetOps.Core.State;
using NetOps.Inventory;
using NetOps.Simulator;
using NetOps.Web.History;

namespace NetOps.Web.Tests;

/// <summary>The REST API's OpenAPI document, read from the all-in-one host as a client would.</summary>
public sealed class OpenApiTests : IAsyncLifetime
{
    private readonly AllInOneHost _host = new();

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Document_DescribesEveryApiRouteTheAppMaps_WithASummaryAndResponses()
    {
        using var document = JsonDocument.Parse(await _host.Http.GetStringAsync(new Uri("openapi/v1.json", UriKind.Relative)));
        var described = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                described[$"{operation.Name.ToUpperInvariant()} {path.Name}"] = operation.Value;
            }
        }

        var mapped = ApiRoutes();
        Assert.Contains("GET /api/state", mapped);
        Assert.Contains("POST /api/simulator/links/{id}/cut", mapped);
        Assert.All(mapped, route =>
        {
            Assert.True(described.TryGetValue(route, out var operation), $"{route} is mapped but not in /openapi/v1.json");
            Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("operationId").GetString()), $"{route} has no name");
            Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()), $"{route} has no summary");
            Assert.NotEmpty(operation.GetProperty("responses").EnumerateObject());
        });

        var state = described["GET /api/state"].GetProperty("responses").GetProperty("200").GetProperty("content");
        Assert.True(state.TryGetProperty("application/json", out _), "GET /api/state documents its JSON body");
    }

    [Fact]
    public async Task ReferencePage_IsServedAtScalar()
    {
        using var response = await _host.Http.GetAsync(new Uri("scalar", UriKind.Relative));
        Assert.True(response.IsSuccessStatusCode, $"/scalar answered {(int)response.StatusCode}");
        Assert.Contains("openapi/v1.json", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>
    /// "METHOD /api/..." for every route the host's mapping code maps under /api, mapped here in-process by the same
    /// extension methods the host calls, so a new route counts without this test naming it.
    /// </summary>
    private static List<string> ApiRoutes()
    {
        var builder = WebApplication.CreateSlimBuilder();
        // The handlers' services bind from the container; registering their types is enough to map them.
        builder.Services.AddSingleton(_ => (LiveStateView)null!);
        builder.Services.AddSingleton(_ => (IInventoryProvider)null!);
        builder.Services.AddSingleton(_ => (IHistoryReader)null!);
        builder.Services.AddSingleton(_ => (SimulatedFleet)null!);
        builder.Services.AddSingleton(TimeProvider.System);
        var app = builder.Build();
        app.MapNetOpsApi();
        app.MapNetOpsSimulatorApi();
        return [.. ((IEndpointRouteBuilder)app).DataSources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => $"{m} {e.RoutePattern.RawText}"))
            .Distinct()
            .Order(StringComparer.Ordinal)];
    }
}
