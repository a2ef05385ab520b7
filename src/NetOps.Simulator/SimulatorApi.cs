using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace NetOps.Simulator;

/// <summary>The simulator's HTTP API under /api/simulator; the host maps it only when the simulator role runs.</summary>
public static class SimulatorApi
{
    /// <summary>Field events on demand: cut and restore links, switch nodes off and on.</summary>
    public static IEndpointRouteBuilder MapNetOpsSimulatorApi(this IEndpointRouteBuilder app)
    {
        var simulator = app.MapGroup("/api/simulator");
        simulator.MapPost("/links/{id}/cut", (string id, SimulatedFleet fleet) => fleet.CutLink(id) ? Results.NoContent() : Results.NotFound());
        simulator.MapPost("/links/{id}/restore", (string id, SimulatedFleet fleet) => fleet.RestoreLink(id) ? Results.NoContent() : Results.NotFound());
        simulator.MapPost("/nodes/{id}/off", async (string id, SimulatedFleet fleet, CancellationToken ct) =>
            await fleet.SwitchOffNodeAsync(id, ct) ? Results.NoContent() : Results.NotFound());
        simulator.MapPost("/nodes/{id}/on", async (string id, SimulatedFleet fleet, CancellationToken ct) =>
            await fleet.SwitchOnNodeAsync(id, ct) ? Results.NoContent() : Results.NotFound());
        // Optics: port names hold slashes, so the port travels in the query (?port=Te1/0/1&dbm=-16.5).
        simulator.MapPost("/devices/{id}/rx-power", (string id, string port, double dbm, SimulatedFleet fleet) =>
            fleet.SetRxPower(id, port, dbm) ? Results.NoContent() : Results.NotFound());
        simulator.MapPost("/devices/{id}/rx-power/restore", (string id, string port, SimulatedFleet fleet) =>
            fleet.RestoreRxPower(id, port) ? Results.NoContent() : Results.NotFound());
        simulator.MapPost("/endpoints/{id}/unplug", (string id, SimulatedFleet fleet) => fleet.UnplugEndpoint(id) ? Results.NoContent() : Results.NotFound());
        simulator.MapPost("/endpoints/{id}/poe-fault", (string id, SimulatedFleet fleet) => fleet.PoeFault(id) ? Results.NoContent() : Results.NotFound());
        simulator.MapPost("/endpoints/{id}/repatch", (string id, string port, SimulatedFleet fleet) => fleet.Repatch(id, port) ? Results.NoContent() : Results.NotFound());
        simulator.MapPost("/endpoints/{id}/restore", (string id, SimulatedFleet fleet) => fleet.RestoreEndpoint(id) ? Results.NoContent() : Results.NotFound());
        // LLDP wiring (ports go in the query: their names hold slashes): ?end=a&port=Gi1/0/7, ?port=…&sysName=…
        simulator.MapPost("/links/{id}/miswire", (string id, string end, string port, SimulatedFleet fleet) =>
            fleet.Miswire(id, end, port) ? Results.NoContent() : Results.NotFound());
        simulator.MapPost("/devices/{id}/foreign-neighbour", (string id, string port, string sysName, SimulatedFleet fleet) =>
            fleet.AddUnexpectedNeighbour(id, port, sysName) ? Results.NoContent() : Results.NotFound());
        simulator.MapPost("/wiring/restore", (SimulatedFleet fleet) => { fleet.RestoreWiring(); return Results.NoContent(); });
        return app;
    }
}
