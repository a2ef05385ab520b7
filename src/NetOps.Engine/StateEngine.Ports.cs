using System.Collections.Immutable;
using NetOps.Core.Health;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Core.State;

namespace NetOps.Engine;

/// <summary>Ports: status from IF-MIB, rates from counters, utilisation and errors against the link class's thresholds.</summary>
public sealed partial class StateEngine
{
    /// <summary>Longest ifAlias kept as an attribute: operator text, shown as text, not a place for a novel.</summary>
    private const int MaxAliasLength = 128;

    /// <summary>
    /// Each port's last counter reading. Kept apart from the metrics: a double cannot hold a Counter64 exactly. Lost on a
    /// takeover, which costs one poll without rates.
    /// </summary>
    private readonly Dictionary<EntityRef, PortReading> _portReadings = [];

    /// <summary>The level each (port, concern) was last judged at, so that a value at a threshold does not flap.</summary>
    private readonly Dictionary<(EntityRef Port, string Concern), (HealthLevel Level, Reason? Reason)> _portLevels = [];

    private FleetInventory? _linkClassesOf;
    private Dictionary<EntityRef, string?> _portLinkClass = [];

    private void ApplyPorts(Device device, DevicePollObservation poll)
    {
        var restarted = _counterDiscontinuity.Remove(device.Id);
        var samples = poll.Ports.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var upTicks = poll.SysUpTime is { } up ? (ulong)(up.Ticks / (TimeSpan.TicksPerMillisecond * 10)) : (ulong?)null;
        foreach (var port in device.Ports)
        {
            var portRef = EntityRef.Port(device.Id, port.Name);
            if (!samples.TryGetValue(port.Name, out var sample))
            {
                _portReadings.Remove(portRef);
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
            var reading = new PortReading(sample, poll.ObservedAt, upTicks);
            // After a restart the previous counters belong to another run of the device: no rate from them.
            var rates = PortRates.Between(_portReadings.GetValueOrDefault(portRef), reading, restarted);
            _portReadings[portRef] = reading;
            if (rates.Break == CounterBreak.None)
            {
                JudgeThresholds(device, port.Name, portRef, rates);
            }

            // Optics come from their own, slower poll: an interfaces poll keeps them.
            var metrics = PortMetrics(sample, rates, poll.ObservedAt)
                .SetItems(_states.GetValueOrDefault(portRef)?.Metrics.Where(m => OpticMetricNames.Contains(m.Key)) ?? []);
            Observe(portRef, value, Reason.Of(code, ("device", device.Id), ("port", port.Name)), poll, metrics);
            if (_states.GetValueOrDefault(portRef) is { } state && PortAttributes(state.Attributes, sample, rates) is { } attributes)
            {
                Put(state with { Attributes = attributes });
            }
        }
    }

    /// <summary>Utilisation and errors against the thresholds of the port's link class, with hysteresis.</summary>
    private void JudgeThresholds(Device device, string port, EntityRef portRef, PortRates rates)
    {
        var className = LinkClassOf(portRef);
        var policy = _inventory.Policy.LinkClass(className);
        Judge(device, port, portRef, "utilisation", ReasonCodes.PortUtilisationHigh, policy.Utilisation, rates.UtilisationPercent, policy.Name);
        Judge(device, port, portRef, "errors", ReasonCodes.PortErrorsHigh, policy.ErrorsPerSecond, rates.ErrorsPerSecond, policy.Name);
    }

    private void Judge(Device device, string port, EntityRef portRef, string concern, string code, Threshold threshold, double? value,
        string linkClass)
    {
        if (value is not { } measured)
        {
            return;
        }

        var key = (portRef, concern);
        var (previous, previousReason) = _portLevels.GetValueOrDefault(key);
        var level = threshold.Evaluate(measured, previous);
        if (level == previous && (level == HealthLevel.Ok || previousReason is not null))
        {
            // Unchanged: the complaint keeps the value it was raised with, so its state keeps its "since".
            return;
        }

        var reason = level == HealthLevel.Ok
            ? null
            : Reason.Of(code, ("device", device.Id), ("port", port), ("level", level == HealthLevel.Critical ? "critical" : "warning"),
                ("value", Math.Round(measured, 2)),
                ("threshold", level == HealthLevel.Critical ? threshold.Critical : threshold.Warning),
                ("class", linkClass));
        _portLevels[key] = (level, reason);
        Complain(portRef, concern, level, reason);
    }

    /// <summary>The class of the planned link a port is an end of; null for a port with no planned link.</summary>
    private string? LinkClassOf(EntityRef portRef)
    {
        if (!ReferenceEquals(_linkClassesOf, _inventory))
        {
            _portLinkClass = [];
            foreach (var link in _inventory.Links.Values)
            {
                _portLinkClass[EntityRef.Port(link.A.DeviceId, link.A.Port)] = link.Class;
                _portLinkClass[EntityRef.Port(link.B.DeviceId, link.B.Port)] = link.Class;
            }

            _linkClassesOf = _inventory;
        }

        return _portLinkClass.GetValueOrDefault(portRef);
    }

    private static ImmutableSortedDictionary<string, double> PortMetrics(PortSample sample, PortRates rates, DateTimeOffset at)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
        void Put(string key, double? value)
        {
            if (value is { } v && double.IsFinite(v))
            {
                builder[key] = v;
            }
        }

        Put("in_octets", sample.InOctets);
        Put("out_octets", sample.OutOctets);
        Put("speed_bps", sample.HighSpeedMbps * 1_000_000d);
        Put("counter_bits", sample.CounterBits);
        builder["at_ms"] = at.ToUnixTimeMilliseconds();
        Put("in_bps", rates.InBps);
        Put("out_bps", rates.OutBps);
        Put("in_pps", rates.InPps);
        Put("out_pps", rates.OutPps);
        Put("in_errors_ps", rates.InErrorsPerSecond);
        Put("out_errors_ps", rates.OutErrorsPerSecond);
        Put("errors_ps", rates.ErrorsPerSecond);
        Put("in_discards_ps", rates.InDiscardsPerSecond);
        Put("out_discards_ps", rates.OutDiscardsPerSecond);
        Put("utilisation_pct", rates.UtilisationPercent);
        if (rates.Break is not (CounterBreak.None or CounterBreak.NoBaseline))
        {
            // A dropped delta is shown as such: no rate this poll, and why.
            builder["discontinuity"] = 1;
        }

        return builder.ToImmutable();
    }

    /// <summary>The port's attributes with this poll's alias, counter width and discontinuity; null when unchanged.</summary>
    private static ImmutableSortedDictionary<string, string>? PortAttributes(ImmutableSortedDictionary<string, string> current,
        PortSample sample, PortRates rates)
    {
        var next = current.SetItem("counters", sample.CounterBits == 32 ? "32-bit" : "64-bit");
        next = Clean(sample.Alias) is { Length: > 0 } alias ? next.SetItem("alias", alias) : next.Remove("alias");
        next = rates.Break is not (CounterBreak.None or CounterBreak.NoBaseline)
            ? next.SetItem("discontinuity", CounterMath.Describe(rates.Break))
            : next.Remove("discontinuity");
        return AttributesEqual(current, next) ? null : next;
    }

    /// <summary>Device-supplied text without control characters, bounded in length.</summary>
    private static string? Clean(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var kept = new string([.. text.Where(c => !char.IsControl(c))]).Trim();
        return kept.Length > MaxAliasLength ? kept[..MaxAliasLength] : kept;
    }
}
