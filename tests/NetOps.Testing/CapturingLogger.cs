using Microsoft.Extensions.Logging;

namespace NetOps.Testing;

/// <summary>One call to a <see cref="CapturingLogger{T}"/>: its level, its formatted message and the exception it carried.</summary>
public sealed record LogEntry(LogLevel Level, string Message, Exception? Exception)
{
    /// <summary>The message and the exception as a console sink writes them: what a "no secret in the log" check must search.</summary>
    public string Text => Exception is null ? Message : Message + Environment.NewLine + Exception;
}

/// <summary>
/// Keeps what a component logged, so that a test can fail when it logged an error (as MQTTnet's own tests do with
/// their servers), check what was logged and that no secret was, and await a line instead of sleeping.
/// </summary>
/// <param name="minimum">
/// The lowest level kept. Trace is left out by default: it is MQTTnet's packet chatter (see <c>MqttNetLoggerAdapter</c>),
/// which would only cost time and make counts of NetOps' own lines depend on the library.
/// </param>
public sealed class CapturingLogger<T>(LogLevel minimum = LogLevel.Debug) : ILogger<T>
{
    private readonly Lock _gate = new();
    private readonly List<LogEntry> _entries = [];
    private readonly List<(Func<LogEntry, bool> Predicate, TaskCompletionSource<LogEntry> Signal)> _waiters = [];

    /// <summary>What was logged so far, in order (a snapshot).</summary>
    public IReadOnlyList<LogEntry> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries];
            }
        }
    }

    /// <summary>The entries at <see cref="LogLevel.Error"/> and above.</summary>
    public IReadOnlyList<LogEntry> Errors => [.. Entries.Where(e => e.Level >= LogLevel.Error)];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var entry = new LogEntry(logLevel, formatter(state, exception), exception);
        lock (_gate)
        {
            _entries.Add(entry);
            // Continuations run asynchronously, so completing a waiter here never runs test code under the lock.
            _waiters.RemoveAll(w => w.Predicate(entry) && w.Signal.TrySetResult(entry));
        }
    }

    /// <summary>The first entry, logged already or later, that matches; fails the test with what was logged when none does in time.</summary>
    public async Task<LogEntry> WaitForAsync(Func<LogEntry, bool> predicate, TimeSpan timeout, string what)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var signal = new TaskCompletionSource<LogEntry>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            foreach (var entry in _entries)
            {
                if (predicate(entry))
                {
                    return entry;
                }
            }

            _waiters.Add((predicate, signal));
        }

        try
        {
            return await signal.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            lock (_gate)
            {
                _waiters.RemoveAll(w => w.Signal == signal);
            }

            var logged = string.Join(Environment.NewLine, Entries.Select(e => $"  {e.Level}: {e.Text}"));
            throw new TimeoutException($"not logged within {timeout.TotalSeconds:0.#} s: {what}; logged:{Environment.NewLine}{logged}");
        }
    }
}
