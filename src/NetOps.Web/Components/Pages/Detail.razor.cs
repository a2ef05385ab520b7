using Microsoft.AspNetCore.Components;
using NetOps.Core.State;
using NetOps.Web.Presentation;
using NetOps.Web.ViewModels;

namespace NetOps.Web.Components.Pages;

/// <summary>Detail of a device (/devices/{id}), a link (/links/{id}) or a MOGLI node (/nodes/{id}), live.</summary>
public sealed partial class Detail : LivePage
{
    private DetailViewModel _model = null!;
    private IDisposable? _recorded;

    /// <summary>The state changes kept in the operational database: the page's "last changes" outlive any restart.</summary>
    [Inject] public required IStateHistory History { get; init; }

    [Parameter] public string? DeviceId { get; set; }
    [Parameter] public string? LinkId { get; set; }
    [Parameter] public string? NodeId { get; set; }

    /// <summary>The chart range to open with: 1h, 6h, 24h, 7d or a time span.</summary>
    [SupplyParameterFromQuery(Name = "range")] public string? Range { get; set; }

    private DetailKind Kind => DeviceId is not null ? DetailKind.Device : LinkId is not null ? DetailKind.Link : DetailKind.Node;

    private string Id => DeviceId ?? LinkId ?? NodeId ?? "";

    protected override void OnInitialized() => _model = new DetailViewModel(Live, History, ReasonText.Berlin);

    [Inject] public required NavigationManager Navigation { get; init; }

    protected override async Task OnParametersSetAsync()
    {
        Refresh();
        if (!_model.Found)
        {
            // 404, the same for an id that does not exist and one outside the login's scope: a coordinator learns nothing
            // of the rest of the network from the answer.
            Navigation.NotFound();
            return;
        }

        await _model.LoadChangesAsync(DisposalToken);
    }

    protected override void Refresh() => _model.Load(Kind, Id, Fleet, Time.GetUtcNow());

    protected override async Task StartAsync(CancellationToken cancellationToken)
    {
        // A change reaches the live view before the recorder has stored it: the list is re-read once it is stored.
        _recorded = History.Subscribe(OnRecorded);
        Refresh();
        await _model.LoadChangesAsync(cancellationToken);
    }

    /// <summary>Only a change of what the page shows (the entity, its ports, links and related entities) reloads it.</summary>
    protected override bool Apply(IReadOnlyCollection<EntityRef> changed)
    {
        if (!changed.Any(_model.Watched.Contains))
        {
            return false;
        }

        Refresh();
        return true;
    }

    private void OnRecorded(IReadOnlyCollection<EntityRef> entities)
    {
        if (IsDisposed || !entities.Any(_model.Watched.Contains))
        {
            return;
        }

        _ = InvokeAsync(async () =>
        {
            try
            {
                await _model.LoadChangesAsync(DisposalToken);
                StateHasChanged();
            }
            catch (OperationCanceledException) when (DisposalToken.IsCancellationRequested)
            {
                // The page closed while reading.
            }
        });
    }

    protected override void Dispose(bool disposing)
    {
        _recorded?.Dispose();
        base.Dispose(disposing);
    }
}
