using NetOps.Core.Alerts;

namespace NetOps.Alerting;

/// <summary>What people do to alerts: acknowledge, silence, expire a silence. Each is saved with its audit line before it shows.</summary>
public sealed partial class AlertBook
{
    /// <summary>A silence longer than this is a mistake more often than a plan; maintenance windows cover the long ones.</summary>
    private static readonly TimeSpan LongestSilence = TimeSpan.FromDays(30);

    public async Task<Alert?> AcknowledgeAsync(string id, string by, string? comment, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(by))
        {
            throw new AlertCommandException("an acknowledgement needs who acknowledged (by)");
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow();
            var alert = _alerts.Values.FirstOrDefault(a => a.Id == id);
            if (alert is null)
            {
                return null;
            }

            if (!alert.IsOpen)
            {
                throw new AlertCommandException($"alert {id} is resolved; there is nothing to acknowledge");
            }

            var step = new Step(now, _inventory.Current.Alerting);
            var acknowledged = alert with
            {
                Status = AlertStatus.Acknowledged,
                Acknowledgement = new Acknowledgement(by, now, string.IsNullOrWhiteSpace(comment) ? null : comment),
                UpdatedAt = now,
            };
            Put(step, acknowledged);
            step.Audit.Add(new AuditEntry(now, by, "acknowledged", id, comment ?? ""));
            await SaveAsync(step, cancellationToken).ConfigureAwait(false);
            return acknowledged;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<Silence> SilenceAsync(SilenceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = _time.GetUtcNow();
        var problems = new List<string>();
        if (request.Matchers.Count == 0)
        {
            problems.Add("a silence needs at least one matcher");
        }

        problems.AddRange(request.Matchers.Select(m => m.Validate()).OfType<string>());
        if (request.EndsAt <= request.StartsAt)
        {
            problems.Add("endsAt must be after startsAt");
        }
        else if (request.EndsAt <= now)
        {
            problems.Add("endsAt is in the past");
        }
        else if (request.EndsAt - request.StartsAt > LongestSilence)
        {
            problems.Add($"a silence lasts at most {LongestSilence.TotalDays} days; use a maintenance window for longer");
        }

        if (string.IsNullOrWhiteSpace(request.CreatedBy))
        {
            problems.Add("createdBy is required");
        }

        if (string.IsNullOrWhiteSpace(request.Comment))
        {
            problems.Add("a comment is required: say why");
        }

        if (problems.Count > 0)
        {
            throw new AlertCommandException(string.Join("; ", problems));
        }

        var silence = new Silence(Guid.NewGuid().ToString(), request.Matchers, request.StartsAt < now ? now : request.StartsAt, request.EndsAt,
            request.CreatedBy, request.Comment, now);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var step = new Step(now, _inventory.Current.Alerting);
            step.Silences.Add(silence);
            step.Audit.Add(new AuditEntry(now, request.CreatedBy, "silence created", silence.Id,
                $"{string.Join(", ", silence.Matchers)} until {silence.EndsAt:O}: {silence.Comment}"));
            await SaveAsync(step, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }

        Wake();
        return silence;
    }

    public async Task<Silence?> ExpireSilenceAsync(string id, string by, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(by))
        {
            throw new AlertCommandException("expiring a silence needs who expired it (by)");
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        Silence expired;
        try
        {
            if (!_silences.TryGetValue(id, out var silence))
            {
                return null;
            }

            var now = _time.GetUtcNow();
            if (silence.EndsAt <= now)
            {
                return silence;
            }

            expired = silence with { EndsAt = now, StartsAt = silence.StartsAt > now ? now : silence.StartsAt, ExpiredBy = by };
            var step = new Step(now, _inventory.Current.Alerting);
            step.Silences.Add(expired);
            step.Audit.Add(new AuditEntry(now, by, "silence expired", id, string.Join(", ", silence.Matchers)));
            await SaveAsync(step, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }

        Wake();
        return expired;
    }

    public Task<IReadOnlyList<Alert>> HistoryAsync(DateTimeOffset from, DateTimeOffset until, int limit, CancellationToken cancellationToken) =>
        _store.HistoryAsync(from, until, limit, cancellationToken);

    /// <summary>The newest audit lines, newest first.</summary>
    public Task<IReadOnlyList<AuditEntry>> AuditAsync(int limit, CancellationToken cancellationToken) => _store.AuditAsync(limit, cancellationToken);
}
