using Microsoft.AspNetCore.Components;
using NetOps.Core.State;
using NetOps.Inventory;

namespace NetOps.Web.Components.Pages;

/// <summary>
/// A page that shows the process's live view: rebuilt by <see cref="Refresh"/> on every (coalesced) change and on
/// inventory reloads. It subscribes only once the circuit is interactive: the prerendered instance never needs updates.
/// </summary>
public abstract class LivePage : ComponentBase, IDisposable
{
    private IDisposable? _subscription;

    [Inject] public required LiveStateView Live { get; init; }
    [Inject] public required IInventoryProvider Inventory { get; init; }
    [Inject] public required TimeProvider Time { get; init; }

    /// <summary>True once the circuit is live; browser tests wait for it (data-interactive).</summary>
    protected bool Interactive { get; private set; }

    /// <summary>Rebuilds the page's view model from the live view and the inventory in force.</summary>
    protected abstract void Refresh();

    protected override void OnAfterRender(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }

        _subscription = Live.Subscribe(OnLiveChanged);
        Inventory.Changed += OnInventoryChanged;
        Interactive = true;
        Refresh();
        StateHasChanged();
    }

    private void OnLiveChanged(IReadOnlyCollection<EntityRef> changed) => _ = InvokeAsync(() =>
    {
        Refresh();
        StateHasChanged();
    });

    private void OnInventoryChanged(object? sender, InventoryChangedEventArgs e) => OnLiveChanged([]);

    public void Dispose()
    {
        _subscription?.Dispose();
        Inventory.Changed -= OnInventoryChanged;
        GC.SuppressFinalize(this);
    }
}
