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

    protected override void OnParametersSet() => Refresh();

    protected override void Refresh() => Model.Refresh(Inventory.Current, EventId);
}
