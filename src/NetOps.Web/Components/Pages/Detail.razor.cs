using Microsoft.AspNetCore.Components;
using NetOps.Core.State;
using NetOps.Web.History;
using NetOps.Web.Presentation;
using NetOps.Web.ViewModels;

namespace NetOps.Web.Components.Pages;

/// <summary>Detail of a device (/devices/{id}), a link (/links/{id}) or a MOGLI node (/nodes/{id}), live.</summary>
public sealed partial class Detail : LivePage
{
    private DetailViewModel _model = null!;

    [Inject] public required StateChangeLog Changes { get; init; }

    [Parameter] public string? DeviceId { get; set; }
    [Parameter] public string? LinkId { get; set; }
    [Parameter] public string? NodeId { get; set; }

    /// <summary>The chart range to open with: 1h, 6h, 24h, 7d or a time span.</summary>
    [SupplyParameterFromQuery(Name = "range")] public string? Range { get; set; }

    private DetailKind Kind => DeviceId is not null ? DetailKind.Device : LinkId is not null ? DetailKind.Link : DetailKind.Node;

    private string Id => DeviceId ?? LinkId ?? NodeId ?? "";

    protected override void OnInitialized() => _model = new DetailViewModel(Live, Changes, ReasonText.Berlin);

    protected override void OnParametersSet() => Refresh();

    protected override void Refresh() => _model.Load(Kind, Id, Inventory.Current, Time.GetUtcNow());

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
}
