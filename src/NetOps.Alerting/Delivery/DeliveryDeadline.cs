namespace NetOps.Alerting.Delivery;

/// <summary>Bounds one delivery attempt by <see cref="AlertingOptions.DeliveryTimeout"/>.</summary>
internal static class DeliveryDeadline
{
    /// <summary>
    /// Runs <paramref name="attempt"/>, cancelled after <paramref name="timeout"/>. Running out of time is a
    /// <see cref="TimeoutException"/> that names the receiver, not a cancellation: the dispatcher must tell a receiver
    /// that did not answer (try again later) from its own shutdown.
    /// </summary>
    public static async Task RunAsync(string receiver, TimeSpan timeout, Func<CancellationToken, Task> attempt, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await attempt(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{receiver} did not take the notification within {timeout.TotalSeconds:0.###} s", e);
        }
    }
}
