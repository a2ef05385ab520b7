using System.Threading.Channels;
using Microsoft.AspNetCore.Components;
using NetOps.Core.Alerts;
using NetOps.Inventory;

namespace NetOps.Web.Components;

/// <summary>
/// A component that shows the alert book (the part of it the login may see), the one mechanism the alerts page, the header count, a detail page's alerts
/// and the wall use. The book is optional: a process without the alerting role has none (<see cref="Book"/> is null) and
/// the component says so. With one, it subscribes once the circuit is interactive (the prerendered instance never needs
/// updates); the book's change signals are coalesced (one pending refresh at most) and throttled (one refresh per
/// <see cref="Throttle"/>), each refresh runs on the renderer's context and re-renders, and all of it stops with the component.
/// </summary>
public abstract class AlertsComponent : ViewerComponent
{
    /// <summary>A burst of changes (a cut that takes sites down behind it) is shown once, not once per step of the book.</summary>
    private static readonly TimeSpan Throttle = TimeSpan.FromMilliseconds(200);

    private readonly Channel<bool> _changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    private IDisposable? _subscription;
    private bool _resolved;
    private IAlertBook? _book;

    [Inject] public required IServiceProvider Services { get; init; }
    [Inject] public required IInventoryProvider Inventory { get; init; }
    [Inject] public required TimeProvider Time { get; init; }
    [Inject] public required ILogger<AlertsComponent> Logger { get; init; }

    /// <summary>The alert book when this process runs alerting; null where alerting runs in another process.</summary>
    protected IAlertBook? Book
    {
        get
        {
            if (!_resolved)
            {
                // A coordinator's components read the alerts of their events only.
                _book = Services.GetService<IAlertBook>() is { } book ? ScopedAlertBook.For(book, Scope, () => Inventory.Current, Time) : null;
                _resolved = true;
            }

            return _book;
        }
    }

    /// <summary>True once the circuit is live; browser tests wait for it (data-interactive).</summary>
    protected bool Interactive { get; private set; }

    /// <summary>Brings the component up to date with the book (after a change, and once the circuit is live). Only called with a book.</summary>
    protected virtual Task RefreshAsync(IAlertBook book, CancellationToken cancellationToken) => Task.CompletedTask;

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender || IsDisposed)
        {
            return;
        }

        if (Book is { } book)
        {
            // Subscribe first, then read: a change in between is shown twice, never missed.
            _subscription = book.Subscribe(() => _changed.Writer.TryWrite(true));
            _ = FollowAsync(book);
            await RefreshAsync(book, DisposalToken);
        }

        Interactive = true;
        StateHasChanged();
    }

    /// <summary>One refresh at a time, at most one per <see cref="Throttle"/>; changes meanwhile wait as one.</summary>
    private async Task FollowAsync(IAlertBook book)
    {
        try
        {
            while (await _changed.Reader.WaitToReadAsync(DisposalToken))
            {
                _changed.Reader.TryRead(out _);
                try
                {
                    await InvokeAsync(async () =>
                    {
                        if (IsDisposed)
                        {
                            return;
                        }

                        await RefreshAsync(book, DisposalToken);
                        StateHasChanged();
                    });
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The next change tries again; the component keeps showing what it had.
                    Logger.LogWarning(e, "Showing the alert book's changes failed in {Component}", GetType().Name);
                }

                await Task.Delay(Throttle, Time, DisposalToken);
            }
        }
        catch (OperationCanceledException) when (IsDisposed)
        {
            // The component is gone.
        }
    }

    protected override void Dispose(bool disposing)
    {
        _subscription?.Dispose();
        _changed.Writer.TryComplete();
        base.Dispose(disposing);
    }
}
