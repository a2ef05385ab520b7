using Microsoft.AspNetCore.Components;
using NetOps.Core.State;
using NetOps.Inventory;
using NetOps.Web.History;
using NetOps.Web.Presentation;
using NetOps.Web.ViewModels;

namespace NetOps.Web.Components.Pages;

/// <summary>Detail of a device (/devices/{id}), a link (/links/{id}) or a MOGLI node (/nodes/{id}), live.</summary>
public sealed partial class Detail : IDisposable
{
    private DetailViewModel _model = null!;
    private IDisposable? _subscription;
    private bool _interactive;

    [Inject] public required LiveStateView Live { get; init; }
    [Inject] public required IInventoryProvider Inventory { get; init; }
    [Inject] public required TimeProvider Time { get; init; }
    [Inject] public required IServiceProvider Services { get; init; }

    [Parameter] public string? DeviceId { get; set; }
    [Parameter] public string? LinkId { get; set; }
    [Parameter] public string? NodeId { get; set; }

    /// <summary>The chart range to open with: 1h, 6h, 24h, 7d or a time span.</summary>
    [SupplyParameterFromQuery(Name = "range")] public string? Range { get; set; }

    private DetailKind Kind => DeviceId is not null ? DetailKind.Device : LinkId is not null ? DetailKind.Link : DetailKind.Node;

    private string Id => DeviceId ?? LinkId ?? NodeId ?? "";

    protected override void OnInitialized()
    {
        _model = new DetailViewModel(Live, Services.GetService(typeof(StateChangeLog)) as StateChangeLog, ReasonText.Berlin);
    }

    protected override void OnParametersSet() => _model.Load(Kind, Id, Inventory.Current, Time.GetUtcNow());

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            _subscription = Live.Subscribe(OnLiveChanged);
            _interactive = true;
            StateHasChanged();
        }
    }

    private void OnLiveChanged(IReadOnlyCollection<EntityRef> changed)
    {
        if (changed.Any(_model.Watched.Contains))
        {
            _ = InvokeAsync(() =>
            {
                _model.Load(Kind, Id, Inventory.Current, Time.GetUtcNow());
                StateHasChanged();
            });
        }
    }

    public void Dispose() => _subscription?.Dispose();
}
