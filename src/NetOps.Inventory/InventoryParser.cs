using System.Globalization;
using NetOps.Core.Inventory;

namespace NetOps.Inventory;

/// <summary>One inventory file's name (as it should appear in errors) and text.</summary>
public sealed record InventorySource(string File, string Text);

/// <summary>
/// Parses and validates inventory files into one <see cref="FleetInventory"/>. Two passes: each file is read
/// on its own (syntax, keys, value formats), then the merged drafts are cross-checked (duplicates, references).
/// Every error is collected; an inventory is built only when there are none.
/// </summary>
internal sealed partial class InventoryParser(ICredentialStore credentials, DateTimeOffset now)
{
    private static readonly string[] TopKeys = ["fleet_defaults", "defaults", "sites", "devices", "links", "nodes", "endpoints", "events", "assignments", "health", "alerting"];
    private static readonly string[] DefaultsKeys = ["snmp", "medium", "report_interval"];

    private readonly List<InventoryError> _errors = [];
    private readonly List<Draft<Site>> _sites = [];
    private readonly List<DeviceDraft> _devices = [];
    private readonly List<LinkDraft> _links = [];
    private readonly List<NodeDraft> _nodes = [];
    private readonly List<EndpointDraft> _endpoints = [];
    private readonly List<EventDraft> _events = [];
    private readonly List<LooseAssignment> _assignments = [];

    // The syntax error of each file that could not be parsed. What such a file holds is unknown: the checks that may
    // depend on it are skipped, so the error is not buried under the consequences of the file's absence (see ReportSkipped).
    private readonly List<InventoryError> _unreadable = [];

    /// <summary>Every file parsed: a reference to something that is nowhere is an error, not a symptom of a broken file.</summary>
    private bool AllRead => _unreadable.Count == 0;

    public InventoryLoadResult Parse(IReadOnlyList<InventorySource> sources)
    {
        _errors.AddRange(credentials.Refresh());
        var documents = sources.SelectMany(Documents).ToList();

        // Fleet defaults apply to every file, so one line can move the whole fleet (e.g. to a simulator's port).
        var fleet = Defaults.None;
        Origin? fleetAt = null;
        foreach (var root in documents)
        {
            if (root.Map("fleet_defaults", DefaultsKeys) is not { } map)
            {
                continue;
            }

            if (fleetAt is { } first)
            {
                Report(map.At, $"fleet_defaults is already set at {first.Place}; keep one");
                continue;
            }

            fleetAt = map.At;
            fleet = ParseDefaults(map);
        }

        var fleetKnown = fleetAt is not null || AllRead;
        if (!fleetKnown)
        {
            fleet = Defaults.Unknown;
        }

        var policy = ParseHealth(documents);
        var alerting = ParseAlerting(documents);
        var linkClassesKnown = AllRead || documents.Any(d => d.Has("health"));
        foreach (var root in documents)
        {
            ParseDocument(root, ParseDefaults(root.Map("defaults", DefaultsKeys)).Over(fleet));
        }

        AttachAssignments();
        CrossCheck();
        if (linkClassesKnown)
        {
            CheckLinkClasses(policy);
            CheckNodeClasses(policy);
        }

        ReportSkipped(fleetKnown, linkClassesKnown);
        if (_errors.Count > 0)
        {
            var order = sources.Select((s, i) => (s.File, i)).ToDictionary(p => p.File, p => p.i, StringComparer.Ordinal);
            return InventoryLoadResult.Failure(
                [.. _errors.OrderBy(e => order.GetValueOrDefault(e.File, -1)).ThenBy(e => e.Line).ThenBy(e => e.Column)]);
        }

        var nodes = _nodes.Select(n => n.Build(InferredDevice(n))).ToDictionary(n => n.Id, StringComparer.Ordinal);
        return InventoryLoadResult.Success(new FleetInventory(
            _sites.Select(s => s.Value!),
            _devices.Select(d => d.Value!),
            _links.Select(l => l.Value!),
            nodes.Values,
            _endpoints.Select(e => e.Build(nodes[e.Node!.Value.Value].Assignments)),
            _events.Select(e => e.Value!),
            policy,
            alerting));
    }

    private IEnumerable<MapReader> Documents(InventorySource source)
    {
        var context = new FileContext(source.File, _errors);
        if (!Yaml.TryLoad(new StringReader(source.Text), out var stream, out var syntax))
        {
            var error = new InventoryError(source.File, syntax.Line, syntax.Column, "",
                $"YAML syntax error at column {syntax.Column.ToString(CultureInfo.InvariantCulture)}: {syntax.Message}");
            _unreadable.Add(error);
            return [];
        }

        return stream.Documents
            .Where(d => !Yaml.IsNull(d.RootNode))
            .Select(d => context.Map(d.RootNode, "", TopKeys))
            .OfType<MapReader>()
            .ToList();
    }

    private void ParseDocument(MapReader root, Defaults defaults)
    {
        var context = root.Context;
        foreach (var (item, field) in root.List("sites"))
        {
            ParseSite(context, item, field);
        }

        foreach (var (item, field) in root.List("devices"))
        {
            ParseDevice(context, item, field, defaults);
        }

        foreach (var (item, field) in root.List("links"))
        {
            ParseLink(context, item, field, defaults);
        }

        foreach (var (item, field) in root.List("nodes"))
        {
            ParseNode(context, item, field, defaults);
        }

        foreach (var (item, field) in root.List("endpoints"))
        {
            ParseEndpoint(context, item, field);
        }

        foreach (var (item, field) in root.List("events"))
        {
            ParseEvent(context, item, field);
        }

        foreach (var (item, field) in root.List("assignments"))
        {
            ParseLooseAssignment(context, item, field);
        }
    }

    /// <summary>Each syntax error, with a second line naming the checks skipped for want of the file.</summary>
    private void ReportSkipped(bool fleetKnown, bool linkClassesKnown)
    {
        if (AllRead)
        {
            return;
        }

        var skipped = new List<string>();
        if (!fleetKnown)
        {
            skipped.Add("fields left to fleet_defaults");
        }

        if (!linkClassesKnown)
        {
            skipped.Add("link classes");
        }

        skipped.Add("references to sites, devices, nodes and events of other files");
        var note = "\n  skipped until this file parses, as they may depend on it: checks of " + string.Join(", ", skipped);
        _errors.AddRange(_unreadable.Select(syntax => syntax with { Message = syntax.Message + note }));
    }

    private Scalar? ReadId(MapReader map)
    {
        if (map.Scalar("id", required: true) is not { } id)
        {
            return null;
        }

        if (!Slug.IsValid(id.Value))
        {
            Report(id.At, $"'{id.Value}' is not a slug ({Slug.Rule})");
            return null;
        }

        return id;
    }

    /// <summary>A required field naming one of a closed set (a device class, an endpoint kind); null when absent or unknown (reported).</summary>
    private T? ReadName<T>(MapReader map, string key, Dictionary<string, T> names, string what)
        where T : struct
    {
        if (map.Scalar(key, required: true) is not { } text)
        {
            return null;
        }

        if (!names.TryGetValue(text.Value, out var value))
        {
            Report(text.At, $"'{text.Value}' is not {what} ({string.Join(", ", names.Keys)})");
            return null;
        }

        return value;
    }

    private void Report(Origin at, string message) => _errors.Add(at.Error(message));
}
