using Microsoft.Extensions.Logging;

namespace NetOps.Simulator;

/// <summary>Scripted optics faults: a dirty connector or a bent fibre lowers what one port receives.</summary>
public sealed partial class SimulatedFleet
{
    /// <summary>
    /// Sets the receive power (dBm) of a port's transceiver; false when there is no such device or the port has no
    /// transceiver. The link stays up: only its margin shrinks.
    /// </summary>
    public bool SetRxPower(string deviceId, string port, double dbm)
    {
        if (!double.IsFinite(dbm) || !_switches.TryGetValue(deviceId, out var entry) || !entry.Switch.SetRxPower(port, dbm))
        {
            return false;
        }

        LogRxPower(_logger, deviceId, port, dbm);
        return true;
    }

    /// <summary>Cleans the connector again: the port receives its healthy level.</summary>
    public bool RestoreRxPower(string deviceId, string port)
    {
        if (!_switches.TryGetValue(deviceId, out var entry) || !entry.Switch.RestoreRxPower(port))
        {
            return false;
        }

        LogRxRestored(_logger, deviceId, port);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulator: {Device} {Port} receives {Dbm} dBm")]
    private static partial void LogRxPower(ILogger logger, string device, string port, double dbm);

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulator: {Device} {Port} receive power restored")]
    private static partial void LogRxRestored(ILogger logger, string device, string port);
}
