using System.Text.Json;
using Blazor.Diagrams.Core.Geometry;
using Blazor.Diagrams.Core.Models.Base;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using NetOps.Core.State;
using NetOps.Web.Presentation;
using NetOps.Web.ViewModels;

namespace NetOps.Web.Components.Pages;

/// <summary>
/// The live topology: the Rainbow star with the sites of each ray and the MOGLI nodes of each event folded into groups,
/// links coloured by health and styled by discovery. Wall mode (?wall=1): full screen, large type, no controls.
/// </summary>
public sealed partial class Topology : LivePage
{
    private TopologyViewModel? _model;
    private bool _fitted;
    private string? _centre;
    private string _search = "";
    private string? _searchMessage;
    private string? _found;
    private string _site = "";
    private string _event = "";
    private HealthFilter _health = HealthFilter.All;
    private string? _selectedKey;
    private string _updated = "";
    private IReadOnlyList<string> _names = [];
    private IReadOnlyList<(string Value, string Label)> _siteOptions = [];
    private IReadOnlyList<(string Value, string Label)> _eventOptions = [];
    private IReadOnlyList<KeyValuePair<StateValue, int>> _summary = [];

    [Inject] public required IJSRuntime Js { get; init; }

    /// <summary>"?wall=1": the unattended screen.</summary>
    [SupplyParameterFromQuery(Name = "wall")] public string? WallParameter { get; set; }

    private bool IsWall => WallParameter is "1" or "true";

    /// <summary>Saved positions are kept per view: the wall's arrangement is not the desk's.</summary>
    private string ViewName => IsWall ? "wall" : "topology";

    protected override void OnAfterRender(bool firstRender)
    {
        if (!firstRender)
        {
            TryFitOrCentre();
        }
    }

    /// <summary>The diagram needs the browser (it measures nodes through JS): it is built once the circuit is live.</summary>
    protected override async Task StartAsync(CancellationToken cancellationToken)
    {
        Build(Fleet);
        await RestoreLayoutAsync(cancellationToken);
    }

    /// <summary>A full rebuild of the diagram from the inventory in force.</summary>
    protected override void Refresh() => Build(Fleet);

    /// <summary>The diagram redraws only what changed; the wall's own bar (counts, clock) is page markup and renders again.</summary>
    protected override bool Apply(IReadOnlyCollection<EntityRef> changed)
    {
        _model?.Refresh(changed);
        if (IsWall)
        {
            UpdateSummary();
        }

        return IsWall;
    }

    protected override async Task ReloadAsync(NetOps.Core.Inventory.FleetInventory inventory, CancellationToken cancellationToken)
    {
        Build(inventory);
        await RestoreLayoutAsync(cancellationToken);
    }

    private void Build(NetOps.Core.Inventory.FleetInventory inventory)
    {
        if (_model is not null)
        {
            _model.LayoutChanged -= OnLayoutChanged;
            _model.Rebuilt -= OnRebuilt;
            _model.Diagram.SelectionChanged -= OnSelectionChanged;
        }

        _model = new TopologyViewModel(Live, ReasonText.Berlin, inventory, Time.GetUtcNow());
        _model.LayoutChanged += OnLayoutChanged;
        _model.Rebuilt += OnRebuilt;
        _model.Diagram.SelectionChanged += OnSelectionChanged;
        foreach (var node in _model.Nodes)
        {
            node.SizeChanged += OnNodeMeasured;
        }

        _fitted = false;
        _names = inventory.Devices.Values.Select(d => d.Name)
            .Concat(inventory.Sites.Values.Select(s => s.Name))
            .Concat(inventory.Nodes.Values.Select(n => n.Name))
            .Concat(_model.Graph.Groups.Values.Select(g => g.Label))
            .Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase).ToList();
        _siteOptions = inventory.Sites.Values.Where(s => s.Ray is not null).Select(s => s.Ray!).Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .SelectMany(ray => new[] { ("ray:" + ray, "ray " + ray) }
                .Concat(inventory.Sites.Values.Where(s => s.Ray == ray).OrderBy(s => s.Name, StringComparer.Ordinal).Select(s => (s.Id, "  " + s.Name))))
            .Concat(inventory.Sites.Values.Where(s => s.Ray is null).Select(s => (s.Id, s.Name)))
            .ToList();
        _eventOptions = inventory.Events.Values.OrderBy(e => e.Start).Select(e => (e.Id, e.Name)).ToList();
        _model.SetFilter(CurrentFilter());
        UpdateSummary();
    }

    private TopologyFilter CurrentFilter() =>
        new(_site.Length == 0 ? null : _site, _event.Length == 0 ? null : _event, _health);

    /// <summary>Expand or collapse everything, then show the whole star again once the new nodes are measured.</summary>
    private void Refit(Action<TopologyViewModel> change)
    {
        if (_model is not null)
        {
            _fitted = false;
            change(_model);
        }
    }

    private void ApplyFilter() => _model?.SetFilter(CurrentFilter());

    private void Search()
    {
        if (_model is null)
        {
            return;
        }

        _found = _model.Search(_search);
        _searchMessage = _found is null ? $"nothing named “{_search}”" : null;
        _centre = _found;
        _selectedKey = _found;
        TryFitOrCentre();
    }

    private async Task RestoreLayoutAsync(CancellationToken cancellationToken)
    {
        var json = await Js.InvokeAsync<string?>("netops.loadLayout", cancellationToken, ViewName);
        if (_model is null || string.IsNullOrEmpty(json))
        {
            return;
        }

        try
        {
            var saved = JsonSerializer.Deserialize<Dictionary<string, double[]>>(json) ?? [];
            _model.ApplyManualPositions(saved.Where(kv => kv.Value is { Length: 2 })
                .ToDictionary(kv => kv.Key, kv => new Point(kv.Value[0], kv.Value[1]), StringComparer.Ordinal));
        }
        catch (JsonException)
        {
            // A layout saved by an older version, or edited by hand: start from the computed one.
        }
    }

    private void OnLayoutChanged()
    {
        if (_model is null)
        {
            return;
        }

        var json = JsonSerializer.Serialize(_model.ManualPositions.ToDictionary(kv => kv.Key,
            kv => new[] { Math.Round(kv.Value.X, 1), Math.Round(kv.Value.Y, 1) }));
        _ = InvokeAsync(async () => await Js.InvokeVoidAsync("netops.saveLayout", DisposalToken, ViewName, json));
    }

    private async Task ResetLayoutAsync()
    {
        if (_model is null)
        {
            return;
        }

        _model.ResetLayout();
        await Js.InvokeVoidAsync("netops.clearLayout", DisposalToken, ViewName);
        _model.Diagram.ZoomToFit(30);
    }

    private void OnRebuilt()
    {
        if (_model is null)
        {
            return;
        }

        foreach (var node in _model.Nodes)
        {
            node.SizeChanged -= OnNodeMeasured;
            node.SizeChanged += OnNodeMeasured;
        }

        UpdateSummary();
        _ = InvokeAsync(StateHasChanged);
    }

    private void OnNodeMeasured(Blazor.Diagrams.Core.Models.NodeModel node) => _ = InvokeAsync(TryFitOrCentre);

    /// <summary>Once the browser has measured every node: show the whole star, or centre the node the search found.</summary>
    private void TryFitOrCentre()
    {
        if (_model is null || _model.Nodes.Any(n => n.Size is null))
        {
            return;
        }

        if (!_fitted)
        {
            _fitted = true;
            _model.Diagram.ZoomToFit(30);
        }

        if (_centre is { } key && _model.CentreOn(key))
        {
            _centre = null;
        }
    }

    private void OnSelectionChanged(SelectableModel model)
    {
        _selectedKey = model.Selected ? model.Id : _selectedKey == model.Id ? null : _selectedKey;
        _ = InvokeAsync(StateHasChanged);
    }

    private (string Key, string Title, string Reason, IReadOnlyList<(string Href, string Label)> Links)? Selected()
    {
        if (_model is null || _selectedKey is null)
        {
            return null;
        }

        if (_model.Node(_selectedKey) is { } node)
        {
            var links = new List<(string, string)>();
            if (node is DeviceNode device)
            {
                links.Add(("devices/" + Uri.EscapeDataString(device.DeviceId), "device details"));
                if (device.MobileNodeId is { } mobile)
                {
                    links.Add(("nodes/" + Uri.EscapeDataString(mobile), "MOGLI node details"));
                }
            }

            return (node.Key, node.Title ?? node.Key, node.Reason, links);
        }

        if (_model.Link(_selectedKey) is { } link)
        {
            var links = link.Members.Take(12).Select(m => ("links/" + Uri.EscapeDataString(m), "link " + m)).ToList();
            return (link.Key, link.LinkId ?? $"{link.Members.Count} links", link.Title, links);
        }

        return null;
    }

    private void UpdateSummary()
    {
        if (_model is null)
        {
            return;
        }

        _summary = _model.Nodes.SelectMany(n => n is GroupNode g ? g.Counts.AsEnumerable() : [new(n.State, 1)])
            .GroupBy(kv => kv.Key).Select(g => new KeyValuePair<StateValue, int>(g.Key, g.Sum(kv => kv.Value)))
            .OrderByDescending(kv => TopologyViewModel.Rank(kv.Key)).ToList();
        _updated = ReasonText.Berlin.Local(Time.GetUtcNow());
    }

    protected override void Dispose(bool disposing)
    {
        if (_model is not null)
        {
            _model.LayoutChanged -= OnLayoutChanged;
            _model.Rebuilt -= OnRebuilt;
            _model.Diagram.SelectionChanged -= OnSelectionChanged;
        }

        base.Dispose(disposing);
    }
}
