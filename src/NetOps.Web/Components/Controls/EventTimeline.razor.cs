using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using NetOps.Core.State;
using NetOps.Inventory;
using NetOps.Web.ViewModels;

namespace NetOps.Web.Components.Controls;

/// <summary>
/// An event's coverage over its live time, per zone (share reachable) and per camera and sensor (its stretches), from the
/// recorded state history: it outlives a restart. Read before the first render completes (the prerendered page has it),
/// and again when the history records changes of the event's things, at most once per <see cref="Throttle"/>.
/// </summary>
public sealed partial class EventTimeline : ViewerComponent
{
    /// <summary>A burst of changes (a node's cameras all at once) is one read, and a flapping camera reads at most this often.</summary>
    private static readonly TimeSpan Throttle = TimeSpan.FromSeconds(3);

    private EventTimelineViewModel? _model;
    private IDisposable? _recorded;
    private int _pending;
    private DateTimeOffset _lastRead = DateTimeOffset.MinValue;

    [Parameter, EditorRequired] public required string EventId { get; set; }

    [Inject] public required IInventoryProvider Inventory { get; init; }
    [Inject] public required TimeProvider Time { get; init; }

    /// <summary>The state history is optional: a process without the operational database shows no timeline.</summary>
    [Inject] public required IServiceProvider Services { get; init; }

    private IStateHistory? History => Services.GetService<IStateHistory>();

    protected override void OnInitialized()
    {
        if (History is not { } history)
        {
            return;
        }

        _model = new EventTimelineViewModel(history, ReasonText.Berlin, Time);
        // Only the interactive instance listens (the prerendered one is gone once its markup is sent), and it listens
        // before its first read: a change stored meanwhile is read again, never missed.
        if (RendererInfo.IsInteractive)
        {
            _recorded = history.Subscribe(OnRecorded);
        }
    }

    protected override Task OnParametersSetAsync() => LoadAsync();

    private async Task LoadAsync()
    {
        if (_model is null)
        {
            return;
        }

        _lastRead = Time.GetUtcNow();
        try
        {
            await _model.LoadAsync(Inventory.Current.ScopedTo(Scope, _lastRead), EventId, DisposalToken);
        }
        catch (OperationCanceledException) when (DisposalToken.IsCancellationRequested)
        {
            // The page closed while reading.
        }
    }

    /// <summary>Called on the recorder's thread with each stored batch's entities.</summary>
    private void OnRecorded(IReadOnlyCollection<EntityRef> entities)
    {
        if (IsDisposed || _model is null || !entities.Any(_model.Watched.Contains) || Interlocked.Exchange(ref _pending, 1) == 1)
        {
            return;
        }

        _ = InvokeAsync(async () =>
        {
            try
            {
                var wait = _lastRead + Throttle - Time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, Time, DisposalToken);
                }

                // Changes stored from here on ask for another read.
                Volatile.Write(ref _pending, 0);
                await LoadAsync();
                if (!IsDisposed)
                {
                    StateHasChanged();
                }
            }
            catch (OperationCanceledException) when (DisposalToken.IsCancellationRequested)
            {
                // The page closed while waiting.
            }
        });
    }

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Percent(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    protected override void Dispose(bool disposing)
    {
        _recorded?.Dispose();
        base.Dispose(disposing);
    }
}
