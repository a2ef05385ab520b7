using System.Globalization;
using System.Text;

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
    /// slots by. One write(2) under a lock: the record is with the kernel, safe from a SIGKILL, when this returns.
    /// </summary>
    public void Fired(string device, DateTimeOffset scheduledAt) => log.Append('F', device, scheduledAt);

    /// <summary>The design skipped the firing of <paramref name="device"/> due at <paramref name="scheduledAt"/> (a misfire), if it can tell.</summary>
    public void Misfired(string device, DateTimeOffset scheduledAt) => log.Append('M', device, scheduledAt);
}

/// <summary>A firing ('F') or a misfire the design reported ('M') on a node, with the harness clock's time it was recorded.</summary>
public readonly record struct FiringRecord(char Kind, string Device, string Node, DateTimeOffset ScheduledAt, DateTimeOffset At);

/// <summary>
/// A node's firings as lines in a file of its own, each written with a write(2) of its own before the job returns: a
/// SIGKILL loses none that were recorded, so a firing missing after a kill is one the design never ran, not one the
/// harness lost. That costs a few microseconds per firing, against milliseconds of scheduling; nothing goes to the
/// database under test, whose CPU is part of the measurement.
/// </summary>
public sealed class FiringLog : IDisposable
{
    private const string StoppedLine = "# stopped";
    private readonly Lock _gate = new();
    private readonly FileStream _file;

    public FiringLog(string path)
    {
        // No buffer: every Write is a write(2).
        _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0);
    }

    internal void Append(char kind, string device, DateTimeOffset scheduledAt) =>
        Write(string.Create(CultureInfo.InvariantCulture, $"{kind},{device},{Micros(scheduledAt)},{Micros(DateTimeOffset.UtcNow)}\n"));

    private void Write(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        lock (_gate)
        {
            _file.Write(bytes);
        }
    }

    /// <summary>Writes the closing line that tells a graceful stop from a kill.</summary>
    public void Dispose()
    {
        Write(StoppedLine + "\n");
        _file.Dispose();
    }

    /// <summary>Reads a node's file: its records, and whether it stopped gracefully.</summary>
    public static (List<FiringRecord> Records, bool Stopped) Read(string path, string node)
    {
        var records = new List<FiringRecord>();
        var stopped = false;
        foreach (var line in File.ReadLines(path))
        {
            if (line == StoppedLine)
            {
                stopped = true;
                continue;
            }

            var parts = line.Split(',');
            if (parts.Length != 4)
            {
                continue;
            }

            records.Add(new FiringRecord(parts[0][0], parts[1], node, FromMicros(long.Parse(parts[2], CultureInfo.InvariantCulture)),
                FromMicros(long.Parse(parts[3], CultureInfo.InvariantCulture))));
        }

        return (records, stopped);
    }

    internal static long Micros(DateTimeOffset at) => (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    internal static DateTimeOffset FromMicros(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);
}
