using Microsoft.AspNetCore.Components;
using NetOps.Core.Security;
using NetOps.Web.ViewModels;

namespace NetOps.Web.Components.Pages;

/// <summary>
/// The audit log for admins: who did what, when and from where, newest first, filtered by actor and action, a page at a
/// time. Not live: an audit is read, and reloading shows what came since.
/// </summary>
public sealed partial class Audit : ComponentBase
{
    private AuditViewModel? _model;
    private bool _loaded;

    [Inject] public required IServiceProvider Services { get; init; }

    [SupplyParameterFromQuery(Name = "actor")] public string? Actor { get; set; }

    [SupplyParameterFromQuery(Name = "action")] public string? Action { get; set; }

    [SupplyParameterFromQuery(Name = "page")] public int? PageNumber { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        // A web process always has the database (its logins live there); the message is for a process that would not.
        if (Services.GetService(typeof(IAuditLog)) is IAuditLog log)
        {
            _model ??= new AuditViewModel(log);
            await _model.LoadAsync(Actor, Action, PageNumber, CancellationToken.None);
        }

        _loaded = true;
    }
}
