using System.Collections.Immutable;
using NetOps.Core.Observations;
using NetOps.Core.State;

namespace NetOps.Engine;

/// <summary>Nodes: their telemetry (power, uplink, battery) and presence as reported over MQTT.</summary>
public sealed partial class StateEngine
{
    private void ApplyTelemetry(NodeTelemetryObservation observation)
    {
        if (!NodeDeployed(observation.NodeId, observation.ObservedAt))
        {
            return;
        }

        var t = observation.Telemetry;
        Span<(string Key, double Value)> values =
        [
            ("battery_pct", t.BatteryPercent ?? double.NaN),
            ("runtime_left_s", t.RuntimeLeft?.TotalSeconds ?? double.NaN),
            ("enclosure_temp_c", t.EnclosureTemperatureC ?? double.NaN),
            ("lte_rssi_dbm", t.LteSignalDbm ?? double.NaN),
            ("uplink", (double)(t.Uplink ?? UplinkKind.None)),
            ("on_mains", t.Power == PowerSource.Mains ? 1 : 0),
            // Where the node stands (WGS84): the detail page and the event's coverage show it.
            ("lat", t.Position?.Latitude ?? double.NaN),
            ("lon", t.Position?.Longitude ?? double.NaN),
        ];
        var entity = EntityRef.Node(observation.NodeId);
        var (value, reason) = t switch
        {
            { Uplink: UplinkKind.None } => (StateValue.Down, Reason.Of(ReasonCodes.NodeNoUplink, ("node", observation.NodeId))),
            { Power: PowerSource.Battery } => (StateValue.Degraded,
                Reason.Of(ReasonCodes.NodeOnBattery, ("node", observation.NodeId), ("battery_pct", t.BatteryPercent))),
            { Uplink: UplinkKind.Lte } => (StateValue.Degraded, Reason.Of(ReasonCodes.NodeOnLte, ("node", observation.NodeId))),
            _ => (StateValue.Up, Reason.Of(ReasonCodes.NodeReporting, ("node", observation.NodeId))),
        };
        Observe(entity, value, reason, observation, MetricsOf(values, _states.GetValueOrDefault(entity)?.Metrics));
    }

    /// <summary>
    /// The metrics given (NaN: absent), as the previous ones when they are the same: a node reports every few seconds,
    /// mostly unchanged, and the previous map costs nothing to keep.
    /// </summary>
    private static ImmutableSortedDictionary<string, double> MetricsOf(ReadOnlySpan<(string Key, double Value)> values,
        ImmutableSortedDictionary<string, double>? previous)
    {
        var present = 0;
        var same = previous is not null;
        foreach (var (key, value) in values)
        {
            if (double.IsNaN(value))
            {
                continue;
            }

            present++;
            same = same && previous!.TryGetValue(key, out var before) && before.Equals(value);
        }

        if (same && previous!.Count == present)
        {
            return previous;
        }

        var builder = ImmutableSortedDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
        foreach (var (key, value) in values)
        {
            if (!double.IsNaN(value))
            {
                builder[key] = value;
            }
        }

        return builder.ToImmutable();
    }

    private void ApplyPresence(NodePresenceObservation observation)
    {
        if (!NodeDeployed(observation.NodeId, observation.ObservedAt) || observation.Online)
        {
            // Online alone says little: the next telemetry report tells the node's health.
            return;
        }

        Observe(EntityRef.Node(observation.NodeId), StateValue.Down, Reason.Of(ReasonCodes.NodeOffline, ("node", observation.NodeId)), observation);
    }
}
