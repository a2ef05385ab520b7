namespace NetOps.Simulator;

/// <summary>Scripted counters of the simulated switches (see <see cref="SimulatedSwitch"/>'s counter part).</summary>
public sealed partial class SimulatedFleet
{
    /// <summary>The simulated switch of an inventory device, for scripting its counters; null when it is not simulated.</summary>
    public SimulatedSwitch? SwitchOf(string deviceId) => _switches.TryGetValue(deviceId, out var entry) ? entry.Switch : null;

    /// <summary>Reboots a simulated switch: sysUpTime and counters from zero. False when there is no such switch.</summary>
    public bool RebootSwitch(string deviceId)
    {
        if (SwitchOf(deviceId) is not { } simulated)
        {
            return false;
        }

        simulated.Reboot();
        return true;
    }

    /// <summary>Makes a simulated switch serve only 32-bit ifTable counters. False when there is no such switch.</summary>
    public bool ServeOnly32BitCounters(string deviceId)
    {
        if (SwitchOf(deviceId) is not { } simulated)
        {
            return false;
        }

        simulated.ServeOnly32BitCounters();
        return true;
    }

    /// <summary>Input errors per second on one port of a simulated switch. False when there is no such switch or port.</summary>
    public bool SetErrorRate(string deviceId, string port, double inPerSecond) =>
        SwitchOf(deviceId)?.SetErrorRate(port, inPerSecond) ?? false;

    /// <summary>Traffic on one port of a simulated switch in bytes per second each way. False when there is no such switch or port.</summary>
    public bool SetLoad(string deviceId, string port, double inBytesPerSecond, double outBytesPerSecond) =>
        SwitchOf(deviceId)?.SetLoad(port, inBytesPerSecond, outBytesPerSecond) ?? false;
}
