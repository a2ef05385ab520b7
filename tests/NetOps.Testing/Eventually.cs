using System.Diagnostics;

namespace NetOps.Testing;

/// <summary>Polls a condition until it holds or a deadline passes; tests never sleep a fixed time.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, TimeSpan timeout, string what, TimeSpan? interval = null)
    {
        await TrueAsync(() => Task.FromResult(condition()), timeout, what, interval).ConfigureAwait(false);
    }

    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan? interval = null)
    {
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await condition().ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                last = e;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"not within {timeout.TotalSeconds:0.#} s: {what}", last);
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);
        }
    }

    /// <summary>Polls until <paramref name="value"/> gives something (not null) and returns it.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> value, TimeSpan timeout, string what, TimeSpan? interval = null)
        where T : class
    {
        T? result = null;
        await TrueAsync(async () => (result = await value().ConfigureAwait(false)) is not null, timeout, what, interval).ConfigureAwait(false);
        return result!;
    }
}
