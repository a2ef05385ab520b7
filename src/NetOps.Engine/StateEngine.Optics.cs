using System.Collections.Immutable;
using NetOps.Core.Health;
using NetOps.Core.Inventory;
using NetOps.Core.Observations;
using NetOps.Core.State;

namespace NetOps.Engine;

/// <summary>
/// Optics: transceiver levels per port as metrics, and the "optics" complaint when the received power comes close
/// to what the receiver can still read. The margin is measured from the device's own low receive-power alarm when its
/// MIB reports one, otherwise from the link class's receiver sensitivity.
/// </summary>
public sealed partial class StateEngine
{
    private const string OpticsConcern = "optics";

    /// <summary>The metric names this part writes on a port; an optics poll replaces all of them.</summary>
    private static readonly string[] OpticMetricNames = ["rx_dbm", "tx_dbm", "temp_c", "bias_ma", "voltage_v", "optical_margin_db"];

    /// <summary>The margin level each port had at its last optics poll, so a value at the edge does not flap.</summary>
    private readonly Dictionary<EntityRef, HealthLevel> _opticsLevels = [];

    partial void ApplyOptics(Device device, DevicePollObservation poll)
    {
        var samples = new Dictionary<string, OpticSample>(StringComparer.Ordinal);
        foreach (var sample in poll.Optics ?? [])
        {
            samples.TryAdd(sample.Port, sample);
        }

        foreach (var port in device.Ports)
        {
            var portRef = EntityRef.Port(device.Id, port.Name);
            var current = _states.GetValueOrDefault(portRef);
            if (!samples.TryGetValue(port.Name, out var sample))
            {
                // No transceiver, or one without monitoring: nothing to measure, nothing to hold against the port.
                SetOpticMetrics(current, ImmutableSortedDictionary<string, double>.Empty);
                ClearOptics(portRef);
                continue;
            }

            var (floor, floorSource) = sample.RxPowerLowAlarmDbm is { } alarm
                ? (alarm, "device")
                : (ClassOf(device.Id, port.Name).RxSensitivityDbm, "class");
            double? margin = sample.RxPowerDbm is { } rx ? Math.Round(rx - floor, 2) : null;
            SetOpticMetrics(current, OpticMetrics(sample, margin));

            // A port switched off, or one that is down, has no light to judge: its state already says what is wrong.
            if (current?.Value is StateValue.Inactive or StateValue.Down)
            {
                ClearOptics(portRef);
                continue;
            }

            var policy = ClassOf(device.Id, port.Name);
            var previous = _opticsLevels.GetValueOrDefault(portRef);
            var level = margin is { } m ? policy.OpticalMarginDb.Evaluate(m, previous) : HealthLevel.Ok;
            _opticsLevels[portRef] = level;
            if (level != HealthLevel.Ok)
            {
                Complain(portRef, OpticsConcern, level, Reason.Of(ReasonCodes.PortOpticalMarginLow,
                    ("device", device.Id), ("port", port.Name), ("rx_dbm", sample.RxPowerDbm), ("margin_db", margin),
                    ("floor_dbm", floor), ("floor", floorSource), ("level", level)));
            }
            else if (!sample.SensorsOk)
            {
                Complain(portRef, OpticsConcern, HealthLevel.Warning, Reason.Of(ReasonCodes.PortOpticsSensorFault,
                    ("device", device.Id), ("port", port.Name), ("mib", sample.Mib)));
            }
            else
            {
                Complain(portRef, OpticsConcern, HealthLevel.Ok, null);
            }
        }
    }

    private void ClearOptics(EntityRef portRef)
    {
        _opticsLevels.Remove(portRef);
        Complain(portRef, OpticsConcern, HealthLevel.Ok, null);
    }

    /// <summary>The link class of the planned link a port is an end of; the default class for a port without one.</summary>
    private LinkClassPolicy ClassOf(string deviceId, string port)
    {
        var link = _inventory.Links.Values.FirstOrDefault(l =>
            (l.A.DeviceId == deviceId && l.A.Port == port) || (l.B.DeviceId == deviceId && l.B.Port == port));
        return _inventory.Policy.LinkClass(link?.Class);
    }

    private static ImmutableSortedDictionary<string, double> OpticMetrics(OpticSample sample, double? margin)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
        void Add(string name, double? value)
        {
            if (value is { } v && double.IsFinite(v))
            {
                builder[name] = Math.Round(v, 3);
            }
        }

        Add("rx_dbm", sample.RxPowerDbm);
        Add("tx_dbm", sample.TxPowerDbm);
        Add("temp_c", sample.TemperatureC);
        Add("bias_ma", sample.BiasCurrentMa);
        Add("voltage_v", sample.VoltageV);
        Add("optical_margin_db", margin);
        return builder.ToImmutable();
    }

    /// <summary>Replaces the optic metrics of a port's state, keeping the rest (rates, counters) as they are.</summary>
    private void SetOpticMetrics(EntityState? current, ImmutableSortedDictionary<string, double> optics)
    {
        if (current is null)
        {
            return;
        }

        var metrics = current.Metrics.RemoveRange(OpticMetricNames).SetItems(optics);
        if (!MetricsEqual(metrics, current.Metrics))
        {
            Put(current with { Metrics = metrics });
        }
    }
}
