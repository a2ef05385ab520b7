using NetOps.Core.State;
using Microsoft.AspNetCore.Components;
using NetOps.Web.Presentation;
using NetOps.Web.ViewModels;

namespace NetOps.Web.Components.Pages;

/// <summary>
/// Coverage of an event for security coordinators: per zone, the mobile nodes deployed there and whether each camera
/// and sensor is connected, with the reason when it is not. Read-only and live.
/// </summary>
public sealed partial class Coverage : LivePage
{
    [Parameter] public string? EventId { get; set; }

    private ReasonText Text => ReasonText.Berlin;

    private CoverageViewModel Model { get; set; } = null!;

    protected override void OnInitialized() => Model = new CoverageViewModel(Live, Text, Time);

    [Inject] public required NavigationManager Navigation { get; init; }

    protected override void OnParametersSet()
    {
        Refresh();
        if (EventId is not null && Model.Event is null)
        {
            // An unknown event and another's event answer alike: 404.
            Navigation.NotFound();
        }
    }

    protected override void Refresh() => Model.Refresh(Fleet, EventId);
}
