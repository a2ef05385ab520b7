using System.Diagnostics;
using System.Globalization;

namespace NetOps.Testing.Fuzzing;

/// <summary>A fuzz target: runs one input; an exception <see cref="IsExpected"/> rejects accepts as a clean rejection.</summary>
/// <param name="Name">Shown in reports.</param>
/// <param name="Execute">Runs one input and checks the target's own invariants (round trips), throwing when one breaks.</param>
/// <param name="IsExpected">The only failures allowed to escape (the engine's decode error).</param>
public sealed record FuzzTarget(string Name, Action<byte[]> Execute, Func<Exception, bool> IsExpected);

/// <summary>What every input must respect.</summary>
public sealed record FuzzLimits
{
    /// <summary>An input taking longer is reported as slow.</summary>
    public TimeSpan PerInput { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>An input still running after this is a hang: the run stops and reports it.</summary>
    public TimeSpan Hang { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Bytes any input may allocate, whatever its size (an exception and its message, a few arrays).</summary>
    public long AllocationBase { get; init; } = 32 * 1024;

    /// <summary>Bytes an input may allocate per byte of input, on top of <see cref="AllocationBase"/>.</summary>
    public double AllocationPerInputByte { get; init; } = 64;

    /// <summary>Findings kept (distinct kinds); the run goes on counting after that.</summary>
    public int MaxFindings { get; init; } = 20;
}

/// <summary>One broken rule, with the input that broke it, shrunk, in hexadecimal.</summary>
public sealed record FuzzFinding(string Kind, string Detail, string InputHex, long Execution, int Occurrences);

/// <summary>The outcome of a run.</summary>
public sealed record FuzzReport(
    string Target, int Seed, long Executions, long Accepted, long Rejected, TimeSpan Elapsed, TimeSpan SlowestInput,
    long MostAllocated, double MostAllocatedPerByte, IReadOnlyList<FuzzFinding> Findings)
{
    public double ExecutionsPerSecond => Executions / Math.Max(Elapsed.TotalSeconds, 1e-9);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Target} seed {Seed}: {Executions:N0} executions in {Elapsed.TotalSeconds:0.0} s ({ExecutionsPerSecond:N0}/s), {Accepted:N0} accepted, {Rejected:N0} rejected, slowest {SlowestInput.TotalMilliseconds:0.###} ms, most allocated {MostAllocated:N0} B ({MostAllocatedPerByte:0.#} B per input byte), {Findings.Count} findings")
        + string.Concat(Findings.Select(f => $"\n  {f.Kind} x{f.Occurrences} (execution {f.Execution}): {f.Detail}\n    input {f.InputHex}"));
}

/// <summary>
/// Runs a target over mutated inputs on a thread of its own, measuring time and allocation per input
/// (<see cref="GC.GetAllocatedBytesForCurrentThread"/>), so that a hang is reported instead of hanging the caller.
/// </summary>
public static class FuzzRunner
{
    public static FuzzReport Run(FuzzTarget target, Func<byte[]> inputs, int seed, long executions, FuzzLimits? limits = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(inputs);
        limits ??= new FuzzLimits();
        var state = new RunState(target, limits);
        var thread = new Thread(() =>
        {
            try
            {
                state.Loop(inputs, executions, cancellationToken);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A fault of the fuzzer itself (the input generator) fails the run instead of the process.
                state.Add("fuzzer", "fuzzer", e.ToString(), state.Current ?? [], state.Executions, shrink: false);
            }
        }, 16 * 1024 * 1024)
        {
            IsBackground = true,
            Name = $"fuzz {target.Name}",
        };
        var clock = Stopwatch.StartNew();
        thread.Start();
        while (!thread.Join(TimeSpan.FromMilliseconds(200)))
        {
            var started = Interlocked.Read(ref state.InputStarted);
            if (started != 0 && Stopwatch.GetElapsedTime(started) > limits.Hang)
            {
                // .NET cannot abort the thread: it is left behind as a background thread, the run reports the input.
                state.Add("hang", "hang", $"still running after {limits.Hang.TotalSeconds:0} s", state.Current ?? [], state.Executions, shrink: false);
                break;
            }
        }

        return new FuzzReport(target.Name, seed, state.Executions, state.Accepted, state.Rejected, clock.Elapsed, state.Slowest,
            state.MostAllocated, state.MostAllocatedPerByte, state.Findings());
    }

    private sealed class RunState(FuzzTarget target, FuzzLimits limits)
    {
        private readonly Dictionary<string, FuzzFinding> _findings = [];
        private readonly Lock _gate = new();

        public long InputStarted;

        public byte[]? Current { get; private set; }

        public long Executions { get; private set; }

        public long Accepted { get; private set; }

        public long Rejected { get; private set; }

        public TimeSpan Slowest { get; private set; }

        public long MostAllocated { get; private set; }

        public double MostAllocatedPerByte { get; private set; }

        public void Loop(Func<byte[]> inputs, long executions, CancellationToken cancellationToken)
        {
            for (var i = 0L; i < executions && !cancellationToken.IsCancellationRequested; i++)
            {
                var input = inputs();
                Current = input;
                var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                var started = Stopwatch.GetTimestamp();
                Interlocked.Exchange(ref InputStarted, started);
                var failure = Execute(input);
                var elapsed = Stopwatch.GetElapsedTime(started);
                var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
                Interlocked.Exchange(ref InputStarted, 0);
                Executions = i + 1;
                if (failure is null)
                {
                    Accepted++;
                }
                else if (target.IsExpected(failure))
                {
                    Rejected++;
                }
                else
                {
                    Add(Kind(failure) + Where(failure), Kind(failure), $"{failure.GetType().Name}: {failure.Message}{Where(failure)}", input, i, shrink: true);
                }

                if (elapsed > Slowest)
                {
                    Slowest = elapsed;
                }

                if (elapsed > limits.PerInput && Confirm(input) is var again && again > limits.PerInput)
                {
                    // Timed twice more: on a shared machine a pause (GC, another process) can stall any one input.
                    Add("slow", "slow", $"took {again.TotalMilliseconds:0} ms at best of three for {input.Length} bytes", input, i, shrink: false);
                }

                MostAllocated = Math.Max(MostAllocated, allocated);
                MostAllocatedPerByte = Math.Max(MostAllocatedPerByte, (double)allocated / Math.Max(1, input.Length));
                if (allocated > limits.AllocationBase + (limits.AllocationPerInputByte * input.Length))
                {
                    Add("allocation", "allocation", $"allocated {allocated:N0} bytes for {input.Length} bytes of input", input, i, shrink: false);
                }
            }
        }

        public void Add(string key, string kind, string detail, byte[] input, long execution, bool shrink)
        {
            lock (_gate)
            {
                if (_findings.TryGetValue(key, out var known))
                {
                    _findings[key] = known with { Occurrences = known.Occurrences + 1 };
                    return;
                }

                if (_findings.Count >= limits.MaxFindings)
                {
                    return;
                }

                var shrunk = shrink ? Shrink(input, kind) : input;
                _findings[key] = new FuzzFinding(kind, detail, Convert.ToHexString(shrunk), execution, 1);
            }
        }

        public IReadOnlyList<FuzzFinding> Findings()
        {
            lock (_gate)
            {
                return [.. _findings.Values];
            }
        }

        private TimeSpan Confirm(byte[] input)
        {
            var best = TimeSpan.MaxValue;
            for (var attempt = 0; attempt < 2; attempt++)
            {
                var started = Stopwatch.GetTimestamp();
                Execute(input);
                var elapsed = Stopwatch.GetElapsedTime(started);
                best = elapsed < best ? elapsed : best;
            }

            return best;
        }

        private Exception? Execute(byte[] input)
        {
            try
            {
                target.Execute(input);
                return null;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return e;
            }
        }

        /// <summary>Removes chunks while the same kind of failure remains, so that a regression test can quote a short input.</summary>
        private byte[] Shrink(byte[] input, string kind)
        {
            var current = input;
            for (var chunk = Math.Max(1, current.Length / 2); chunk >= 1; chunk /= 2)
            {
                for (var start = 0; start + chunk <= current.Length;)
                {
                    byte[] candidate = [.. current.AsSpan(0, start), .. current.AsSpan(start + chunk)];
                    if (Execute(candidate) is { } e && !target.IsExpected(e) && Kind(e) == kind)
                    {
                        current = candidate;
                    }
                    else
                    {
                        start += chunk;
                    }
                }
            }

            return current;
        }

        private static string Kind(Exception e) => "exception " + (e.InnerException ?? e).GetType().Name;

        private static string Where(Exception e)
        {
            var trace = (e.InnerException ?? e).StackTrace;
            var frame = trace?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
            return frame is null ? string.Empty : $" [{frame}]";
        }
    }
}
