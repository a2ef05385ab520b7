using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using NetOps.Core.Security;

namespace NetOps.Simulator;

/// <summary>The simulator's HTTP API under /api/simulator; the host maps it only when the simulator role runs.</summary>
public static class SimulatorApi
{
    /// <summary>Field events on demand: cut and restore links, switch nodes off and on.</summary>
    public static IEndpointRouteBuilder MapNetOpsSimulatorApi(this IEndpointRouteBuilder app)
    {
        // Every action answers 204 when done and 404 when the simulated fleet has no such link, node, device, port or endpoint.
        // Cutting links and switching nodes off is an admin's test of the monitoring, never an operator's tool.
        var simulator = app.MapGroup("/api/simulator").WithTags("Simulator").RequireAuthorization(NetOpsPolicies.Admin);
        simulator.AddEndpointFilter(AuditAsync);
        simulator.MapPost("/links/{id}/cut", (string id, SimulatedFleet fleet) => Done(fleet.CutLink(id)))
            .WithName("CutLink").WithSummary("Cut a link: both ends go down");
        simulator.MapPost("/links/{id}/restore", (string id, SimulatedFleet fleet) => Done(fleet.RestoreLink(id)))
            .WithName("RestoreLink").WithSummary("Restore a cut link");
        simulator.MapPost("/nodes/{id}/off", async (string id, SimulatedFleet fleet, CancellationToken ct) => Done(await fleet.SwitchOffNodeAsync(id, ct)))
            .WithName("SwitchNodeOff").WithSummary("Switch a MOGLI node off: its switch stops answering and its publisher goes away");
        simulator.MapPost("/nodes/{id}/on", async (string id, SimulatedFleet fleet, CancellationToken ct) => Done(await fleet.SwitchOnNodeAsync(id, ct)))
            .WithName("SwitchNodeOn").WithSummary("Switch a MOGLI node on again");
        simulator.MapPost("/nodes/{id}/mains-off", async (string id, SimulatedFleet fleet, CancellationToken ct) => Done(await fleet.SetMainsAsync(id, onMains: false, ct)))
            .WithName("NodeMainsOff").WithSummary("Take a MOGLI node off the mains: it runs on its battery, which drains");
        simulator.MapPost("/nodes/{id}/mains-on", async (string id, SimulatedFleet fleet, CancellationToken ct) => Done(await fleet.SetMainsAsync(id, onMains: true, ct)))
            .WithName("NodeMainsOn").WithSummary("Put a MOGLI node back on the mains");
        // Optics: port names hold slashes, so the port travels in the query (?port=Te1/0/1&dbm=-16.5).
        simulator.MapPost("/devices/{id}/rx-power", (string id, string port, double dbm, SimulatedFleet fleet) => Done(fleet.SetRxPower(id, port, dbm)))
            .WithName("SetRxPower").WithSummary("Set a port's optical receive power (dBm); the port goes in the query");
        simulator.MapPost("/devices/{id}/rx-power/restore", (string id, string port, SimulatedFleet fleet) => Done(fleet.RestoreRxPower(id, port)))
            .WithName("RestoreRxPower").WithSummary("Restore a port's healthy receive power");
        simulator.MapPost("/endpoints/{id}/unplug", (string id, SimulatedFleet fleet) => Done(fleet.UnplugEndpoint(id)))
            .WithName("UnplugEndpoint").WithSummary("Unplug a camera or sensor from its port");
        simulator.MapPost("/endpoints/{id}/poe-fault", (string id, SimulatedFleet fleet) => Done(fleet.PoeFault(id)))
            .WithName("PoeFault").WithSummary("Fail the PoE supply of an endpoint's port");
        simulator.MapPost("/endpoints/{id}/repatch", (string id, string port, SimulatedFleet fleet) => Done(fleet.Repatch(id, port)))
            .WithName("RepatchEndpoint").WithSummary("Move an endpoint to another port of its switch; the port goes in the query");
        simulator.MapPost("/endpoints/{id}/restore", (string id, SimulatedFleet fleet) => Done(fleet.RestoreEndpoint(id)))
            .WithName("RestoreEndpoint").WithSummary("Plug an endpoint back into its planned port with power");
        // LLDP wiring (ports go in the query: their names hold slashes): ?end=a&port=Gi1/0/7, ?port=…&sysName=…
        simulator.MapPost("/links/{id}/miswire", (string id, string end, string port, SimulatedFleet fleet) => Done(fleet.Miswire(id, end, port)))
            .WithName("MiswireLink").WithSummary("Patch one end of a link (end=a or b) into another port, as LLDP then reports it");
        simulator.MapPost("/devices/{id}/foreign-neighbour", (string id, string port, string sysName, SimulatedFleet fleet) =>
                Done(fleet.AddUnexpectedNeighbour(id, port, sysName)))
            .WithName("AddForeignNeighbour").WithSummary("Make a port see an LLDP neighbour the inventory does not know");
        simulator.MapPost("/wiring/restore", (SimulatedFleet fleet) =>
            {
                fleet.RestoreWiring();
                return Done(true);
            })
            .WithName("RestoreWiring").WithSummary("Undo every miswiring and foreign neighbour");
        return app;
    }

    private static Results<NoContent, NotFound> Done(bool found) => found ? TypedResults.NoContent() : TypedResults.NotFound();

    /// <summary>
    /// Every simulator action in the audit log: who, from where, the action's path with its query (ids, port, dBm; no
    /// secret travels there), and whether it was done or answered otherwise (404: no such link, ...).
    /// </summary>
    private static async ValueTask<object?> AuditAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context).ConfigureAwait(false);
        var http = context.HttpContext;
        if (http.RequestServices.GetService<IAuditLog>() is { } log)
        {
            // The handlers answer Results<NoContent, NotFound>: the status is the nested result's (the response is not written yet).
            var answer = result is INestedHttpResult nested ? nested.Result : result;
            var status = answer is IStatusCodeHttpResult { StatusCode: { } code } ? code : http.Response.StatusCode;
            var time = http.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System;
            await log.WriteAsync(new AuditEvent(time.GetUtcNow(), http.User.Identity?.Name ?? "anonymous", AuditActions.Simulator,
                    $"{http.Request.Path}{http.Request.QueryString}", http.Connection.RemoteIpAddress?.ToString(), status == 204 ? "done" : $"answered {status}"),
                CancellationToken.None).ConfigureAwait(false);
        }

        return result;
    }
}
