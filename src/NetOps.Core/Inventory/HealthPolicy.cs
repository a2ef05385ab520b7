using System.Collections.Frozen;

namespace NetOps.Core.Inventory;

/// <summary>What one SNMP poll of a device collects. Status and counters are cheap; neighbours and tables are not.</summary>
[Flags]
public enum PollSections
{
    None = 0,

    /// <summary>IF-MIB ifTable/ifXTable: status, counters, speed.</summary>
    Interfaces = 1,

    /// <summary>Transceiver levels: ENTITY-SENSOR-MIB and vendor DOM tables.</summary>
    Optics = 2,

    /// <summary>LLDP-MIB neighbours.</summary>
    Neighbours = 4,

    /// <summary>Q-BRIDGE-MIB forwarding table (which MAC address is behind which port).</summary>
    Forwarding = 8,

    /// <summary>POWER-ETHERNET-MIB port detection status.</summary>
    Poe = 16,
}

/// <summary>One recurring poll of a plan: these sections, this often.</summary>
public sealed record PollTask(PollSections Sections, TimeSpan Interval);

/// <summary>What to collect from a class of device and how often.</summary>
public sealed record DevicePollPlan(DeviceClass Class, IReadOnlyList<PollTask> Tasks)
{
    /// <summary>Every section any task of the plan collects.</summary>
    public PollSections AllSections => Tasks.Aggregate(PollSections.None, (all, t) => all | t.Sections);

    /// <summary>
    /// How often <paramref name="section"/> is read: the longest interval of the tasks that read it (its evidence must
    /// last until the next reading), or the plan's shortest interval when no task names it.
    /// </summary>
    public TimeSpan IntervalOf(PollSections section)
    {
        var reading = Tasks.Where(t => (t.Sections & section) != 0).ToList();
        return reading.Count > 0 ? reading.Max(t => t.Interval) : Tasks.Count > 0 ? Tasks.Min(t => t.Interval) : TimeSpan.Zero;
    }
}

/// <summary>
/// Where a value turns into a warning and where into a critical complaint. <see cref="HigherIsWorse"/> is false for
/// values that hurt when they fall (received optical power, margin). A raised level clears only once the value is
/// back past its threshold by <see cref="Hysteresis"/>, so a value at the edge does not flap.
/// </summary>
public sealed record Threshold(double Warning, double Critical, double Hysteresis, bool HigherIsWorse = true);

/// <summary>Health thresholds of one class of link (backbone fibre, event uplink, copper to a camera).</summary>
public sealed record LinkClassPolicy(
    string Name,
    Threshold Utilisation,
    Threshold ErrorsPerSecond,
    Threshold OpticalMarginDb)
{
    /// <summary>
    /// Receiver sensitivity (dBm) the optical margin is measured from when a transceiver does not report its own
    /// low receive-power alarm threshold.
    /// </summary>
    public double RxSensitivityDbm { get; init; } = -18;

    public static LinkClassPolicy Default { get; } = new(
        "default",
        Utilisation: new Threshold(Warning: 70, Critical: 90, Hysteresis: 5),
        ErrorsPerSecond: new Threshold(Warning: 1, Critical: 10, Hysteresis: 0.5),
        OpticalMarginDb: new Threshold(Warning: 3, Critical: 1, Hysteresis: 0.5, HigherIsWorse: false));
}

/// <summary>
/// Power thresholds of one class of mobile node (a small camera mast runs longer on its battery than a stage node).
/// Both are lower-is-worse: battery in percent, runtime left in seconds.
/// </summary>
public sealed record NodeClassPolicy(string Name, Threshold BatteryPct, Threshold RuntimeLeftS)
{
    /// <summary>The metric a node's telemetry reports its battery charge in (percent).</summary>
    public const string BatteryMetric = "battery_pct";

    /// <summary>The metric a node's telemetry reports its estimated runtime on battery in (seconds).</summary>
    public const string RuntimeMetric = "runtime_left_s";

    /// <summary>Warning below 40 %, critical below 20 %; runtime warning below 2 h, critical below 30 min.</summary>
    public static NodeClassPolicy Default { get; } = new(
        "default",
        BatteryPct: new Threshold(Warning: 40, Critical: 20, Hysteresis: 2, HigherIsWorse: false),
        RuntimeLeftS: new Threshold(Warning: 7200, Critical: 1800, Hysteresis: 300, HigherIsWorse: false));

    /// <summary>The class's threshold for a node metric (<see cref="BatteryMetric"/>, <see cref="RuntimeMetric"/>); null for others.</summary>
    public Threshold? ThresholdOf(string metric) => metric switch
    {
        BatteryMetric => BatteryPct,
        RuntimeMetric => RuntimeLeftS,
        _ => null,
    };
}

/// <summary>Poll plans per device class and thresholds per link and node class; the inventory's <c>health:</c> section.</summary>
public sealed class HealthPolicy
{
    public HealthPolicy(IEnumerable<DevicePollPlan> plans, IEnumerable<LinkClassPolicy> linkClasses, IEnumerable<NodeClassPolicy>? nodeClasses = null)
    {
        Plans = plans.ToFrozenDictionary(p => p.Class);
        LinkClasses = linkClasses.ToFrozenDictionary(c => c.Name, StringComparer.Ordinal);
        NodeClasses = (nodeClasses ?? []).ToFrozenDictionary(c => c.Name, StringComparer.Ordinal);
    }

    /// <summary>Status and counters every 30 s, optics every minute, neighbours and tables every 5 minutes.</summary>
    public static HealthPolicy Default { get; } = new(
        Enum.GetValues<DeviceClass>().Select(c => new DevicePollPlan(c,
        [
            new PollTask(PollSections.Interfaces, TimeSpan.FromSeconds(30)),
            new PollTask(PollSections.Optics, TimeSpan.FromMinutes(1)),
            new PollTask(PollSections.Neighbours | PollSections.Forwarding | PollSections.Poe, TimeSpan.FromMinutes(5)),
        ])),
        [LinkClassPolicy.Default],
        [NodeClassPolicy.Default]);

    public FrozenDictionary<DeviceClass, DevicePollPlan> Plans { get; }

    public FrozenDictionary<string, LinkClassPolicy> LinkClasses { get; }

    public FrozenDictionary<string, NodeClassPolicy> NodeClasses { get; }

    public DevicePollPlan PlanFor(DeviceClass deviceClass) =>
        Plans.TryGetValue(deviceClass, out var plan) ? plan : Default.Plans[deviceClass];

    /// <summary>The policy of a link class; the "default" class (or the built-in one) when the class is not configured.</summary>
    public LinkClassPolicy LinkClass(string? name) =>
        name is not null && LinkClasses.TryGetValue(name, out var policy) ? policy
        : LinkClasses.TryGetValue(LinkClassPolicy.Default.Name, out var fallback) ? fallback
        : LinkClassPolicy.Default;

    /// <summary>The policy of a node class; the "default" class (or the built-in one) when the class is not configured.</summary>
    public NodeClassPolicy NodeClass(string? name) =>
        name is not null && NodeClasses.TryGetValue(name, out var policy) ? policy
        : NodeClasses.TryGetValue(NodeClassPolicy.Default.Name, out var fallback) ? fallback
        : NodeClassPolicy.Default;
}
