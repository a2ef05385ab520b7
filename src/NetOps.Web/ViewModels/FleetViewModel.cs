using System.Globalization;
using NetOps.Core.Inventory;
using NetOps.Core.State;
using NetOps.Web.Presentation;

namespace NetOps.Web.ViewModels;

/// <summary>A row of the overview: one entity with its state rendered for people.</summary>
public sealed record StateRow(
    EntityRef Entity,
    string Name,
    string Context,
    StateValue Value,
    string Reason,
    string Since,
    string Detail);

/// <summary>A group of rows under a heading (a ray of Rainbow, an event zone of MOGLI).</summary>
public sealed record RowGroup(string Title, IReadOnlyList<StateRow> Rows);

/// <summary>Page state of the overview, rebuilt from the process's live view.</summary>
public sealed class FleetViewModel(IStateReader live, ReasonText text, TimeProvider time)
{
    public IReadOnlyList<StateRow> Devices { get; private set; } = [];
    public IReadOnlyList<StateRow> Links { get; private set; } = [];
    public IReadOnlyList<RowGroup> Events { get; private set; } = [];
    public IReadOnlyDictionary<StateValue, int> Counts { get; private set; } = new Dictionary<StateValue, int>();
    public long Version { get; private set; }

    public void Refresh(FleetInventory inventory)
    {
        Version = live.Version;
        Devices = inventory.Devices.Values
            .OrderBy(d => d.Class).ThenBy(d => d.Id, StringComparer.Ordinal)
            .Select(d => Row(EntityRef.Device(d.Id), d.Name, SiteName(inventory, d), Uptime))
            .ToList();
        Links = inventory.Links.Values
            .OrderBy(l => l.Id, StringComparer.Ordinal)
            .Select(l => Row(EntityRef.Link(l.Id), l.Name, $"{l.A.DeviceId} {l.A.Port} ↔ {l.B.DeviceId} {l.B.Port}", Utilisation))
            .ToList();
        var now = time.GetUtcNow();
        Events = inventory.Nodes.Values
            .GroupBy(n => FleetInventory.CurrentAssignment(n.Assignments, now) is { } a && inventory.Events.TryGetValue(a.EventId, out var e)
                ? $"{e.Name} · {e.Zones.FirstOrDefault(z => z.Id == a.ZoneId)?.Name ?? a.ZoneId}"
                : "Not deployed")
            .OrderBy(g => g.Key == "Not deployed").ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new RowGroup(g.Key, g.OrderBy(n => n.Id, StringComparer.Ordinal)
                .Select(n => Row(EntityRef.Node(n.Id), n.Name, n.DeviceId ?? "", NodeDetail)).ToList()))
            .ToList();
        Counts = Devices.Concat(Links).Concat(Events.SelectMany(g => g.Rows))
            .GroupBy(r => r.Value).ToDictionary(g => g.Key, g => g.Count());
    }

    private StateRow Row(EntityRef entity, string name, string context, Func<EntityState, string> detail)
    {
        var state = live.Get(entity);
        return state is null
            ? new StateRow(entity, name, context, StateValue.Unknown, "no evidence yet", "", "")
            : new StateRow(entity, name, context, state.Value, text.Render(state.Reason), text.Local(state.Since), detail(state));
    }

    private static string SiteName(FleetInventory inventory, Device device) =>
        device.SiteId is { } site && inventory.Sites.TryGetValue(site, out var s) ? s.Name
        : device.NodeId is { } node && inventory.Nodes.TryGetValue(node, out var n) ? n.Name
        : "";

    private static string Uptime(EntityState state) =>
        state.Metrics.TryGetValue("uptime_s", out var seconds)
            ? "up " + TimeSpan.FromSeconds(Math.Floor(seconds)).ToString(seconds >= 86400 ? @"d\d\ hh\:mm" : @"hh\:mm\:ss", CultureInfo.InvariantCulture)
            : "";

    private static string Utilisation(EntityState state)
    {
        if (!state.Metrics.TryGetValue("in_bps", out var inBps) && !state.Metrics.TryGetValue("out_bps", out _))
        {
            return "";
        }

        var outBps = state.Metrics.GetValueOrDefault("out_bps");
        var load = state.Metrics.TryGetValue("utilisation_pct", out var pct) ? $" · {pct.ToString("0.0", CultureInfo.InvariantCulture)} %" : "";
        return $"↓ {Bits(inBps)} ↑ {Bits(outBps)}{load}";
    }

    private static string NodeDetail(EntityState state)
    {
        var parts = new List<string>();
        if (state.Metrics.TryGetValue("battery_pct", out var battery))
        {
            parts.Add($"battery {battery.ToString("0", CultureInfo.InvariantCulture)} %");
        }

        if (state.Metrics.TryGetValue("on_mains", out var mains))
        {
            parts.Add(mains > 0 ? "mains" : "battery power");
        }

        if (state.Metrics.TryGetValue("runtime_left_s", out var runtime))
        {
            parts.Add($"{TimeSpan.FromSeconds(runtime).TotalHours.ToString("0.0", CultureInfo.InvariantCulture)} h left");
        }

        if (state.Metrics.TryGetValue("uplink", out var uplink))
        {
            parts.Add("uplink " + ((Core.Observations.UplinkKind)(int)uplink).ToString().ToLowerInvariant());
        }

        return string.Join(" · ", parts);
    }

    public static string Bits(double bps) => bps switch
    {
        >= 1e9 => (bps / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " Gbit/s",
        >= 1e6 => (bps / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " Mbit/s",
        >= 1e3 => (bps / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + " kbit/s",
        _ => bps.ToString("0", CultureInfo.InvariantCulture) + " bit/s",
    };
}
