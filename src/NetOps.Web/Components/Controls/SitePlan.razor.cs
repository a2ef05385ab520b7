using System.Globalization;
using Microsoft.AspNetCore.Components;
using NetOps.Web.Presentation;
using NetOps.Web.ViewModels;

namespace NetOps.Web.Components.Controls;

/// <summary>An event's site plan as inline SVG; re-rendered with its page, so it follows the live state.</summary>
public sealed partial class SitePlan : ComponentBase
{
    [Parameter, EditorRequired] public required SitePlanView Plan { get; set; }

    [Inject] public required PlanImages Images { get; init; }

    private string? ImageUri => Images.DataUri(Plan.ImagePath);

    private static string Css<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();

    private static string Number(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
