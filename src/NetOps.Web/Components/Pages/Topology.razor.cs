using Microsoft.AspNetCore.Components;
using NetOps.Core.State;
using NetOps.Inventory;
using NetOps.Web.Presentation;
using NetOps.Web.ViewModels;

namespace NetOps.Web.Components.Pages;

/// <summary>The live topology: the Rainbow star and the MOGLI nodes patched into it, links coloured by health.</summary>
public sealed partial class Topology : IDisposable
{
    private TopologyViewModel? _model;
    private IDisposable? _subscription;
    private bool _interactive;
    private bool _fitted;

    [Inject] public required LiveStateView Live { get; init; }
    [Inject] public required IInventoryProvider Inventory { get; init; }

    protected override void OnAfterRender(bool firstRender)
    {
        if (!firstRender)
        {
            FitOnce();
            return;
        }

        // The diagram needs the browser (it measures nodes through JS): build it once the circuit is live.
        _model = new TopologyViewModel(Live, ReasonText.Berlin, Inventory.Current);
        _subscription = Live.Subscribe(OnLiveChanged);
        Inventory.Changed += OnInventoryChanged;
        _interactive = true;
        StateHasChanged();
    }

    /// <summary>Once the browser has measured every node, show the whole star.</summary>
    private void FitOnce()
    {
        if (_fitted || _model is null || _model.Diagram.Nodes.Any(n => n.Size is null))
        {
            return;
        }

        _fitted = true;
        _model.Diagram.ZoomToFit(30);
    }

    private void OnLiveChanged(IReadOnlyCollection<EntityRef> changed) => _ = InvokeAsync(() =>
    {
        _model?.Refresh();
        FitOnce();
    });

    private void OnInventoryChanged(object? sender, InventoryChangedEventArgs e) => _ = InvokeAsync(() =>
    {
        _model = new TopologyViewModel(Live, ReasonText.Berlin, e.Current);
        _fitted = false;
        StateHasChanged();
    });

    public void Dispose()
    {
        _subscription?.Dispose();
        Inventory.Changed -= OnInventoryChanged;
    }
}
