
namespace NetOps.Simulator;

/// <summary>Scripted counters for tests and demos: 32-bit-only devices, wraps, reboots, discontinuities, errors, load.</summary>
public sealed partial class SimulatedSwitch
{
    /// <summary>
    /// Serves only the 32-bit ifTable counters, as old devices do: the ifXTable HC columns disappear (ifName, ifHighSpeed
    /// and ifAlias stay).
    /// </summary>
    public void ServeOnly32BitCounters()
    {
        for (var i = 0; i < Device.Ports.Count; i++)
        {
            foreach (var column in new uint[] { 6, 7, 8, 9, 10, 11, 12, 13 })
            {
                View.Remove(IfXEntry.Append(column, (uint)(i + 1)));
            }
        }
    }

    /// <summary>Serves the 64-bit HC counters again.</summary>
    public void ServeHcCounters()
    {
        for (var i = 0; i < Device.Ports.Count; i++)
        {
            AddHcCounters((uint)(i + 1), _ports[Device.Ports[i].Name]);
        }
    }

    /// <summary>
    /// Sets a port's octet counters (both directions; errors to zero), e.g. just below 2^32 so a 32-bit counter wraps
    /// within a test, or lower than before so a 64-bit counter goes back. The discontinuity time stays.
    /// </summary>
    public bool SetCounters(string portName, ulong octets) => WithPort(portName, p => p.SetCounters(octets));

    /// <summary>Resets a port's counters as a device does when a module is reset: ifCounterDiscontinuityTime moves to now.</summary>
    public bool ResetCountersWithDiscontinuity(string portName, ulong octets = 0)
    {
        var now = UpTimeTicks();
        return WithPort(portName, p => p.SetCounters(octets, Math.Max(1, now)));
    }

    /// <summary>Traffic of a port in bytes per second each way (line rate = ifHighSpeed × 125,000).</summary>
    public bool SetLoad(string portName, double inBytesPerSecond, double outBytesPerSecond) =>
        WithPort(portName, p => p.SetLoad(inBytesPerSecond, outBytesPerSecond));

    /// <summary>Input and output errors per second of a port.</summary>
    public bool SetErrorRate(string portName, double inPerSecond, double outPerSecond = 0) =>
        WithPort(portName, p => p.SetErrorRate(inPerSecond, outPerSecond));

    /// <summary>A reboot: sysUpTime and every counter start again from zero.</summary>
    public void Reboot()
    {
        lock (_clock)
        {
            _bootTimestamp = _time.GetTimestamp();
            _upTimeBaseTicks = 0;
        }

        foreach (var port in _ports.Values)
        {
            port.Restart();
        }
    }

    /// <summary>Sets sysUpTime (TimeTicks) as of now, e.g. just below 2^32 so it wraps (after about 497 days) within a test.</summary>
    public void SetUpTime(uint ticks)
    {
        lock (_clock)
        {
            _bootTimestamp = _time.GetTimestamp();
            _upTimeBaseTicks = ticks;
        }
    }

    /// <summary>sysUpTime as the agent serves it now.</summary>
    public uint UpTime => UpTimeTicks();

    private bool WithPort(string portName, Action<SimulatedPort> action)
    {
        if (!_ports.TryGetValue(portName, out var port))
        {
            return false;
        }

        action(port);
        return true;
    }
}
