using System.Globalization;
using NetOps.Core.Inventory;
using YamlDotNet.RepresentationModel;

namespace NetOps.Inventory;

/// <summary>The inventory's <c>health:</c> section: poll plans per device class and thresholds per link class.</summary>
internal sealed partial class InventoryParser
{
    private static readonly string[] HealthKeys = ["plans", "link_classes", "node_classes"];
    private static readonly string[] TaskKeys = ["sections", "every"];
    private static readonly string[] LinkClassKeys = ["utilisation", "errors_per_second", "optical_margin_db", "rx_sensitivity_dbm"];
    private static readonly string[] NodeClassKeys = ["battery_pct", "runtime_left"];
    private static readonly string[] ThresholdKeys = ["warning", "critical", "hysteresis"];

    /// <summary>Polls more often than this would only load the devices and the collector.</summary>
    private static readonly TimeSpan MinimumEvery = TimeSpan.FromSeconds(1);

    private static readonly Dictionary<string, PollSections> SectionNames = new(StringComparer.Ordinal)
    {
        ["interfaces"] = PollSections.Interfaces,
        ["optics"] = PollSections.Optics,
        ["neighbours"] = PollSections.Neighbours,
        ["forwarding"] = PollSections.Forwarding,
        ["poe"] = PollSections.Poe,
    };

    /// <summary>The one <c>health:</c> section of the inventory (in any file), or <see cref="HealthPolicy.Default"/>.</summary>
    private HealthPolicy ParseHealth(IReadOnlyList<MapReader> documents)
    {
        HealthPolicy? policy = null;
        Origin? first = null;
        foreach (var root in documents)
        {
            if (root.Map("health", HealthKeys) is not { } health)
            {
                continue;
            }

            if (first is { } at)
            {
                Report(health.At, $"health is already set at {at.Place}; keep one");
                continue;
            }

            first = health.At;
            policy = new HealthPolicy(ReadPlans(health), ReadLinkClasses(health), ReadNodeClasses(health));
        }

        return policy ?? HealthPolicy.Default;
    }

    private List<DevicePollPlan> ReadPlans(MapReader health)
    {
        var plans = new List<DevicePollPlan>();
        foreach (var (keyNode, value, field) in Entries(health, "plans"))
        {
            if (!DeviceClasses.TryGetValue(keyNode.Value ?? "", out var deviceClass))
            {
                health.Context.Error(keyNode, field, $"'{keyNode.Value}' is not a device class ({string.Join(", ", DeviceClasses.Keys)})");
                continue;
            }

            if (value is not YamlSequenceNode tasks)
            {
                health.Context.Error(value, field, "expected a list of { sections: [...], every: DURATION }");
                continue;
            }

            var parsed = new List<PollTask>();
            foreach (var (item, i) in tasks.Children.Select((t, i) => (t, i)))
            {
                if (ReadTask(health.Context, item, $"{field}[{i}]") is { } task)
                {
                    parsed.Add(task);
                }
            }

            var missing = parsed.Aggregate(PollSections.None, (all, t) => all | t.Sections);
            if (parsed.Count == tasks.Children.Count && !missing.HasFlag(PollSections.Interfaces))
            {
                health.Context.Error(value, field, "a plan must poll interfaces (status and counters)");
                continue;
            }

            plans.Add(new DevicePollPlan(deviceClass, parsed));
        }

        return plans;
    }

    private PollTask? ReadTask(FileContext context, YamlNode item, string field)
    {
        if (context.Map(item, field, TaskKeys) is not { } map)
        {
            return null;
        }

        var sections = PollSections.None;
        var valid = true;
        var listed = map.List("sections").ToList();
        if (listed.Count == 0)
        {
            Report(map.At with { Field = map.Path("sections") }, "missing required field (a list of " + string.Join(", ", SectionNames.Keys) + ")");
            valid = false;
        }

        foreach (var (sectionNode, sectionField) in listed)
        {
            if (sectionNode is YamlScalarNode { Value: { } name } && SectionNames.TryGetValue(name, out var section))
            {
                sections |= section;
            }
            else
            {
                context.Error(sectionNode, sectionField, $"'{(sectionNode as YamlScalarNode)?.Value}' is not a poll section ({string.Join(", ", SectionNames.Keys)})");
                valid = false;
            }
        }

        var every = map.Scalar("every", required: true);
        TimeSpan interval = default;
        if (every is { } text && (!Values.TryParseDuration(text.Value, out interval) || interval < MinimumEvery))
        {
            Report(text.At, $"'{text.Value}' is not a duration of at least 1s (e.g. 30s, 5m)");
            valid = false;
        }

        return valid && every is not null ? new PollTask(sections, interval) : null;
    }

    private List<LinkClassPolicy> ReadLinkClasses(MapReader health)
    {
        var classes = new List<LinkClassPolicy>();
        foreach (var (keyNode, value, field) in Entries(health, "link_classes"))
        {
            var name = keyNode.Value ?? "";
            if (!Slug.IsValid(name))
            {
                health.Context.Error(keyNode, field, $"'{name}' is not a link class name ({Slug.Rule})");
                continue;
            }

            if (health.Context.Map(value, field, LinkClassKeys) is not { } map)
            {
                continue;
            }

            var fallback = LinkClassPolicy.Default;
            var utilisation = ReadThreshold(map, "utilisation", fallback.Utilisation);
            var errors = ReadThreshold(map, "errors_per_second", fallback.ErrorsPerSecond);
            var margin = ReadThreshold(map, "optical_margin_db", fallback.OpticalMarginDb);
            var sensitivity = ReadNumber(map.Scalar("rx_sensitivity_dbm")) ?? fallback.RxSensitivityDbm;
            if (utilisation is not null && errors is not null && margin is not null && !double.IsNaN(sensitivity))
            {
                classes.Add(new LinkClassPolicy(name, utilisation, errors, margin) { RxSensitivityDbm = sensitivity });
            }
        }

        return classes;
    }

    /// <summary>
    /// <c>node_classes:</c>: battery (percent) and runtime left (durations, 2h, 30m) per class of node, both lower-is-worse.
    /// A "default" class is always there: the built-in one unless the section defines it.
    /// </summary>
    private List<NodeClassPolicy> ReadNodeClasses(MapReader health)
    {
        var classes = new List<NodeClassPolicy> { NodeClassPolicy.Default };
        foreach (var (keyNode, value, field) in Entries(health, "node_classes"))
        {
            var name = keyNode.Value ?? "";
            if (!Slug.IsValid(name))
            {
                health.Context.Error(keyNode, field, $"'{name}' is not a node class name ({Slug.Rule})");
                continue;
            }

            if (health.Context.Map(value, field, NodeClassKeys) is not { } map)
            {
                continue;
            }

            var fallback = NodeClassPolicy.Default;
            var battery = ReadThreshold(map, "battery_pct", fallback.BatteryPct);
            if (battery is not null && (battery.Warning is < 0 or > 100 || battery.Critical is < 0 or > 100))
            {
                Report(map.At with { Field = map.Path("battery_pct") }, "battery thresholds are percentages from 0 to 100");
                battery = null;
            }

            var runtime = ReadThreshold(map, "runtime_left", fallback.RuntimeLeftS, duration: true);
            if (battery is not null && runtime is not null)
            {
                classes.RemoveAll(c => c.Name == name);
                classes.Add(new NodeClassPolicy(name, battery, runtime));
            }
        }

        return classes;
    }

    /// <summary>A threshold; fields left out keep the built-in default's. Null when invalid (reported).</summary>
    private Threshold? ReadThreshold(MapReader linkClass, string key, Threshold fallback, bool duration = false)
    {
        if (linkClass.Map(key, ThresholdKeys) is not { } map)
        {
            return linkClass.Has(key) && !Yaml.IsNull(linkClass.Node.Children[new YamlScalarNode(key)]) ? null : fallback;
        }

        Func<Scalar?, double?> read = duration ? ReadSeconds : ReadNumber;
        var warning = read(map.Scalar("warning")) ?? fallback.Warning;
        var critical = read(map.Scalar("critical")) ?? fallback.Critical;
        var hysteresis = read(map.Scalar("hysteresis")) ?? fallback.Hysteresis;
        if (double.IsNaN(warning) || double.IsNaN(critical) || double.IsNaN(hysteresis))
        {
            return null;
        }

        if (hysteresis < 0)
        {
            Report(map.At with { Field = map.Path("hysteresis") }, "hysteresis must not be negative");
            return null;
        }

        // Higher is worse for load and errors; for margin, battery and runtime lower is worse, so critical lies below warning.
        if (fallback.HigherIsWorse ? critical < warning : critical > warning)
        {
            var shown = duration ? (Func<double, string>)(v => NetOps.Core.Events.NodePower.Duration(TimeSpan.FromSeconds(v))) : Num;
            Report(map.At with { Field = map.Path("critical") },
                fallback.HigherIsWorse ? $"critical ({shown(critical)}) must be at least warning ({shown(warning)})"
                    : $"critical ({shown(critical)}) must be at most warning ({shown(warning)}): {(duration || key == "battery_pct" ? "less" : "a smaller margin")} is worse");
            return null;
        }

        return new Threshold(warning, critical, hysteresis, fallback.HigherIsWorse);
    }

    /// <summary>A number; null when absent, NaN when not a number (reported).</summary>
    private double? ReadNumber(Scalar? scalar)
    {
        if (scalar is not { } text)
        {
            return null;
        }

        if (!double.TryParse(text.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            Report(text.At, $"'{text.Value}' is not a number");
            return double.NaN;
        }

        return value;
    }

    /// <summary>A duration (2h, 30m) in seconds; null when absent, NaN when not a duration (reported).</summary>
    private double? ReadSeconds(Scalar? scalar)
    {
        if (scalar is not { } text)
        {
            return null;
        }

        if (!Values.TryParseDuration(text.Value, out var value))
        {
            Report(text.At, $"'{text.Value}' is not a duration (e.g. 30m, 2h)");
            return double.NaN;
        }

        return value.TotalSeconds;
    }

    /// <summary>The entries of a map whose keys are names (device classes, link classes), with their field paths.</summary>
    private static IEnumerable<(YamlScalarNode Key, YamlNode Value, string Field)> Entries(MapReader parent, string key)
    {
        if (!parent.Node.Children.TryGetValue(new YamlScalarNode(key), out var node) || Yaml.IsNull(node))
        {
            yield break;
        }

        if (node is not YamlMappingNode map)
        {
            parent.Context.Error(node, parent.Path(key), "expected a map of names");
            yield break;
        }

        foreach (var (k, v) in map.Children)
        {
            var name = (k as YamlScalarNode) ?? new YamlScalarNode("");
            yield return (name, v, $"{parent.Path(key)}.{name.Value}");
        }
    }

    /// <summary>Every link's class must be one the health section defines ("default" always exists).</summary>
    private void CheckLinkClasses(HealthPolicy policy)
    {
        foreach (var link in _links)
        {
            if (link.Class is { } linkClass && linkClass.Value != LinkClassPolicy.Default.Name && !policy.LinkClasses.ContainsKey(linkClass.Value))
            {
                var known = policy.LinkClasses.Keys.Append(LinkClassPolicy.Default.Name).Distinct().Order(StringComparer.Ordinal);
                Report(linkClass.At, $"unknown link class '{linkClass.Value}' (health.link_classes has: {string.Join(", ", known)})");
            }
        }
    }

    /// <summary>Every node's class must be one the health section defines ("default" always exists).</summary>
    private void CheckNodeClasses(HealthPolicy policy)
    {
        foreach (var node in _nodes)
        {
            if (node.Class is { } nodeClass && !policy.NodeClasses.ContainsKey(nodeClass.Value) && nodeClass.Value != NodeClassPolicy.Default.Name)
            {
                var known = policy.NodeClasses.Keys.Append(NodeClassPolicy.Default.Name).Distinct().Order(StringComparer.Ordinal);
                Report(nodeClass.At, $"unknown node class '{nodeClass.Value}' (health.node_classes has: {string.Join(", ", known)})");
            }
        }
    }

    private static string Num(double value) => value.ToString(CultureInfo.InvariantCulture);
}
