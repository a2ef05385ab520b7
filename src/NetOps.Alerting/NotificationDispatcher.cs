using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetOps.Alerting.Delivery;
using NetOps.Core.Alerts;

namespace NetOps.Alerting;

/// <summary>
/// Hands queued notifications to their receivers, in order per receiver. A receiver that fails keeps its notifications:
/// they are tried again with back-off (doubling from <see cref="AlertingOptions.RetryDelay"/> up to
/// <see cref="AlertingOptions.MaxRetryDelay"/>), and the failure shows on the alerts page and in /readyz.
/// </summary>
public sealed class NotificationDispatcher : BackgroundService
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);
    private const int Batch = 200;

    private readonly IAlertStore _store;
    private readonly Dictionary<string, IAlertReceiver> _receivers;
    private readonly AlertingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<NotificationDispatcher> _logger;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly ConcurrentDictionary<string, Delivered> _delivered = new(StringComparer.Ordinal);
    private IReadOnlyList<ReceiverHealth> _health;

    public NotificationDispatcher(IAlertStore store, IEnumerable<IAlertReceiver> receivers, IOptions<AlertingOptions> options, TimeProvider time,
        ILogger<NotificationDispatcher> logger)
    {
        _store = store;
        _receivers = receivers.ToDictionary(r => r.Name, StringComparer.Ordinal);
        _options = options.Value;
        _time = time;
        _logger = logger;
        _health = [.. _receivers.Values.Select(r => new ReceiverHealth(r.Name, r.Kind, 0, null, null, null))];
    }

    /// <summary>Raised when a receiver's health or backlog changed.</summary>
    public event Action? Changed;

    /// <summary>Every receiver with its backlog and last error.</summary>
    public IReadOnlyList<ReceiverHealth> Health => Volatile.Read(ref _health);

    /// <summary>
    /// The receivers a kind of notification goes to: escalations to the escalation receivers (to all when none is
    /// configured, so an escalation is never lost), everything else to the first-line receivers.
    /// </summary>
    public IEnumerable<string> RoutesFor(NotificationKind kind)
    {
        if (kind == NotificationKind.Escalation)
        {
            var second = _receivers.Values.Where(r => r.EscalationOnly).Select(r => r.Name).ToList();
            return second.Count > 0 ? second : _receivers.Keys;
        }

        return _receivers.Values.Where(r => !r.EscalationOnly).Select(r => r.Name);
    }

    /// <summary>The receivers that must be told every open alert again now and then, and how often.</summary>
    public IEnumerable<(string Receiver, TimeSpan Every)> Refreshes =>
        _receivers.Values.Where(r => r.RefreshEvery is not null).Select(r => (r.Name, r.RefreshEvery!.Value));

    /// <summary>New notifications were queued: deliver now rather than at the next poll.</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already awake.
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await DeliverDueAsync(stoppingToken).ConfigureAwait(false) < Batch)
                {
                    await _wake.WaitAsync(Poll, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database is away: the notifications wait in it; try again shortly.
                _logger.LogError(e, "Reading queued notifications failed");
                await Task.Delay(Poll, _time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One round: every due notification to its receiver (receivers side by side), then their health. Returns how many were due.</summary>
    internal async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        var due = await _store.DueNotificationsAsync(_time.GetUtcNow(), Batch, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(due.GroupBy(n => n.Receiver).Select(g => DeliverAsync(g.Key, [.. g], cancellationToken))).ConfigureAwait(false);
        await RefreshHealthAsync(cancellationToken).ConfigureAwait(false);
        return due.Count;
    }

    /// <summary>One receiver's due notifications in order; the first failure stops the rest until the retry, so order holds.</summary>
    private async Task DeliverAsync(string name, IReadOnlyList<Notification> due, CancellationToken cancellationToken)
    {
        foreach (var notification in due)
        {
            var now = _time.GetUtcNow();
            if (!_receivers.TryGetValue(name, out var receiver))
            {
                await _store.MarkFailedAsync(notification.Id, $"no receiver named {name} is configured", now + _options.MaxRetryDelay, cancellationToken)
                    .ConfigureAwait(false);
                continue;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.DeliveryTimeout);
            try
            {
                await receiver.DeliverAsync(notification, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                var error = e is OperationCanceledException ? $"no answer within {_options.DeliveryTimeout.TotalSeconds} s" : e.Message;
                var delay = Backoff(notification.Attempts);
                _logger.LogWarning("Delivery of {Kind} notification {Id} to {Receiver} failed (attempt {Attempt}): {Error}; next try in {Delay}",
                    notification.Kind, notification.Id, name, notification.Attempts + 1, error, delay);
                await _store.MarkFailedAsync(notification.Id, error, _time.GetUtcNow() + delay, cancellationToken).ConfigureAwait(false);
                _delivered.AddOrUpdate(name, _ => new Delivered(null, error, now), (_, d) => d with { Error = error, FailedAt = now });
                return;
            }

            var at = _time.GetUtcNow();
            await _store.MarkDeliveredAsync(notification.Id, at, cancellationToken).ConfigureAwait(false);
            _delivered.AddOrUpdate(name, _ => new Delivered(at, null, null), (_, d) => d with { At = at, Error = null });
            _logger.LogInformation("Delivered {Kind} notification {Id} ({Alerts} alerts, group {Group}) to {Receiver}",
                notification.Kind, notification.Id, notification.Alerts.Count, notification.GroupKey, name);
        }
    }

    private TimeSpan Backoff(int attempts)
    {
        var delay = _options.RetryDelay * Math.Pow(2, Math.Min(attempts, 20));
        return delay > _options.MaxRetryDelay ? _options.MaxRetryDelay : delay;
    }

    private async Task RefreshHealthAsync(CancellationToken cancellationToken)
    {
        var backlog = (await _store.BacklogAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(b => b.Receiver, StringComparer.Ordinal);
        var health = _receivers.Values.Select(r =>
        {
            var pending = backlog.GetValueOrDefault(r.Name);
            var delivered = _delivered.GetValueOrDefault(r.Name);
            // The stored error survives a restart; once the backlog is empty the receiver has caught up.
            var error = delivered?.Error ?? (pending is { Pending: > 0 } ? pending.LastError : null);
            return new ReceiverHealth(r.Name, r.Kind, pending?.Pending ?? 0, delivered?.At, error, delivered?.FailedAt ?? (error is null ? null : pending?.LastAttemptAt));
        }).ToList();
        if (!health.SequenceEqual(Health))
        {
            Volatile.Write(ref _health, health);
            Changed?.Invoke();
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    private sealed record Delivered(DateTimeOffset? At, string? Error, DateTimeOffset? FailedAt);
}
