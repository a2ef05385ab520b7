using System.Collections.Immutable;
using System.Globalization;
using NetOps.Core.Alerts;

namespace NetOps.Alerting;

/// <summary>The life of each alert, one step at a time: fire, update, resolve, re-open, mute, repeat, escalate, notify.</summary>
public sealed partial class AlertBook
{
    private const string Actor = "netops";

    private void Advance(Step step, Evaluation evaluation)
    {
        var now = step.Now;
        var timing = step.Policy.Timing;

        foreach (var condition in evaluation.Holding.Values)
        {
            var fingerprint = condition.Fingerprint;
            if (condition.Behind is not null)
            {
                // A symptom of an outage further up: its hold-down starts over once it stands on its own.
                _pending.Remove(fingerprint);
                continue;
            }

            if (!_pending.TryGetValue(fingerprint, out var since))
            {
                _pending[fingerprint] = since = now;
            }

            var existing = Current(step, fingerprint);
            if (existing is { IsOpen: true })
            {
                var refreshed = existing with
                {
                    Labels = condition.Labels,
                    Annotations = AnnotationsOf(condition),
                    Affected = condition.Affected,
                    Severity = condition.Rule.Severity,
                };
                if (!refreshed.Labels.SequenceEqual(existing.Labels) || !refreshed.Annotations.SequenceEqual(existing.Annotations) ||
                    !refreshed.Affected.SequenceEqual(existing.Affected) || refreshed.Severity != existing.Severity)
                {
                    Put(step, refreshed with { UpdatedAt = now });
                }

                continue;
            }

            if (now - since < condition.Rule.For)
            {
                continue;
            }

            Alert fired;
            if (existing is { EndsAt: { } ended } && ended >= now - timing.ReopenGrace)
            {
                fired = existing with
                {
                    Status = AlertStatus.Firing,
                    EndsAt = null,
                    UpdatedAt = now,
                    Reopened = existing.Reopened + 1,
                    Acknowledgement = null,
                    EscalatedAt = null,
                    Severity = condition.Rule.Severity,
                    Labels = condition.Labels,
                    Annotations = AnnotationsOf(condition),
                    Affected = condition.Affected,
                };
                step.Audit.Add(new AuditEntry(now, Actor, "reopened", fired.Id, fired.Summary ?? ""));
            }
            else
            {
                fired = new Alert(fingerprint + "-" + since.ToUnixTimeMilliseconds().ToString("x", CultureInfo.InvariantCulture), condition.Rule.Name,
                    condition.Subject, condition.Rule.Severity, AlertStatus.Firing, since, null, now)
                {
                    Labels = condition.Labels,
                    Annotations = AnnotationsOf(condition),
                    Affected = condition.Affected,
                };
                step.Audit.Add(new AuditEntry(now, Actor, "fired", fired.Id, fired.Summary ?? ""));
            }

            Transition(fingerprint, now, step.Policy.Flap);
            Put(step, fired);
            Queue(step, NotificationKind.Firing, fired);
        }

        foreach (var alert in Known(step).Where(a => a.IsOpen).ToList())
        {
            var fingerprint = alert.Fingerprint;
            if (evaluation.Holding.ContainsKey(fingerprint) || evaluation.Undetermined.Contains(fingerprint))
            {
                continue;
            }

            var resolved = alert with { Status = AlertStatus.Resolved, EndsAt = now, UpdatedAt = now };
            step.Audit.Add(new AuditEntry(now, Actor, "resolved", alert.Id, alert.Summary ?? ""));
            Transition(fingerprint, now, step.Policy.Flap);
            Put(step, resolved);
            Queue(step, NotificationKind.Resolved, resolved);
        }

        foreach (var gone in _pending.Keys.Where(k => !evaluation.Holding.ContainsKey(k)).ToList())
        {
            _pending.Remove(gone);
        }

        Mute(step);
        RepeatAndEscalate(step);
        Flush(step);
        Refresh(step);

        foreach (var alert in Known(step).Where(a => !a.IsOpen && a.EndsAt < now - timing.ReopenGrace && !a.Flapping).ToList())
        {
            if (_outbox.All(o => o.Fingerprint != alert.Fingerprint))
            {
                step.Forget.Add(alert.Fingerprint);
                _transitions.Remove(alert.Fingerprint);
            }
        }
    }

    /// <summary>Silences, maintenance windows and flap damping: whether each alert's changes reach anyone now.</summary>
    private void Mute(Step step)
    {
        var now = step.Now;
        var windows = step.Policy.Maintenance;
        foreach (var alert in Known(step).ToList())
        {
            var silence = _silences.Values.FirstOrDefault(s => s.Silences(alert, now));
            var window = windows.FirstOrDefault(w => Maintenance.IsOpen(w, now) && Matcher.All(w.Matchers, alert.Labels));
            var flapping = Flapping(alert, now, step.Policy.Flap);
            if (silence?.Id == alert.SilencedBy && window?.Id == alert.InMaintenance && flapping == alert.Flapping)
            {
                continue;
            }

            var muted = alert with { SilencedBy = silence?.Id, InMaintenance = window?.Id, Flapping = flapping };
            Put(step, muted);
            if (!alert.Flapping && flapping)
            {
                step.Audit.Add(new AuditEntry(now, Actor, "flapping", alert.Id, "changed state too often; notifications held until it is stable"));
                Queue(step, NotificationKind.Flapping, muted);
            }
            else if (alert.Flapping && !flapping)
            {
                // Stable again: the changes that made it flap are history, and count no more.
                _transitions.Remove(alert.Fingerprint);
                step.Audit.Add(new AuditEntry(now, Actor, "stable", alert.Id, "stable again"));
                Queue(step, muted.IsOpen ? NotificationKind.Firing : NotificationKind.Resolved, muted);
            }

            if (!alert.Notifies && muted.Notifies && muted.IsOpen && muted.LastNotifiedAt is null)
            {
                // Silenced or in maintenance when it fired, still firing when that ended: now it is news.
                Queue(step, NotificationKind.Firing, muted);
            }
        }
    }

    private void RepeatAndEscalate(Step step)
    {
        var now = step.Now;
        var timing = step.Policy.Timing;
        foreach (var alert in Known(step).Where(a => a.Status == AlertStatus.Firing).ToList())
        {
            if (alert.Notifies && alert.LastNotifiedAt is { } told && now - told >= timing.RepeatInterval &&
                _outbox.Concat(step.Queued).All(o => o.Fingerprint != alert.Fingerprint))
            {
                Queue(step, NotificationKind.Repeat, alert);
            }

            if (alert.Severity == AlertSeverity.Critical && alert.EscalatedAt is null && now - alert.StartsAt >= timing.EscalateAfter &&
                alert.SilencedBy is null && alert.InMaintenance is null)
            {
                var escalated = alert with { EscalatedAt = now, UpdatedAt = now };
                step.Audit.Add(new AuditEntry(now, Actor, "escalated",
                    alert.Id, $"not acknowledged within {timing.EscalateAfter.TotalMinutes.ToString(CultureInfo.InvariantCulture)} minutes"));
                Put(step, escalated);
                Queue(step, NotificationKind.Escalation, escalated);
            }
        }
    }

    /// <summary>
    /// Groups whose first change waited <see cref="AlertTiming.GroupWait"/> go out: one notification per group and
    /// receiver, holding each alert as it is now. What is muted now, or resolved without ever having been told, is dropped.
    /// </summary>
    private void Flush(Step step)
    {
        var now = step.Now;
        var wait = step.Policy.Timing.GroupWait;
        var waiting = _outbox.Concat(step.Queued).ToList();
        foreach (var group in waiting.GroupBy(o => (o.Kind, o.GroupKey)))
        {
            if (now - group.Min(o => o.At) < wait)
            {
                continue;
            }

            var alerts = new List<Alert>();
            foreach (var fingerprint in group.Select(o => o.Fingerprint).Distinct(StringComparer.Ordinal))
            {
                if (Current(step, fingerprint) is { } alert && Tells(group.Key.Kind, alert))
                {
                    alerts.Add(alert);
                }
            }

            foreach (var outgoing in group)
            {
                if (!step.Queued.Remove(outgoing))
                {
                    step.Sent.Add(outgoing);
                }
            }

            if (alerts.Count == 0)
            {
                continue;
            }

            var told = alerts.Select(a => a with { LastNotifiedAt = now }).ToList();
            foreach (var alert in told)
            {
                Put(step, alert);
            }

            foreach (var receiver in _dispatcher.RoutesFor(group.Key.Kind))
            {
                step.Notifications.Add(new Notification(0, receiver, group.Key.GroupKey, group.Key.Kind, told, now) { NextAttemptAt = now });
            }
        }
    }

    /// <summary>Receivers that forget (Alertmanager) are told every open alert again, acknowledged and muted ones too.</summary>
    private void Refresh(Step step)
    {
        foreach (var (receiver, every) in _dispatcher.Refreshes)
        {
            if (_refreshed.TryGetValue(receiver, out var last) && step.Now - last < every)
            {
                continue;
            }

            _refreshed[receiver] = step.Now;
            var open = Known(step).Where(a => a.IsOpen && a.LastNotifiedAt is not null).ToList();
            if (open.Count > 0)
            {
                step.Notifications.Add(new Notification(0, receiver, "{}", NotificationKind.Repeat, open, step.Now) { NextAttemptAt = step.Now });
            }
        }
    }

    private static bool Tells(NotificationKind kind, Alert alert) => kind switch
    {
        NotificationKind.Firing or NotificationKind.Repeat => alert.IsOpen && alert.Notifies,
        NotificationKind.Resolved => !alert.IsOpen && alert.Notifies && alert.LastNotifiedAt is not null,
        NotificationKind.Escalation => alert.Status == AlertStatus.Firing && alert.SilencedBy is null && alert.InMaintenance is null,
        NotificationKind.Flapping => alert.SilencedBy is null && alert.InMaintenance is null,
        _ => false,
    };

    private void Queue(Step step, NotificationKind kind, Alert alert) =>
        step.Queued.Add(new Outgoing(kind, alert.Fingerprint, GroupKeyOf(alert, step.Policy.Timing), step.Now));

    /// <summary>Alertmanager's group key form: the group-by labels, e.g. <c>{alertname="LinkDown",subject="link:core-acc-nord"}</c>.</summary>
    private static string GroupKeyOf(Alert alert, AlertTiming timing) =>
        "{" + string.Join(",", timing.GroupBy.Select(l => $"{l}=\"{alert.Labels.GetValueOrDefault(l, "")}\"")) + "}";

    /// <summary>Records a fire or resolve of a subject for flap damping, keeping only the changes within the window.</summary>
    private void Transition(string fingerprint, DateTimeOffset now, FlapDamping flap)
    {
        if (!_transitions.TryGetValue(fingerprint, out var times))
        {
            _transitions[fingerprint] = times = new Queue<DateTimeOffset>();
        }

        times.Enqueue(now);
        while (times.Count > 0 && times.Peek() < now - flap.Within)
        {
            times.Dequeue();
        }
    }

    /// <summary>Flapping once it changed more than the damping allows within its window; stable once it kept still long enough.</summary>
    private bool Flapping(Alert alert, DateTimeOffset now, FlapDamping flap)
    {
        if (!_transitions.TryGetValue(alert.Fingerprint, out var times) || times.Count == 0)
        {
            return alert.Flapping && alert.UpdatedAt > now - flap.StableFor;
        }

        var recent = times.Count(t => t >= now - flap.Within);
        var last = times.Max();
        return alert.Flapping ? now - last < flap.StableFor : recent > flap.Changes;
    }

    private Alert? Current(Step step, string fingerprint) =>
        step.Alerts.TryGetValue(fingerprint, out var changed) ? changed : _alerts.GetValueOrDefault(fingerprint);

    /// <summary>Every alert the book holds, as changed by this step so far.</summary>
    private IEnumerable<Alert> Known(Step step) =>
        _alerts.Values.Where(a => !step.Alerts.ContainsKey(a.Fingerprint)).Concat(step.Alerts.Values);

    private static void Put(Step step, Alert alert) => step.Alerts[alert.Fingerprint] = alert;

    private static ImmutableSortedDictionary<string, string> AnnotationsOf(Condition condition)
    {
        var annotations = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        annotations[AlertAnnotations.Summary] = condition.Summary;
        if (condition.AffectedText is { } affected)
        {
            annotations[AlertAnnotations.Affected] = affected;
            annotations[AlertAnnotations.Description] = condition.Summary + "; " + affected;
        }

        if (condition.Rule.Runbook is { } runbook)
        {
            annotations[AlertAnnotations.Runbook] = runbook;
        }

        return annotations.ToImmutable();
    }
}
