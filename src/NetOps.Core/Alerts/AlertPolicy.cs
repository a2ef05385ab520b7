using NetOps.Core.Inventory;
using NetOps.Core.State;

namespace NetOps.Core.Alerts;

/// <summary>What a rule looks at: an entity kind of the live model, or an event's zone (its coverage).</summary>
public enum RuleTarget
{
    Device,
    Port,
    Link,
    Node,
    Endpoint,
    Zone,
}

/// <summary>Which of a node class's thresholds a metric condition compares with.</summary>
public enum ClassThreshold
{
    Warning,
    Critical,
}

/// <summary>
/// A metric of the entity's live state compared with a threshold ("runtime_left_s below 1800"). With
/// <see cref="FromClass"/> the threshold is the node class's own for that metric ("runtime_left_s below the class's
/// critical"); <see cref="Threshold"/> then applies only where the entity has no class threshold for the metric.
/// </summary>
public sealed record MetricCondition(string Metric, bool Below, double Threshold)
{
    public ClassThreshold? FromClass { get; init; }

    public bool Holds(EntityState state) => Holds(state, null);

    /// <summary>Whether the condition holds for a node of <paramref name="nodeClass"/> (null: not a node, or no class).</summary>
    public bool Holds(EntityState state, NodeClassPolicy? nodeClass)
    {
        ArgumentNullException.ThrowIfNull(state);
        var threshold = ThresholdFor(nodeClass);
        return state.Metrics.TryGetValue(Metric, out var value) && (Below ? value < threshold : value > threshold);
    }

    /// <summary>The threshold in force for a node of <paramref name="nodeClass"/>.</summary>
    public double ThresholdFor(NodeClassPolicy? nodeClass) =>
        FromClass is { } level && nodeClass?.ThresholdOf(Metric) is { } own
            ? level == ClassThreshold.Critical ? own.Critical : own.Warning
            : Threshold;

    public override string ToString() =>
        $"{Metric} {(Below ? "below" : "above")} {(FromClass is { } level ? $"class.{level.ToString().ToLowerInvariant()}" : Threshold)}";
}

/// <summary>
/// One alert rule from the inventory's <c>alerting:</c> section. An entity matches while its state is one of
/// <see cref="States"/>, its reason one of <see cref="Reasons"/> (empty: any) and <see cref="Metric"/> holds (if set);
/// it fires once that has held for <see cref="For"/>. Endpoint rules with <see cref="WhileEventLive"/> look only at
/// endpoints of an event that is running; zone rules compare the share of connected endpoints with
/// <see cref="CoverageBelowPercent"/>.
/// </summary>
public sealed record AlertRule(
    string Name,
    RuleTarget Target,
    AlertSeverity Severity,
    IReadOnlySet<StateValue> States,
    IReadOnlySet<string> Reasons,
    TimeSpan For)
{
    public MetricCondition? Metric { get; init; }

    public bool WhileEventLive { get; init; }

    public double? CoverageBelowPercent { get; init; }

    /// <summary>Labels added to the alert's own (team, service).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>The summary; <c>{reason}</c> is the state's reason as text, <c>{subject}</c> the subject's name. Default "{reason}".</summary>
    public string Summary { get; init; } = "{reason}";

    public string? Runbook { get; init; }

    /// <summary>Where in which file the rule was defined, for messages about it.</summary>
    public string? Origin { get; init; }
}

/// <summary>
/// Flap damping: a subject whose condition changes more than <see cref="Changes"/> times within <see cref="Within"/>
/// raises one "flapping" notification and none after it until its condition stayed put for <see cref="StableFor"/>.
/// </summary>
public sealed record FlapDamping(int Changes, TimeSpan Within, TimeSpan StableFor)
{
    public static FlapDamping Default { get; } = new(4, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(5));
}

/// <summary>
/// When notifications go out: alerts whose labels agree on <see cref="GroupBy"/> and change within
/// <see cref="GroupWait"/> of each other go out as one notification; an unacknowledged firing alert is sent again after
/// <see cref="RepeatInterval"/>; a resolved alert firing again within <see cref="ReopenGrace"/> re-opens; a critical
/// alert nobody acknowledged within <see cref="EscalateAfter"/> goes to the escalation receivers.
/// </summary>
public sealed record AlertTiming(
    IReadOnlyList<string> GroupBy,
    TimeSpan GroupWait,
    TimeSpan RepeatInterval,
    TimeSpan ReopenGrace,
    TimeSpan EscalateAfter)
{
    public static AlertTiming Default { get; } = new(
        [AlertLabels.Name, AlertLabels.Subject], TimeSpan.FromMilliseconds(500), TimeSpan.FromHours(4), TimeSpan.FromMinutes(15),
        TimeSpan.FromMinutes(15));
}

/// <summary>
/// A maintenance window: alerts its matchers select notify nobody while it is open. One-off (<see cref="From"/> to
/// <see cref="Until"/>) or recurring (a Quartz cron expression for each opening, open for <see cref="Duration"/>,
/// read in <see cref="TimeZone"/>).
/// </summary>
public sealed record MaintenanceWindow(string Id, string Name, IReadOnlyList<Matcher> Matchers)
{
    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? Until { get; init; }

    public string? Cron { get; init; }

    public TimeSpan Duration { get; init; }

    public string TimeZone { get; init; } = "Europe/Berlin";
}

/// <summary>The alerting configuration: rules, flap damping, timing and maintenance windows.</summary>
public sealed record AlertPolicy(IReadOnlyList<AlertRule> Rules, FlapDamping Flap, AlertTiming Timing, IReadOnlyList<MaintenanceWindow> Maintenance)
{
    private static readonly IReadOnlySet<string> AnyReason = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// The rules NetOps runs when the inventory has no <c>alerting:</c> section: every condition the issue tracker asked
    /// for, with hold-downs that keep a single poll's hiccup quiet. No rule for a port that is merely down: a port that
    /// matters is a link's end (the link alerts) or a camera's (the camera alerts); unused ports go down all day.
    /// </summary>
    public static AlertPolicy Default { get; } = new(
    [
        new AlertRule("LinkDown", RuleTarget.Link, AlertSeverity.Critical, States(StateValue.Down), AnyReason, TimeSpan.Zero)
            { Summary = "link {subject} down: {reason}" },
        new AlertRule("LinkDegraded", RuleTarget.Link, AlertSeverity.Warning, States(StateValue.Degraded), Reasons(ReasonCodes.LinkEndDegraded),
            TimeSpan.FromMinutes(1)),
        new AlertRule("LinkMiswired", RuleTarget.Link, AlertSeverity.Warning, States(StateValue.Degraded, StateValue.Down),
            Reasons(ReasonCodes.LinkMiswired), TimeSpan.Zero),
        new AlertRule("DeviceUnreachable", RuleTarget.Device, AlertSeverity.Critical, States(StateValue.Down),
            Reasons(ReasonCodes.DeviceUnreachable), TimeSpan.FromSeconds(30)),
        new AlertRule("PortUtilisationHigh", RuleTarget.Port, AlertSeverity.Warning, States(StateValue.Degraded),
            Reasons(ReasonCodes.PortUtilisationHigh), TimeSpan.FromMinutes(5)),
        new AlertRule("PortErrorsHigh", RuleTarget.Port, AlertSeverity.Warning, States(StateValue.Degraded),
            Reasons(ReasonCodes.PortErrorsHigh), TimeSpan.FromMinutes(2)),
        new AlertRule("OpticalMarginLow", RuleTarget.Port, AlertSeverity.Warning, States(StateValue.Degraded),
            Reasons(ReasonCodes.PortOpticalMarginLow), TimeSpan.FromMinutes(2)),
        new AlertRule("NodeOnBattery", RuleTarget.Node, AlertSeverity.Warning, States(StateValue.Degraded), Reasons(ReasonCodes.NodeOnBattery),
            TimeSpan.FromSeconds(30)),
        new AlertRule("NodeRuntimeLow", RuleTarget.Node, AlertSeverity.Critical, States(StateValue.Degraded, StateValue.Down), AnyReason,
            TimeSpan.Zero) { Metric = new MetricCondition(NodeClassPolicy.RuntimeMetric, Below: true, 1800) { FromClass = ClassThreshold.Critical } },
        new AlertRule("NodeOnLte", RuleTarget.Node, AlertSeverity.Warning, States(StateValue.Degraded), Reasons(ReasonCodes.NodeOnLte),
            TimeSpan.FromMinutes(1)),
        new AlertRule("NodeSilent", RuleTarget.Node, AlertSeverity.Critical, States(StateValue.Down, StateValue.Unknown),
            Reasons(ReasonCodes.NodeOffline, ReasonCodes.NodeNoUplink, ReasonCodes.Stale), TimeSpan.FromSeconds(30)),
        new AlertRule("EndpointUnreachable", RuleTarget.Endpoint, AlertSeverity.Critical, States(StateValue.Down), AnyReason,
            TimeSpan.FromSeconds(30)) { WhileEventLive = true },
        new AlertRule("ZoneCoverageLow", RuleTarget.Zone, AlertSeverity.Critical, States(), AnyReason, TimeSpan.FromMinutes(1))
            { CoverageBelowPercent = 90 },
    ], FlapDamping.Default, AlertTiming.Default, []);

    private static HashSet<StateValue> States(params StateValue[] values) => [.. values];

    private static HashSet<string> Reasons(params string[] codes) => new(codes, StringComparer.Ordinal);
}
