using Microsoft.AspNetCore.Components;
using NetOps.Core.Inventory;
using NetOps.Core.Security;
using NetOps.Core.State;
using NetOps.Inventory;

namespace NetOps.Web.Components.Pages;

/// <summary>
/// A page that shows the process's live view, the one mechanism every page uses: it subscribes once the circuit is
/// interactive (the prerendered instance never needs updates), gets the view's coalesced batches of changed entities
/// and inventory reloads on the renderer's context, re-renders, and stops with the component (subscription, handler,
/// <see cref="CancellableComponent.DisposalToken"/>). It shows only what the login may see (<see cref="NetOpsClaims.ScopeOf"/>):
/// a coordinator's pages read a scoped inventory and scoped states, and a change outside the scope never reaches them.
/// </summary>
public abstract class LivePage : ViewerComponent
{
    private IDisposable? _subscription;
    private IStateReader? _live;

    [Inject] public required LiveStateView View { get; init; }
    [Inject] public required IInventoryProvider Inventory { get; init; }
    [Inject] public required TimeProvider Time { get; init; }

    /// <summary>The live states this login may see.</summary>
    protected IStateReader Live => _live ??= ScopedStateReader.For(View, Scope, () => Inventory.Current, Time);

    /// <summary>The inventory in force as this login may see it.</summary>
    protected FleetInventory Fleet => Inventory.Current.ScopedTo(Scope, Time.GetUtcNow());

    /// <summary>True once the circuit is live; browser tests wait for it (data-interactive).</summary>
    protected bool Interactive { get; private set; }

    /// <summary>Rebuilds the page's view model from the live view and the inventory in force.</summary>
    protected abstract void Refresh();

    /// <summary>
    /// The live view changed these entities: bring the page up to date and say whether its markup must render again.
    /// By default everything is rebuilt and rendered; a page that updates in place (topology) or watches few entities
    /// (detail) does less.
    /// </summary>
    protected virtual bool Apply(IReadOnlyCollection<EntityRef> changed)
    {
        Refresh();
        return true;
    }

    /// <summary>The first interactive render: by default a fresh <see cref="Refresh()"/>; a page that needs the browser starts here.</summary>
    protected virtual Task StartAsync(CancellationToken cancellationToken)
    {
        Refresh();
        return Task.CompletedTask;
    }

    /// <summary>The inventory was reloaded: by default a <see cref="Refresh()"/>.</summary>
    protected virtual Task ReloadAsync(FleetInventory inventory, CancellationToken cancellationToken)
    {
        Refresh();
        return Task.CompletedTask;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender || IsDisposed)
        {
            return;
        }

        // Subscribe first, then read: a change in between is applied twice, never missed.
        _subscription = View.Subscribe(OnLiveChanged);
        Inventory.Changed += OnInventoryChanged;
        await StartAsync(DisposalToken);
        Interactive = true;
        StateHasChanged();
    }

    private void OnLiveChanged(IReadOnlyCollection<EntityRef> changed)
    {
        if (Live is ScopedStateReader scoped)
        {
            changed = scoped.Filter(changed);
        }

        if (IsDisposed || changed.Count == 0)
        {
            return;
        }

        _ = InvokeAsync(() =>
        {
            if (!IsDisposed && Apply(changed))
            {
                StateHasChanged();
            }
        });
    }

    private void OnInventoryChanged(object? sender, InventoryChangedEventArgs e)
    {
        if (IsDisposed)
        {
            return;
        }

        _ = InvokeAsync(async () =>
        {
            if (IsDisposed)
            {
                return;
            }

            await ReloadAsync(e.Current.ScopedTo(Scope, Time.GetUtcNow()), DisposalToken);
            StateHasChanged();
        });
    }

    protected override void Dispose(bool disposing)
    {
        _subscription?.Dispose();
        Inventory.Changed -= OnInventoryChanged;
        base.Dispose(disposing);
    }
}
