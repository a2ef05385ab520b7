using NetOps.Core.Security;

namespace NetOps.Web.ViewModels;

/// <summary>One page of the audit log for the <c>/audit</c> page: the filter, the entries, whether there are newer and older pages.</summary>
public sealed class AuditViewModel(IAuditLog log)
{
    /// <summary>Entries per page.</summary>
    public const int PageSize = 50;

    /// <summary>How far back paging goes; older entries are reached with the API's time range.</summary>
    public const int LastPage = 200;

    /// <summary>The actions offered in the filter.</summary>
    public static IReadOnlyList<string> Actions { get; } =
    [
        AuditActions.Login, AuditActions.LoginFailed, AuditActions.LoginLocked, AuditActions.Logout, AuditActions.PasswordChanged,
        AuditActions.PasswordChangeFailed, AuditActions.AccountCreated, AuditActions.AccountRemoved, AuditActions.TokenCreated,
        AuditActions.TokenRevoked, AuditActions.TokenUsed, AuditActions.Simulator, AuditActions.Acknowledged, AuditActions.SilenceCreated,
        AuditActions.SilenceExpired, AuditActions.EventPhase, AuditActions.EventSaved, AuditActions.EventDeleted,
    ];

    public string? Actor { get; private set; }

    public string? Action { get; private set; }

    public int Page { get; private set; } = 1;

    public IReadOnlyList<AuditEvent> Entries { get; private set; } = [];

    public bool HasOlder { get; private set; }

    /// <summary>Reads page <paramref name="page"/> (1 is the newest) of the entries of <paramref name="actor"/> and <paramref name="action"/>, when given.</summary>
    public async Task LoadAsync(string? actor, string? action, int? page, CancellationToken cancellationToken)
    {
        Actor = string.IsNullOrWhiteSpace(actor) ? null : actor.Trim();
        Action = string.IsNullOrWhiteSpace(action) ? null : action.Trim();
        Page = Math.Clamp(page ?? 1, 1, LastPage);
        // One more than a page tells whether an older page exists.
        var entries = await log.ReadAsync(new AuditQuery(Actor, Action, Limit: PageSize + 1, Skip: (Page - 1) * PageSize), cancellationToken);
        HasOlder = entries.Count > PageSize && Page < LastPage;
        Entries = [.. entries.Take(PageSize)];
    }

    /// <summary>The page's address with this filter.</summary>
    public string Link(int page)
    {
        var query = new List<string>();
        if (Actor is not null)
        {
            query.Add("actor=" + Uri.EscapeDataString(Actor));
        }

        if (Action is not null)
        {
            query.Add("action=" + Uri.EscapeDataString(Action));
        }

        if (page > 1)
        {
            query.Add("page=" + page.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return "audit" + (query.Count == 0 ? "" : "?" + string.Join('&', query));
    }
}
