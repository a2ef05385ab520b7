using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using NetOps.Core.Events;
using NetOps.Core.Inventory;
using NetOps.Core.State;
using NetOps.Inventory;
using NetOps.Web.Events;

namespace NetOps.Web.Components.Pages;

/// <summary>
/// Creates or edits an event (operators): name, times, zones and where each node stands when. Times are entered in the
/// dashboard's time zone. Saving goes through <see cref="EventCommands"/>, as the API does, and names every wrong field.
/// </summary>
public sealed partial class EventEdit
{
    private EventForm _form = new();
    private IReadOnlyList<string> _errors = [];
    private bool _interactive;
    private bool _loaded;
    private string? _loadedFor;

    [Parameter] public string? EventId { get; set; }

    [Inject] public required EventCommands Commands { get; init; }

    [Inject] public required IInventoryProvider Inventory { get; init; }

    [Inject] public required TimeProvider Time { get; init; }

    [Inject] public required NavigationManager Navigation { get; init; }

    [CascadingParameter] public Task<AuthenticationState>? Authentication { get; set; }

    private ReasonText Text => ReasonText.Berlin;

    protected override void OnParametersSet()
    {
        // Once per event: a later parameter set (the login revalidated, say) must not wipe what is being typed.
        if (_loaded && _loadedFor == EventId)
        {
            return;
        }

        (_loaded, _loadedFor) = (true, EventId);
        var inventory = Inventory.Current;
        if (EventId is null)
        {
            var start = Local(Time.GetUtcNow().AddDays(7)).Date.AddHours(10);
            _form = new EventForm { Start = start, End = start.AddDays(2) };
            return;
        }

        if (!inventory.Events.TryGetValue(EventId, out var ev))
        {
            Navigation.NotFound();
            return;
        }

        _form = new EventForm
        {
            Id = ev.Id,
            Name = ev.Name,
            Start = Local(ev.Start),
            End = Local(ev.End),
            Zones = [.. ev.Zones.Select(z => new ZoneRow { Id = z.Id, Name = z.Name })],
            Nodes = [.. inventory.Nodes.Values.SelectMany(n => n.Assignments.Where(a => a.EventId == ev.Id)
                    .Select(a => new NodeRow { Node = n.Id, Zone = a.ZoneId, From = Local(a.From), Until = Local(a.Until) }))
                .OrderBy(r => r.Node, StringComparer.Ordinal).ThenBy(r => r.From)],
        };
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            _interactive = true;
            StateHasChanged();
        }
    }

    private void AddNode() => _form.Nodes.Add(new NodeRow { From = _form.Start.AddDays(-1), Until = _form.End.AddDays(1) });

    private async Task SaveAsync()
    {
        var id = (EventId ?? _form.Id ?? "").Trim();
        var stored = new StoredEvent(
            new Event(id, (_form.Name ?? "").Trim(), Utc(_form.Start), Utc(_form.End),
                [.. _form.Zones.Select(z => new Zone((z.Id ?? "").Trim(), (z.Name ?? "").Trim()))]),
            [.. _form.Nodes.Select(n => new NodePlan(n.Node ?? "", n.Zone ?? "", Utc(n.From), Utc(n.Until)))],
            DateTimeOffset.MinValue, "");
        if (EventId is null && Inventory.Current.Events.ContainsKey(id))
        {
            _errors = [$"id: there is an event '{id}' already; edit it instead"];
            return;
        }

        var result = await Commands.SaveAsync(stored, await ActorAsync(), null, CancellationToken.None);
        _errors = result.Errors;
        if (result.Status == EventCommandStatus.Done)
        {
            Navigation.NavigateTo("events/" + id);
        }
    }

    private async Task DeleteAsync()
    {
        var result = await Commands.DeleteAsync(EventId!, await ActorAsync(), null, CancellationToken.None);
        _errors = result.Errors;
        if (result.Status == EventCommandStatus.Done)
        {
            Navigation.NavigateTo(Inventory.Current.Events.ContainsKey(EventId!) ? "events/" + EventId : "events");
        }
    }

    private async Task<string> ActorAsync() =>
        Authentication is null ? "?" : (await Authentication).User.Identity?.Name ?? "?";

    private DateTime Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Text.Zone).DateTime;

    private DateTimeOffset Utc(DateTime local)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        return new DateTimeOffset(unspecified, Text.Zone.GetUtcOffset(unspecified));
    }

    private sealed class EventForm
    {
        public string? Id { get; set; }

        public string? Name { get; set; }

        public DateTime Start { get; set; }

        public DateTime End { get; set; }

        public List<ZoneRow> Zones { get; set; } = [new ZoneRow()];

        public List<NodeRow> Nodes { get; set; } = [];
    }

    private sealed class ZoneRow
    {
        public string? Id { get; set; }

        public string? Name { get; set; }
    }

    private sealed class NodeRow
    {
        public string? Node { get; set; }

        public string? Zone { get; set; }

        public DateTime From { get; set; }

        public DateTime Until { get; set; }
    }
}
