using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using NetOps.Core.Alerts;
using NetOps.Core.State;
using NetOps.Web.ViewModels;

namespace NetOps.Web.Components.Pages;

/// <summary>
/// The alerts page: firing, acknowledged and silenced alerts, silences, the last day's history, receivers (a failing one
/// as a banner on top) and the audit trail, live. Where alerting runs in another process it says so.
/// </summary>
public sealed partial class Alerts : AlertsComponent
{
    private AlertsViewModel? _model;
    private string? _expiring;
    private string _expireBy = "";
    private string? _account;
    private bool _mayAcknowledge = true;
    private string? _expireError;

    [Inject] public required IJSRuntime Js { get; init; }

    [CascadingParameter] public Task<AuthenticationState>? Authentication { get; set; }

    protected override async Task OnInitializedAsync()
    {
        if (Book is null)
        {
            return;
        }

        _model = new AlertsViewModel(Book, ReasonText.Berlin, Time);
        _model.Load();
        await _model.LoadStoredAsync(DisposalToken);
    }

    protected override async Task RefreshAsync(IAlertBook book, CancellationToken cancellationToken)
    {
        if (_model is null)
        {
            return;
        }

        _model.Load();
        await _model.LoadStoredAsync(cancellationToken);
    }

    private async Task StartExpireAsync(string id)
    {
        _expiring = id;
        _expireError = null;
        (_account, _mayAcknowledge) = await Account.OfAsync(Authentication);
        if (_account is not null)
        {
            _expireBy = _account;
        }
        else if (_expireBy.Length == 0)
        {
            _expireBy = await Js.InvokeAsync<string?>("netops.operator", DisposalToken) ?? "";
        }
    }

    private async Task ExpireAsync(string id)
    {
        if (Book is null)
        {
            return;
        }

        if (!_mayAcknowledge)
        {
            _expireError = "Your role may not expire silences.";
            return;
        }

        if (string.IsNullOrWhiteSpace(_expireBy))
        {
            _expireError = "Say who you are (name).";
            return;
        }

        try
        {
            _expireError = await Book.ExpireSilenceAsync(id, _expireBy.Trim(), DisposalToken) is null ? "This silence no longer exists." : null;
            _expiring = null;
            await Js.InvokeVoidAsync("netops.setOperator", DisposalToken, _expireBy.Trim());
        }
        catch (AlertCommandException e)
        {
            _expireError = e.Message;
        }
    }
}
