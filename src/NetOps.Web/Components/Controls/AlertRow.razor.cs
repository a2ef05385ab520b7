using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using NetOps.Core.Alerts;
using NetOps.Core.State;
using NetOps.Web.Presentation;

namespace NetOps.Web.Components.Controls;

/// <summary>
/// One alert: severity, rule, subject (linked to its page), summary, affected, since, status, acknowledgement; with a book
/// to act on, the Acknowledge and Silence forms, named by the logged-in account (without a login, by the name the person
/// types, which this browser remembers for the next form).
/// </summary>
public sealed partial class AlertRow : CancellableComponent
{
    /// <summary>The silence lengths the form offers: an evening's work, a shift, a day.</summary>
    private static readonly (string Key, string Label, TimeSpan Length)[] Durations =
        [("1h", "1 hour", TimeSpan.FromHours(1)), ("4h", "4 hours", TimeSpan.FromHours(4)), ("24h", "24 hours", TimeSpan.FromHours(24))];

    private Form _form;
    private string _by = "";
    private string? _account;
    private bool _mayAcknowledge = true;
    private string _comment = "";
    private string _matchers = "";
    private string _duration = Durations[0].Key;
    private string? _error;
    private bool _busy;

    private enum Form
    {
        None,
        Acknowledge,
        Silence,
    }

    [Parameter, EditorRequired] public required Alert Alert { get; set; }

    /// <summary>The book to acknowledge and silence with; without one (the history) the row only shows.</summary>
    [Parameter] public IAlertBook? Book { get; set; }

    [Inject] public required IJSRuntime Js { get; init; }

    [CascadingParameter] public Task<AuthenticationState>? Authentication { get; set; }
    [Inject] public required TimeProvider Time { get; init; }

    private static ReasonText Text => ReasonText.Berlin;

    private string Severity => AlertText.Severity(Alert.Severity);

    private string Status => AlertText.Status(Alert.Status);

    private async Task OpenAsync(Form form)
    {
        _form = form;
        _error = null;
        _comment = "";
        if (form == Form.Silence)
        {
            _matchers = $"{AlertLabels.Name}=\"{Alert.Rule}\"\n{AlertLabels.Subject}=\"{Alert.Subject}\"";
            _duration = Durations[0].Key;
        }

        (_account, _mayAcknowledge) = await Account.OfAsync(Authentication);
        if (_account is not null)
        {
            _by = _account;
        }
        else if (_by.Length == 0)
        {
            _by = await Js.InvokeAsync<string?>("netops.operator", DisposalToken) ?? "";
        }
    }

    private void Close()
    {
        _form = Form.None;
        _error = null;
    }

    private async Task AcknowledgeAsync()
    {
        if (Book is null || _busy)
        {
            return;
        }

        if (!_mayAcknowledge)
        {
            _error = "Your role may not acknowledge or silence alerts.";
            return;
        }

        if (string.IsNullOrWhiteSpace(_by))
        {
            _error = "Say who you are (name).";
            return;
        }

        await RunAsync(async () =>
        {
            var acknowledged = await Book.AcknowledgeAsync(Alert.Id, _by.Trim(), _comment.Trim(), DisposalToken);
            return acknowledged is null ? "This alert is no longer open." : null;
        });
    }

    private async Task SilenceAsync()
    {
        if (Book is null || _busy)
        {
            return;
        }

        if (!_mayAcknowledge)
        {
            _error = "Your role may not acknowledge or silence alerts.";
            return;
        }

        var matchers = new List<Matcher>();
        var problems = new List<string>();
        foreach (var line in _matchers.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Matcher.Parse(line, out var error) is { } matcher)
            {
                matchers.Add(matcher);
            }
            else
            {
                problems.Add(error!);
            }
        }

        if (problems.Count > 0)
        {
            _error = string.Join("; ", problems);
            return;
        }

        var length = Durations.First(d => d.Key == _duration).Length;
        await RunAsync(async () =>
        {
            var now = Time.GetUtcNow();
            await Book.SilenceAsync(new SilenceRequest(matchers, now, now + length, _by.Trim(), _comment.Trim()), DisposalToken);
            return null;
        });
    }

    /// <summary>Runs a command; the book's refusal (its message names the problem) stays on the form.</summary>
    private async Task RunAsync(Func<Task<string?>> command)
    {
        _busy = true;
        _error = null;
        try
        {
            _error = await command();
            if (_error is null)
            {
                _form = Form.None;
                await Js.InvokeVoidAsync("netops.setOperator", DisposalToken, _by.Trim());
            }
        }
        catch (AlertCommandException e)
        {
            _error = e.Message;
        }
        finally
        {
            _busy = false;
        }
    }
}
