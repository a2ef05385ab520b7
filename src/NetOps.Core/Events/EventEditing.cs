using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using NetOps.Core.Inventory;

namespace NetOps.Core.Events;

/// <summary>
/// The rules an event made or edited on the dashboard must keep, and its export to the inventory's YAML (for the next
/// year's inventory). The page and the API check with the same rules.
/// </summary>
public static partial class EventEditing
{
    /// <summary>The most zones an event may have.</summary>
    public const int MaxZones = 50;

    /// <summary>The most node plans an event may have.</summary>
    public const int MaxNodes = 500;

    /// <summary>
    /// What is wrong with <paramref name="stored"/>, each naming its field (empty when it may be saved): ids as the
    /// inventory's (lower case, digits, dashes), a name, start before end, at least one zone with unique ids, and nodes
    /// that exist, in one of the event's zones, from before until, and not planned elsewhere at the same time.
    /// </summary>
    public static IReadOnlyList<string> Validate(StoredEvent stored, FleetInventory inventory)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(inventory);
        var ev = stored.Event;
        var errors = new List<string>();
        if (!Id().IsMatch(ev.Id))
        {
            errors.Add("id: lower-case letters, digits and dashes, 1 to 64 characters, starting with a letter or digit");
        }

        if (string.IsNullOrWhiteSpace(ev.Name) || ev.Name.Length > 200)
        {
            errors.Add("name: required, at most 200 characters");
        }

        if (ev.End <= ev.Start)
        {
            errors.Add("end: must be after start");
        }

        if (ev.Zones.Count == 0 || ev.Zones.Count > MaxZones)
        {
            errors.Add($"zones: at least one zone, at most {MaxZones}");
            if (ev.Zones.Count > MaxZones)
            {
                return errors;
            }
        }

        if (stored.Nodes.Count > MaxNodes)
        {
            errors.Add($"nodes: at most {MaxNodes}");
            return errors;
        }

        for (var i = 0; i < ev.Zones.Count; i++)
        {
            var zone = ev.Zones[i];
            if (!Id().IsMatch(zone.Id))
            {
                errors.Add($"zones[{i}].id: lower-case letters, digits and dashes");
            }
            else if (ev.Zones.Take(i).Any(z => z.Id == zone.Id))
            {
                errors.Add($"zones[{i}].id: '{zone.Id}' twice");
            }

            if (string.IsNullOrWhiteSpace(zone.Name) || zone.Name.Length > 200)
            {
                errors.Add($"zones[{i}].name: required, at most 200 characters");
            }
        }

        for (var i = 0; i < stored.Nodes.Count; i++)
        {
            var plan = stored.Nodes[i];
            if (!inventory.Nodes.TryGetValue(plan.NodeId, out var node))
            {
                errors.Add($"nodes[{i}].node: no node '{plan.NodeId}' in the inventory");
                continue;
            }

            if (ev.Zones.All(z => z.Id != plan.ZoneId))
            {
                errors.Add($"nodes[{i}].zone: '{plan.ZoneId}' is not a zone of this event");
            }

            if (plan.Until <= plan.From)
            {
                errors.Add($"nodes[{i}].until: must be after from");
                continue;
            }

            var clash = node.Assignments.Where(a => a.EventId != ev.Id)
                .Concat(stored.Nodes.Take(i).Where(p => p.NodeId == plan.NodeId).Select(p => new Assignment(ev.Id, p.ZoneId, p.From, p.Until)))
                .FirstOrDefault(a => a.From < plan.Until && plan.From < a.Until);
            if (clash is not null)
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture,
                    $"nodes[{i}]: {plan.NodeId} is planned for {clash.EventId}/{clash.ZoneId} from {clash.From:u} until {clash.Until:u} (a node stands in one place)"));
            }
        }

        return errors;
    }

    /// <summary>
    /// <paramref name="ev"/> as the inventory writes it: an <c>events:</c> entry, and an <c>assignments:</c> section with its
    /// nodes' and endpoints' assignments, loadable beside the rest of the inventory (once the event and its assignments
    /// are gone from the other files). Times in UTC, ISO-8601.
    /// </summary>
    public static string ToYaml(FleetInventory inventory, Event ev, DateTimeOffset now, string by)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(ev);
        var yaml = new StringBuilder();
        yaml.Append(CultureInfo.InvariantCulture, $"# {ev.Name}, exported from NetOps {Time(now)} by {Line(by)}.\n");
        yaml.Append("# Shift the times for the next year; remove the event from the other inventory files first.\n");
        yaml.Append("events:\n");
        yaml.Append(CultureInfo.InvariantCulture, $"  - id: {ev.Id}\n");
        yaml.Append(CultureInfo.InvariantCulture, $"    name: {Quoted(ev.Name)}\n");
        yaml.Append(CultureInfo.InvariantCulture, $"    start: {Time(ev.Start)}\n");
        yaml.Append(CultureInfo.InvariantCulture, $"    end: {Time(ev.End)}\n");
        yaml.Append("    zones:\n");
        foreach (var zone in ev.Zones)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"      - {{ id: {zone.Id}, name: {Quoted(zone.Name)} }}\n");
        }

        var assignments = inventory.Nodes.Values.SelectMany(n => n.Assignments.Where(a => a.EventId == ev.Id).Select(a => (Kind: "node", n.Id, a)))
            .Concat(inventory.Endpoints.Values.SelectMany(e => e.Assignments.Where(a => a.EventId == ev.Id).Select(a => (Kind: "endpoint", e.Id, a))))
            .OrderBy(x => x.Kind, StringComparer.Ordinal).ThenBy(x => x.Id, StringComparer.Ordinal).ThenBy(x => x.a.From)
            .ToList();
        if (assignments.Count > 0)
        {
            yaml.Append("\nassignments:\n");
            foreach (var (kind, id, a) in assignments)
            {
                yaml.Append(CultureInfo.InvariantCulture,
                    $"  - {{ {kind}: {id}, event: {a.EventId}, zone: {a.ZoneId}, from: {Time(a.From)}, until: {Time(a.Until)} }}\n");
            }
        }

        return yaml.ToString();
    }

    private static string Time(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A double-quoted YAML scalar: backslash and quote escaped, control characters as escapes.</summary>
    private static string Quoted(string text)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in text)
        {
            _ = c switch
            {
                '"' => quoted.Append("\\\""),
                '\\' => quoted.Append("\\\\"),
                < ' ' => quoted.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"),
                _ => quoted.Append(c),
            };
        }

        return quoted.Append('"').ToString();
    }

    private static string Line(string text) => new([.. text.Where(c => !char.IsControl(c))]);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex Id();
}
