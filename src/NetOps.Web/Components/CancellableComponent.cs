using Microsoft.AspNetCore.Components;

namespace NetOps.Web.Components;

/// <summary>
/// A component whose I/O stops with it: <see cref="DisposalToken"/> is cancelled when the component is disposed (the
/// user navigated away, the circuit closed), so a store query or a JS call it started does not outlive it.
/// </summary>
public abstract class CancellableComponent : ComponentBase, IDisposable
{
    private readonly CancellationTokenSource _disposal = new();

    /// <summary>Cancelled in <see cref="Dispose()"/>: pass it to every call that does I/O.</summary>
    protected CancellationToken DisposalToken => _disposal.Token;

    /// <summary>True once disposed: late callbacks (a live view, a timer) do nothing.</summary>
    protected bool IsDisposed => _disposal.IsCancellationRequested;

    public void Dispose()
    {
        if (_disposal.IsCancellationRequested)
        {
            return;
        }

        // Cancelled, not disposed: a continuation still running may read the token after this.
        _disposal.Cancel();
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what a derived component holds (subscriptions, event handlers).</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}
