using Microsoft.AspNetCore.Components;
using NetOps.Core.State;
using NetOps.Inventory;
using NetOps.Web.Presentation;
using NetOps.Web.ViewModels;

namespace NetOps.Web.Components.Pages;

/// <summary>The overview: every device, link and mobile node with its state and reason, live.</summary>
public sealed partial class Home : IDisposable
{
    private IDisposable? _subscription;
    private bool _interactive;

    [Inject] public required LiveStateView Live { get; init; }
    [Inject] public required IInventoryProvider Inventory { get; init; }
    [Inject] public required TimeProvider Time { get; init; }

    private FleetViewModel Model { get; set; } = null!;

    protected override void OnInitialized()
    {
        Model = new FleetViewModel(Live, ReasonText.Berlin, Time);
        Model.Refresh(Inventory.Current);
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }

        // Subscribe only once the circuit is live: the prerendered instance never needs updates.
        _subscription = Live.Subscribe(OnLiveChanged);
        Inventory.Changed += OnInventoryChanged;
        _interactive = true;
        Model.Refresh(Inventory.Current);
        StateHasChanged();
    }

    private void OnLiveChanged(IReadOnlyCollection<EntityRef> changed) => _ = InvokeAsync(() =>
    {
        Model.Refresh(Inventory.Current);
        StateHasChanged();
    });

    private void OnInventoryChanged(object? sender, InventoryChangedEventArgs e) => OnLiveChanged([]);

    public void Dispose()
    {
        _subscription?.Dispose();
        Inventory.Changed -= OnInventoryChanged;
    }
}
