using Microsoft.AspNetCore.Components;
using NetOps.Core.State;
using NetOps.Inventory;
using NetOps.Web.Presentation;
using NetOps.Web.ViewModels;

namespace NetOps.Web.Components.Pages;

/// <summary>
/// Coverage of an event for security coordinators: per zone, the mobile nodes deployed there and whether each camera
/// and sensor is connected, with the reason when it is not. Read-only and live.
/// </summary>
public sealed partial class Coverage : IDisposable
{
    private IDisposable? _subscription;
    private bool _interactive;

    [Parameter] public string? EventId { get; set; }

    [Inject] public required LiveStateView Live { get; init; }
    [Inject] public required IInventoryProvider Inventory { get; init; }
    [Inject] public required TimeProvider Time { get; init; }

    private ReasonText Text => ReasonText.Berlin;

    private CoverageViewModel Model { get; set; } = null!;

    protected override void OnInitialized() => Model = new CoverageViewModel(Live, Text, Time);

    protected override void OnParametersSet() => Model.Refresh(Inventory.Current, EventId);

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
        Model.Refresh(Inventory.Current, EventId);
        StateHasChanged();
    }

    private void OnLiveChanged(IReadOnlyCollection<EntityRef> changed) => _ = InvokeAsync(() =>
    {
        Model.Refresh(Inventory.Current, EventId);
        StateHasChanged();
    });

    private void OnInventoryChanged(object? sender, InventoryChangedEventArgs e) => OnLiveChanged([]);

    public void Dispose()
    {
        _subscription?.Dispose();
        Inventory.Changed -= OnInventoryChanged;
    }
}
