using NetOps.Core.State;
using NetOps.Web.Presentation;
using NetOps.Web.ViewModels;

namespace NetOps.Web.Components.Pages;

/// <summary>The overview: every device, link and mobile node with its state and reason, live.</summary>
public sealed partial class Home : LivePage
{
    private FleetViewModel Model { get; set; } = null!;

    protected override void OnInitialized()
    {
        Model = new FleetViewModel(Live, ReasonText.Berlin, Time);
        Model.Refresh(Fleet);
    }

    protected override void Refresh() => Model.Refresh(Fleet);
}
