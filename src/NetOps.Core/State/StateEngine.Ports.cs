using System.Collections.Immutable;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;

namespace NetOps.Core.State;

/// <summary>Ports: status from IF-MIB, rates from counters.</summary>
public sealed partial class StateEngine
{
    private void ApplyPorts(Device device, DevicePollObservation poll)
    {
        var restarted = _counterDiscontinuity.Remove(device.Id);
        var samples = poll.Ports.ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var port in device.Ports)
        {
            var portRef = EntityRef.Port(device.Id, port.Name);
            if (!samples.TryGetValue(port.Name, out var sample))
            {
                Observe(portRef, StateValue.Unknown, Reason.Of(ReasonCodes.PortNotFound, ("device", device.Id), ("port", port.Name)), poll);
                continue;
            }

            var (value, code) = sample switch
            {
                { AdminUp: false } => (StateValue.Inactive, ReasonCodes.PortAdminDown),
                { OperUp: true } => (StateValue.Up, ReasonCodes.PortOperUp),
                { OperUp: false } => (StateValue.Down, ReasonCodes.PortOperDown),
                _ => (StateValue.Unknown, ReasonCodes.NoEvidence),
            };
            var previous = _states.GetValueOrDefault(portRef);
            // After a restart the previous counters belong to another run of the device: no rate from them.
            var metrics = PortMetrics(restarted ? null : previous, sample, poll.ObservedAt);
            Observe(portRef, value, Reason.Of(code, ("device", device.Id), ("port", port.Name)), poll, metrics);
        }
    }

    private static ImmutableSortedDictionary<string, double> PortMetrics(EntityState? previous, PortSample sample, DateTimeOffset at)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
        if (sample.InOctets is { } inOctets)
        {
            builder["in_octets"] = inOctets;
        }

        if (sample.OutOctets is { } outOctets)
        {
            builder["out_octets"] = outOctets;
        }

        if (sample.HighSpeedMbps is { } speed)
        {
            builder["speed_bps"] = speed * 1_000_000d;
        }

        builder["at_ms"] = at.ToUnixTimeMilliseconds();
        if (previous?.Metrics is { } before &&
            before.TryGetValue("at_ms", out var beforeAt) &&
            at.ToUnixTimeMilliseconds() - beforeAt is var elapsedMs and > 0)
        {
            AddRate(builder, before, "in_octets", "in_bps", elapsedMs);
            AddRate(builder, before, "out_octets", "out_bps", elapsedMs);
            if (builder.TryGetValue("speed_bps", out var speedBps) && speedBps > 0)
            {
                var peak = Math.Max(builder.GetValueOrDefault("in_bps"), builder.GetValueOrDefault("out_bps"));
                builder["utilisation_pct"] = Math.Round(peak / speedBps * 100, 2);
            }
        }

        return builder.ToImmutable();
    }

    private static void AddRate(ImmutableSortedDictionary<string, double>.Builder now, ImmutableSortedDictionary<string, double> before,
        string counter, string rate, double elapsedMs)
    {
        // A counter that went back (reset, reboot) yields no rate rather than a spike.
        if (now.TryGetValue(counter, out var current) && before.TryGetValue(counter, out var previous) && current >= previous)
        {
            now[rate] = (current - previous) * 8 * 1000 / elapsedMs;
        }
    }

}
