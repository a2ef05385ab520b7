namespace NetOps.Simulator;

/// <summary>Field events for cameras and sensors: a pulled cable, a PoE fault, a cable moved to another port.</summary>
public sealed partial class SimulatedFleet
{
    /// <summary>Unplugs an endpoint: its port goes down and its MAC leaves the table. False when it is not simulated.</summary>
    public bool UnplugEndpoint(string endpointId) => WithSwitchOf(endpointId, s => s.UnplugEndpoint(endpointId));

    /// <summary>The endpoint's port reports a PoE fault: a camera loses power and its link.</summary>
    public bool PoeFault(string endpointId) => WithSwitchOf(endpointId, s => s.PoeFault(endpointId));

    /// <summary>Moves the endpoint's cable to <paramref name="newPort"/> of the same switch; false when there is no such port.</summary>
    public bool Repatch(string endpointId, string newPort) => WithSwitchOf(endpointId, s => s.Repatch(endpointId, newPort));

    /// <summary>Puts the endpoint back on its planned port, plugged and powered.</summary>
    public bool RestoreEndpoint(string endpointId) => WithSwitchOf(endpointId, s => s.RestoreEndpoint(endpointId));

    /// <summary>The simulated switch of an endpoint's node, by the inventory in force.</summary>
    public SimulatedSwitch? SwitchOfEndpoint(string endpointId)
    {
        var fleet = inventory.Current;
        return fleet.Endpoints.TryGetValue(endpointId, out var endpoint) &&
               fleet.Nodes.TryGetValue(endpoint.NodeId, out var node) && node.DeviceId is { } device &&
               _switches.TryGetValue(device, out var entry)
            ? entry.Switch
            : null;
    }

    private bool WithSwitchOf(string endpointId, Func<SimulatedSwitch, bool> action)
    {
        if (SwitchOfEndpoint(endpointId) is not { } simulated || !action(simulated))
        {
            return false;
        }

        LogEndpoint(_logger, endpointId);
        ReportCamerasSoon(endpointId);
        return true;
    }

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "Simulator: endpoint {Endpoint} changed")]
    private static partial void LogEndpoint(Microsoft.Extensions.Logging.ILogger logger, string endpoint);
}
