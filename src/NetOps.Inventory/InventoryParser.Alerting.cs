using System.Globalization;
using NetOps.Core.Alerts;
using NetOps.Core.Inventory;
using NetOps.Core.State;
using Quartz;
using YamlDotNet.RepresentationModel;

namespace NetOps.Inventory;

/// <summary>The inventory's <c>alerting:</c> section: rules, flap damping, timing and maintenance windows (docs/alerting.md).</summary>
internal sealed partial class InventoryParser
{
    private static readonly string[] AlertingKeys =
        ["builtin_rules", "rules", "flapping", "group_by", "group_wait", "repeat_interval", "reopen_grace", "escalate_after", "maintenance"];

    private static readonly string[] RuleKeys =
        ["name", "target", "severity", "states", "reasons", "for", "metric", "while_event_live", "coverage_below", "labels", "summary", "runbook"];

    private static readonly string[] MetricKeys = ["name", "below", "above"];
    private static readonly string[] FlapKeys = ["changes", "within", "stable_for"];
    private static readonly string[] MaintenanceKeys = ["id", "name", "matchers", "from", "until", "cron", "duration", "time_zone"];

    private static readonly Dictionary<string, RuleTarget> Targets = new(StringComparer.Ordinal)
    {
        ["device"] = RuleTarget.Device,
        ["port"] = RuleTarget.Port,
        ["link"] = RuleTarget.Link,
        ["node"] = RuleTarget.Node,
        ["endpoint"] = RuleTarget.Endpoint,
        ["zone"] = RuleTarget.Zone,
    };

    private static readonly Dictionary<string, AlertSeverity> Severities = new(StringComparer.Ordinal)
    {
        ["info"] = AlertSeverity.Info,
        ["warning"] = AlertSeverity.Warning,
        ["critical"] = AlertSeverity.Critical,
    };

    private static readonly Dictionary<string, StateValue> StateNames = new(StringComparer.Ordinal)
    {
        ["up"] = StateValue.Up,
        ["degraded"] = StateValue.Degraded,
        ["down"] = StateValue.Down,
        ["unknown"] = StateValue.Unknown,
    };

    /// <summary>The one <c>alerting:</c> section of the inventory (in any file), or <see cref="AlertPolicy.Default"/>.</summary>
    private AlertPolicy ParseAlerting(IReadOnlyList<MapReader> documents)
    {
        AlertPolicy? policy = null;
        Origin? first = null;
        foreach (var root in documents)
        {
            if (root.Map("alerting", AlertingKeys) is not { } alerting)
            {
                continue;
            }

            if (first is { } at)
            {
                Report(alerting.At, $"alerting is already set at {at.Place}; keep one");
                continue;
            }

            first = alerting.At;
            policy = ReadAlerting(alerting);
        }

        return policy ?? AlertPolicy.Default;
    }

    private AlertPolicy ReadAlerting(MapReader alerting)
    {
        var defaults = AlertPolicy.Default;
        var builtin = ReadBool(alerting.Scalar("builtin_rules")) ?? true;
        var rules = new List<AlertRule>();
        var seen = new Dictionary<string, Origin>(StringComparer.Ordinal);
        foreach (var (item, field) in alerting.List("rules"))
        {
            if (ReadRule(alerting.Context, item, field) is not { } rule)
            {
                continue;
            }

            var at = alerting.Context.At(item, field);
            if (seen.TryGetValue(rule.Name, out var before))
            {
                Report(at, $"rule '{rule.Name}' is already defined at {before.Place}");
                continue;
            }

            seen[rule.Name] = at;
            rules.Add(rule);
        }

        // A rule of the file replaces the built-in rule of the same name; the other built-in rules stay unless turned off.
        var all = builtin ? [.. defaults.Rules.Where(r => !seen.ContainsKey(r.Name)), .. rules] : rules;

        var flap = defaults.Flap;
        if (alerting.Map("flapping", FlapKeys) is { } flapping)
        {
            var changes = ReadCount(flapping.Scalar("changes"), minimum: 2) ?? flap.Changes;
            flap = new FlapDamping(changes, ReadSpan(flapping.Scalar("within"), positive: true) ?? flap.Within,
                ReadSpan(flapping.Scalar("stable_for"), positive: true) ?? flap.StableFor);
        }

        var timing = defaults.Timing;
        var groupBy = alerting.List("group_by").Select(x => (x.Item as YamlScalarNode)?.Value).OfType<string>().ToList();
        timing = timing with
        {
            GroupBy = alerting.Has("group_by") ? groupBy : timing.GroupBy,
            GroupWait = ReadSpan(alerting.Scalar("group_wait"), positive: false) ?? timing.GroupWait,
            RepeatInterval = ReadSpan(alerting.Scalar("repeat_interval"), positive: true) ?? timing.RepeatInterval,
            ReopenGrace = ReadSpan(alerting.Scalar("reopen_grace"), positive: false) ?? timing.ReopenGrace,
            EscalateAfter = ReadSpan(alerting.Scalar("escalate_after"), positive: true) ?? timing.EscalateAfter,
        };

        var windows = new List<MaintenanceWindow>();
        foreach (var (item, field) in alerting.List("maintenance"))
        {
            if (ReadMaintenance(alerting.Context, item, field) is { } window)
            {
                windows.Add(window);
            }
        }

        return new AlertPolicy(all, flap, timing, windows);
    }

    private AlertRule? ReadRule(FileContext context, YamlNode item, string field)
    {
        if (context.Map(item, field, RuleKeys) is not { } map)
        {
            return null;
        }

        var name = map.Scalar("name", required: true);
        var target = ReadChoice(map.Scalar("target", required: true), Targets, "target");
        var severity = ReadChoice(map.Scalar("severity", required: true), Severities, "severity");
        var states = new HashSet<StateValue>();
        foreach (var (stateNode, stateField) in map.List("states"))
        {
            if (ReadChoice(stateNode is YamlScalarNode { Value: { } s } ? new Scalar(s, context.At(stateNode, stateField)) : null, StateNames, "state") is { } state)
            {
                states.Add(state);
            }
        }

        var reasons = new HashSet<string>(map.List("reasons").Select(r => (r.Item as YamlScalarNode)?.Value).OfType<string>(), StringComparer.Ordinal);
        var hold = ReadSpan(map.Scalar("for"), positive: false) ?? TimeSpan.Zero;
        MetricCondition? metric = null;
        if (map.Map("metric", MetricKeys) is { } metricMap)
        {
            var metricName = metricMap.Scalar("name", required: true);
            var belowClass = ClassThresholdOf(metricMap.Scalar("below"));
            var aboveClass = ClassThresholdOf(metricMap.Scalar("above"));
            var below = belowClass is null ? ReadNumber(metricMap.Scalar("below")) : double.NaN;
            var above = aboveClass is null ? ReadNumber(metricMap.Scalar("above")) : double.NaN;
            var fromClass = belowClass ?? aboveClass;
            if (below is null == above is null)
            {
                Report(metricMap.At, "a metric condition needs exactly one of below or above");
            }
            else if (fromClass is { } level && metricName is { } named && NodeClassPolicy.Default.ThresholdOf(named.Value) is { } builtIn)
            {
                // The built-in default class's value stands for nodes without a class threshold (never in practice).
                metric = new MetricCondition(named.Value, below is not null, level == ClassThreshold.Critical ? builtIn.Critical : builtIn.Warning)
                    { FromClass = level };
            }
            else if (fromClass is not null && metricName is { } other)
            {
                Report(other.At, $"'{other.Value}' has no node class threshold ({NodeClassPolicy.BatteryMetric}, {NodeClassPolicy.RuntimeMetric} have)");
            }
            else if (metricName is { } m && (below ?? above) is { } threshold && double.IsFinite(threshold))
            {
                metric = new MetricCondition(m.Value, below is not null, threshold);
            }
        }

        var coverage = ReadNumber(map.Scalar("coverage_below"));
        if (coverage is { } c && double.IsFinite(c) && (c <= 0 || c > 100))
        {
            Report(map.Scalar("coverage_below")!.Value.At, "coverage_below is a percentage above 0 and at most 100");
        }

        if (target == RuleTarget.Zone && coverage is null)
        {
            Report(map.At, "a zone rule needs coverage_below (the share of connected endpoints, in %)");
        }
        else if (target is { } t && t != RuleTarget.Zone && states.Count == 0 && map.Has("states") is false)
        {
            Report(map.At, "a rule needs states: the entity states it fires on (down, degraded, unknown)");
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value, labelField) in Entries(map, "labels"))
        {
            if (value is YamlScalarNode { Value: { } text })
            {
                labels[key.Value ?? ""] = text;
            }
            else
            {
                context.Error(value, labelField, "a label value is a single value");
            }
        }

        var runbook = map.Scalar("runbook");
        if (runbook is { } r && !Uri.TryCreate(r.Value, UriKind.Absolute, out _))
        {
            Report(r.At, $"runbook '{r.Value}' is not an absolute URL");
        }

        if (name is null || target is null || severity is null)
        {
            return null;
        }

        return new AlertRule(name.Value.Value, target.Value, severity.Value, states, reasons, hold)
        {
            Metric = metric,
            WhileEventLive = ReadBool(map.Scalar("while_event_live")) ?? false,
            CoverageBelowPercent = coverage is { } cov && double.IsFinite(cov) ? cov : null,
            Labels = labels,
            Summary = map.Scalar("summary")?.Value ?? "{reason}",
            Runbook = runbook?.Value,
            Origin = context.At(item, field).Place,
        };
    }

    private MaintenanceWindow? ReadMaintenance(FileContext context, YamlNode item, string field)
    {
        if (context.Map(item, field, MaintenanceKeys) is not { } map)
        {
            return null;
        }

        var id = map.Scalar("id", required: true);
        var matchers = new List<Matcher>();
        foreach (var (matcherNode, matcherField) in map.List("matchers"))
        {
            if (matcherNode is not YamlScalarNode { Value: { } text })
            {
                context.Error(matcherNode, matcherField, "a matcher is one value such as 'subject=~\"device:sw-.*\"'");
                continue;
            }

            if (Matcher.Parse(text, out var problem) is { } matcher)
            {
                matchers.Add(matcher);
            }
            else
            {
                context.Error(matcherNode, matcherField, problem!);
            }
        }

        if (matchers.Count == 0)
        {
            Report(map.At, "a maintenance window needs matchers (which alerts it holds back)");
        }

        var from = ReadTime(map, "from", required: false);
        var until = ReadTime(map, "until", required: false);
        var cron = map.Scalar("cron");
        var duration = ReadSpan(map.Scalar("duration"), positive: true);
        var zone = map.Scalar("time_zone");
        if (cron is { } c)
        {
            try
            {
                _ = new CronExpression(c.Value);
            }
            catch (FormatException e)
            {
                Report(c.At, $"'{c.Value}' is not a Quartz cron expression (seconds minutes hours day-of-month month day-of-week): {e.Message}");
            }

            if (duration is null)
            {
                Report(c.At, "a recurring window (cron) needs a duration");
            }
        }
        else if (from is null || until is null)
        {
            Report(map.At, "a maintenance window needs from and until (one-off) or cron and duration (recurring)");
        }
        else if (until.Value.Value <= from.Value.Value)
        {
            Report(until.Value.At, "until must be after from");
        }

        if (zone is { } z && !TimeZoneInfo.TryFindSystemTimeZoneById(z.Value, out _))
        {
            Report(z.At, $"'{z.Value}' is not a time zone this machine knows (e.g. Europe/Berlin)");
        }

        return id is null ? null : new MaintenanceWindow(id.Value.Value, map.Scalar("name")?.Value ?? id.Value.Value, matchers)
        {
            From = from?.Value,
            Until = until?.Value,
            Cron = cron?.Value,
            Duration = duration ?? TimeSpan.Zero,
            TimeZone = zone?.Value ?? "Europe/Berlin",
        };
    }

    private T? ReadChoice<T>(Scalar? scalar, Dictionary<string, T> choices, string what)
        where T : struct
    {
        if (scalar is not { } text)
        {
            return null;
        }

        if (choices.TryGetValue(text.Value, out var value))
        {
            return value;
        }

        Report(text.At, $"'{text.Value}' is not a {what} ({string.Join(", ", choices.Keys)})");
        return null;
    }

    private bool? ReadBool(Scalar? scalar)
    {
        if (scalar is not { } text)
        {
            return null;
        }

        if (bool.TryParse(text.Value, out var value))
        {
            return value;
        }

        Report(text.At, $"'{text.Value}' is not true or false");
        return null;
    }

    private int? ReadCount(Scalar? scalar, int minimum)
    {
        if (scalar is not { } text)
        {
            return null;
        }

        if (int.TryParse(text.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= minimum)
        {
            return value;
        }

        Report(text.At, $"'{text.Value}' is not a whole number of at least {minimum.ToString(CultureInfo.InvariantCulture)}");
        return null;
    }

    private TimeSpan? ReadSpan(Scalar? scalar, bool positive)
    {
        if (scalar is not { } text)
        {
            return null;
        }

        if (Values.TryParseDuration(text.Value, out var value) && (value > TimeSpan.Zero || (!positive && value == TimeSpan.Zero)))
        {
            return value;
        }

        Report(text.At, $"'{text.Value}' is not a {(positive ? "positive " : "")}duration (30s, 5m, 1h)");
        return null;
    }

    /// <summary>"class.warning" or "class.critical": the node class's own threshold for the metric; null for anything else.</summary>
    private static ClassThreshold? ClassThresholdOf(Scalar? scalar) => scalar?.Value switch
    {
        "class.warning" => ClassThreshold.Warning,
        "class.critical" => ClassThreshold.Critical,
        _ => null,
    };
}
