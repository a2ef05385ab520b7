using System.Globalization;
using System.Threading.Channels;

namespace NetOps.Benchmarks;

/// <summary>
/// One way of spreading the polling of a fleet over collector processes, as cluster-compare measures it. The harness
/// prepares a fresh PostgreSQL database, runs <see cref="RunNodeAsync"/> in each of several node processes, kills one of
/// them with SIGKILL and reads what fired where. A design only has to fire every device once per interval on exactly one
/// live node and report each firing through <see cref="ClusterNode.Fired"/>. Add a design by implementing this and
/// listing it in <see cref="ClusterCompareScenario"/>.
/// </summary>
public interface IClusterDesign
{
    /// <summary>The name given with --designs and passed to the node processes.</summary>
    string Name { get; }

    /// <summary>One line for the report: what decides which node fires a device, and the settings that set its failover time.</summary>
    string Describe(IReadOnlyList<string> arguments);

    /// <summary>Runs once in the harness against the fresh database before any node starts (schema, a shared schedule).</summary>
    Task PrepareAsync(string connectionString, ClusterWorkload workload, IReadOnlyList<string> arguments, CancellationToken cancellationToken);

    /// <summary>
    /// Runs one node until <paramref name="cancellationToken"/> is cancelled (the harness's SIGTERM at the end of a run;
    /// the node it kills gets SIGKILL and never sees it). Calls <see cref="ClusterNode.Ready"/> once it fires.
    /// </summary>
    Task RunNodeAsync(ClusterNode node, CancellationToken cancellationToken);
}

/// <summary>
/// The fleet every design schedules: <see cref="DeviceCount"/> devices, each due every <see cref="Interval"/>, device i
/// first at <see cref="Epoch"/> + i/N of an interval, so firings are spread evenly and every design keeps the same phases.
/// </summary>
public sealed record ClusterWorkload(int DeviceCount, TimeSpan Interval, DateTimeOffset Epoch)
{
    public static string DeviceId(int index) => "dev-" + index.ToString("0000", CultureInfo.InvariantCulture);

    public IEnumerable<string> Devices => Enumerable.Range(0, DeviceCount).Select(DeviceId);

    public DateTimeOffset FirstDue(int index) => Epoch + TimeSpan.FromTicks(Interval.Ticks * index / DeviceCount);

    /// <summary>The first time device <paramref name="index"/> is due at or after <paramref name="notBefore"/>: where a node that takes a device over starts it.</summary>
    public DateTimeOffset NextDue(int index, DateTimeOffset notBefore)
    {
        var first = FirstDue(index);
        if (notBefore <= first)
        {
            return first;
        }

        var periods = (notBefore - first).Ticks / Interval.Ticks + ((notBefore - first).Ticks % Interval.Ticks == 0 ? 0 : 1);
        return first + TimeSpan.FromTicks(Interval.Ticks * periods);
    }
}

/// <summary>What a design's node is given: who it is, where the database is, the fleet, and where to report firings.</summary>
public sealed class ClusterNode(string name, string connectionString, ClusterWorkload workload, IReadOnlyList<string> arguments, FiringLog log, Action ready)
{
    /// <summary>n1, n2, …: also the instance id a design should register under.</summary>
    public string Name => name;

    /// <summary>The shared PostgreSQL database, with pooling on.</summary>
    public string ConnectionString => connectionString;

    public ClusterWorkload Workload => workload;

    /// <summary>The harness's whole command line, for a design's own options (--checkin, --lease, …).</summary>
    public IReadOnlyList<string> Arguments => arguments;

    /// <summary>Tells the harness that this node is up and firing.</summary>
    public void Ready() => ready();

    /// <summary>
    /// Device <paramref name="device"/> fired here now, for its due time <paramref name="scheduledAt"/>: one of the
    /// workload's (<see cref="ClusterWorkload.FirstDue"/> plus whole intervals), which the analysis matches firings to
    /// slots by. Cheap and never blocks.
    /// </summary>
    public void Fired(string device, DateTimeOffset scheduledAt) => log.Append('F', device, scheduledAt);

    /// <summary>The design skipped the firing of <paramref name="device"/> due at <paramref name="scheduledAt"/> (a misfire), if it can tell.</summary>
    public void Misfired(string device, DateTimeOffset scheduledAt) => log.Append('M', device, scheduledAt);
}

/// <summary>A firing ('F') or a misfire the design reported ('M') on a node, with the harness clock's time it was recorded.</summary>
public readonly record struct FiringRecord(char Kind, string Device, string Node, DateTimeOffset ScheduledAt, DateTimeOffset At);

/// <summary>
/// A node's firings as lines in a file of its own, handed to the kernel as soon as the writer catches up (a write(2) per
/// burst, not per minute), so a SIGKILL loses none that were recorded more than a moment before it. Nothing goes to the
/// database under test, whose CPU is part of the measurement. Recording is a bounded channel: a full one counts the
/// record as dropped rather than stalling the scheduler's thread, and the count is in the file's last line.
/// </summary>
public sealed class FiringLog : IAsyncDisposable
{
    private const string StoppedLine = "# stopped";
    private readonly Channel<string> _lines = Channel.CreateBounded<string>(
        new BoundedChannelOptions(65_536) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly StreamWriter _writer;
    private readonly Task _writing;
    private long _dropped;

    public FiringLog(string path)
    {
        _writer = new StreamWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16));
        _writing = Task.Run(WriteAsync);
    }

    internal void Append(char kind, string device, DateTimeOffset scheduledAt)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"{kind},{device},{Micros(scheduledAt)},{Micros(DateTimeOffset.UtcNow)}");
        if (!_lines.Writer.TryWrite(line))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    private async Task WriteAsync()
    {
        var reader = _lines.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var line))
            {
                await _writer.WriteLineAsync(line).ConfigureAwait(false);
            }

            await _writer.FlushAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Writes what is queued and the closing line that tells a graceful stop from a kill.</summary>
    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await _writing.ConfigureAwait(false);
        await _writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{StoppedLine} dropped={Interlocked.Read(ref _dropped)}")).ConfigureAwait(false);
        await _writer.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Reads a node's file: its records, whether it stopped gracefully, and how many records it dropped (known only then).</summary>
    public static (List<FiringRecord> Records, bool Stopped, long Dropped) Read(string path, string node)
    {
        var records = new List<FiringRecord>();
        var stopped = false;
        long dropped = 0;
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith(StoppedLine, StringComparison.Ordinal))
            {
                stopped = true;
                dropped = long.Parse(line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..], CultureInfo.InvariantCulture);
                continue;
            }

            var parts = line.Split(',');
            if (parts.Length != 4)
            {
                continue; // the torn last line of a killed node
            }

            records.Add(new FiringRecord(parts[0][0], parts[1], node, FromMicros(long.Parse(parts[2], CultureInfo.InvariantCulture)),
                FromMicros(long.Parse(parts[3], CultureInfo.InvariantCulture))));
        }

        return (records, stopped, dropped);
    }

    internal static long Micros(DateTimeOffset at) => (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    internal static DateTimeOffset FromMicros(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);
}
