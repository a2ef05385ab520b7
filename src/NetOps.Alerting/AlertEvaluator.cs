using System.Collections.Immutable;
using System.Globalization;
using NetOps.Core.Alerts;
using NetOps.Core.Events;
using NetOps.Core.Inventory;
using NetOps.Core.State;

namespace NetOps.Alerting;

/// <summary>
/// A rule's condition holding for one subject now. <see cref="Behind"/> names the outage that explains it (it is not
/// alerted on its own); <see cref="Affected"/> lists what stands down or unknown behind this subject.
/// </summary>
internal sealed record Condition(AlertRule Rule, string Subject, string Summary, ImmutableSortedDictionary<string, string> Labels)
{
    public string Fingerprint { get; } = Alert.FingerprintOf(Rule.Name, Subject);

    public string? Behind { get; init; }

    public ImmutableArray<string> Affected { get; init; } = [];

    public string? AffectedText { get; init; }
}

/// <summary>What the rules make of the live state at one instant.</summary>
internal sealed class Evaluation
{
    /// <summary>Conditions that hold, by fingerprint.</summary>
    public Dictionary<string, Condition> Holding { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Fingerprints whose subject's state is unknown (no fresh evidence, or behind an outage) for a rule that does not
    /// fire on unknown: nobody can tell whether the condition still holds, so an alert on it neither resolves nor fires.
    /// </summary>
    public HashSet<string> Undetermined { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Turns the live state into rule conditions, one pass over every state: the rules of each entity kind, the coverage
/// of each zone of a running event, and root cause (an outage alerts at the topmost failing subject only).
/// </summary>
internal static class AlertEvaluator
{
    public static Evaluation Evaluate(AlertTopology topology, IReadOnlyCollection<EntityState> states, Func<EntityRef, EntityState?> stateOf,
        ReasonText text, DateTimeOffset now)
    {
        var inventory = topology.Inventory;
        var rules = inventory.Alerting.Rules;
        var byTarget = rules.Where(r => r.Target != RuleTarget.Zone).ToLookup(r => r.Target);
        var result = new Evaluation();
        var matched = new List<(Condition Condition, EntityRef Entity, EntityState State)>();
        foreach (var state in states)
        {
            var target = TargetOf(state.Entity.Kind);
            foreach (var rule in byTarget[target])
            {
                if (!Matches(rule, state, topology, now))
                {
                    if (state.Value == StateValue.Unknown)
                    {
                        result.Undetermined.Add(Alert.FingerprintOf(rule.Name, state.Entity.ToString()));
                    }

                    continue;
                }

                var subject = state.Entity.ToString();
                matched.Add((new Condition(rule, subject, Summary(rule, topology.NameOf(state.Entity), text.Render(state.Reason)),
                    Labels(rule, subject, state.Entity.Kind.ToString().ToLowerInvariant(), EventLabels(inventory, state.Entity, now))), state.Entity, state));
            }
        }

        // An outage: a subject that is down with a rule's condition on it. What stands behind it is explained by it.
        var outages = matched.Where(m => m.State.Value == StateValue.Down).Select(m => m.Entity).ToHashSet();
        EntityRef? RootOf(EntityRef entity)
        {
            foreach (var above in topology.Upstream(entity))
            {
                if (outages.Contains(above))
                {
                    return above;
                }
            }

            return null;
        }

        var affected = new Dictionary<EntityRef, List<EntityRef>>();
        foreach (var entity in topology.Entities)
        {
            if (entity.Kind == EntityKind.Port || stateOf(entity) is not { Value: StateValue.Down or StateValue.Unknown } || RootOf(entity) is not { } root)
            {
                continue;
            }

            if (!affected.TryGetValue(root, out var list))
            {
                affected[root] = list = [];
            }

            list.Add(entity);
        }

        foreach (var zone in Zones(topology, stateOf, now, RootOf, affected))
        {
            matched.Add(zone);
        }

        foreach (var (condition, entity, _) in matched)
        {
            var behind = condition.Behind ?? RootOf(entity)?.ToString();
            var list = affected.GetValueOrDefault(entity);
            var final = condition with
            {
                Behind = behind,
                Affected = list is null ? [] : [.. list.Select(e => e.ToString()).Order(StringComparer.Ordinal)],
                AffectedText = list is null ? null : Describe(list, inventory) + " behind it",
            };
            result.Holding[final.Fingerprint] = final;
            if (behind is not null)
            {
                // Behind an outage the condition is a symptom: it neither fires nor resolves an alert of its own.
                result.Undetermined.Add(final.Fingerprint);
            }
        }

        return result;
    }

    private static bool Matches(AlertRule rule, EntityState state, AlertTopology topology, DateTimeOffset now)
    {
        if (!rule.States.Contains(state.Value) || (rule.Reasons.Count > 0 && !rule.Reasons.Contains(state.Reason.Code)))
        {
            return false;
        }

        // A node's power thresholds are its class's: a metric condition may take its threshold from there.
        var nodeClass = state.Entity.Kind == EntityKind.Node && topology.Inventory.Nodes.GetValueOrDefault(state.Entity.Id) is { } node
            ? topology.Inventory.Policy.NodeClass(node.Class)
            : null;
        if (rule.Metric is { } metric && !metric.Holds(state, nodeClass))
        {
            return false;
        }

        return !rule.WhileEventLive || ExpectingEventOf(topology, state.Entity, now) is not null;
    }

    /// <summary>The event an endpoint or node is assigned to now, while that event expects its things (set up or live).</summary>
    private static Event? ExpectingEventOf(AlertTopology topology, EntityRef entity, DateTimeOffset now)
    {
        var inventory = topology.Inventory;
        var assignments = entity.Kind switch
        {
            EntityKind.Endpoint => inventory.Endpoints.GetValueOrDefault(entity.Id) is { } e ? inventory.AssignmentsOf(e) : null,
            EntityKind.Node => inventory.Nodes.GetValueOrDefault(entity.Id)?.Assignments,
            _ => null,
        };
        return assignments is not null && FleetInventory.CurrentAssignment(assignments, now) is { } a &&
               topology.Lifecycles.TryGetValue(a.EventId, out var lifecycle) && lifecycle.Expected(now)
            ? inventory.Events[a.EventId]
            : null;
    }

    private static IEnumerable<(string Key, string Value)> EventLabels(FleetInventory inventory, EntityRef entity, DateTimeOffset now)
    {
        var assignments = entity.Kind switch
        {
            EntityKind.Endpoint => inventory.Endpoints.GetValueOrDefault(entity.Id) is { } e ? inventory.AssignmentsOf(e) : null,
            EntityKind.Node => inventory.Nodes.GetValueOrDefault(entity.Id)?.Assignments,
            _ => null,
        };
        if (assignments is not null && FleetInventory.CurrentAssignment(assignments, now) is { } a)
        {
            yield return ("event", a.EventId);
            yield return ("zone", a.ZoneId);
        }
    }

    /// <summary>
    /// Zone coverage: for each zone of an event that expects its things (set up or live), the share of the cameras and
    /// sensors deployed there now that are reachable (<see cref="EventCoverage"/>, as the coverage page counts them). A zone
    /// whose missing endpoints all stand behind one outage is that outage's consequence, listed there.
    /// </summary>
    private static IEnumerable<(Condition, EntityRef, EntityState)> Zones(AlertTopology topology, Func<EntityRef, EntityState?> stateOf,
        DateTimeOffset now, Func<EntityRef, EntityRef?> rootOf, Dictionary<EntityRef, List<EntityRef>> affected)
    {
        var inventory = topology.Inventory;
        var rules = inventory.Alerting.Rules.Where(r => r.Target == RuleTarget.Zone && r.CoverageBelowPercent is not null).ToList();
        if (rules.Count == 0)
        {
            yield break;
        }

        foreach (var ev in inventory.Events.Values.Where(e => topology.Lifecycles[e.Id].Expected(now)).OrderBy(e => e.Id, StringComparer.Ordinal))
        {
            foreach (var zone in EventCoverage.Of(inventory, ev, stateOf, now).Zones.Where(z => z.Expected > 0))
            {
                var missing = zone.Endpoints.Where(e => e.Deployed && !e.Reachable).Select(e => EntityRef.Endpoint(e.Endpoint.Id)).ToList();
                var percent = zone.ExpectedPercent;
                foreach (var rule in rules.Where(r => percent < r.CoverageBelowPercent))
                {
                    var subject = $"zone:{ev.Id}/{zone.Zone.Id}";
                    var reason = string.Create(CultureInfo.InvariantCulture,
                        $"{zone.Zone.Name} ({ev.Name}) at {percent:0} % coverage: {zone.Reachable} of {zone.Expected} cameras and sensors connected (threshold {rule.CoverageBelowPercent} %)");
                    var roots = missing.Select(rootOf).ToList();
                    var behind = roots.Count > 0 && roots.All(r => r is not null) ? roots[0] : null;
                    if (behind is { } root)
                    {
                        // The zone is one more thing the outage took down.
                        if (!affected.TryGetValue(root, out var list))
                        {
                            affected[root] = list = [];
                        }

                        list.Add(new EntityRef(EntityKind.Endpoint, subject));
                    }

                    var labels = Labels(rule, subject, "zone", [("event", ev.Id), ("zone", zone.Zone.Id)]);
                    var condition = new Condition(rule, subject, Summary(rule, $"{zone.Zone.Name} ({ev.Name})", reason), labels) { Behind = behind?.ToString() };
                    // The zone's entity stands in for the subject; a placeholder state carries no health of its own.
                    yield return (condition, new EntityRef(EntityKind.Endpoint, subject),
                        new EntityState(new EntityRef(EntityKind.Endpoint, subject), StateValue.Degraded, Reason.Of("zone.coverage-low"), now, now, "alerting", TimeSpan.Zero));
                }
            }
        }
    }

    private static string Summary(AlertRule rule, string name, string reason) =>
        rule.Summary.Replace("{reason}", reason, StringComparison.Ordinal).Replace("{subject}", name, StringComparison.Ordinal);

    private static ImmutableSortedDictionary<string, string> Labels(AlertRule rule, string subject, string kind, IEnumerable<(string Key, string Value)> extra)
    {
        var labels = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in rule.Labels)
        {
            labels[key] = value;
        }

        foreach (var (key, value) in extra)
        {
            labels[key] = value;
        }

        labels[AlertLabels.Name] = rule.Name;
        labels[AlertLabels.Severity] = rule.Severity.ToString().ToLowerInvariant();
        labels[AlertLabels.Subject] = subject;
        labels[AlertLabels.Kind] = kind;
        return labels.ToImmutable();
    }

    /// <summary>"3 devices, 14 cameras, 1 zone".</summary>
    private static string Describe(List<EntityRef> entities, FleetInventory inventory)
    {
        var counts = entities
            .GroupBy(e => e.Kind switch
            {
                EntityKind.Endpoint when e.Id.StartsWith("zone:", StringComparison.Ordinal) => "zone",
                EntityKind.Endpoint => inventory.Endpoints.GetValueOrDefault(e.Id)?.Kind switch
                {
                    EndpointKind.Camera => "camera",
                    EndpointKind.Sensor => "sensor",
                    EndpointKind.AccessPoint => "access point",
                    _ => "endpoint",
                },
                EntityKind.Node => "MOGLI node",
                _ => e.Kind.ToString().ToLowerInvariant(),
            })
            .OrderBy(g => Order(g.Key))
            .Select(g => $"{g.Count().ToString(CultureInfo.InvariantCulture)} {g.Key}{(g.Count() == 1 ? "" : "s")}");
        return string.Join(", ", counts);
    }

    private static int Order(string kind) => kind switch
    {
        "link" => 0,
        "device" => 1,
        "MOGLI node" => 2,
        "camera" => 3,
        "sensor" => 4,
        _ => 5,
    };

    private static RuleTarget TargetOf(EntityKind kind) => kind switch
    {
        EntityKind.Device => RuleTarget.Device,
        EntityKind.Port => RuleTarget.Port,
        EntityKind.Link => RuleTarget.Link,
        EntityKind.Node => RuleTarget.Node,
        _ => RuleTarget.Endpoint,
    };
}
