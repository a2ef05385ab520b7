using System.ComponentModel.DataAnnotations;

namespace NetOps.Storage;

/// <summary>Which history store the host uses.</summary>
public enum StorageKind
{
    /// <summary>SQLite in a local file: no server, the one-command demo's default.</summary>
    Embedded,

    /// <summary>InfluxDB 1.x (or 3.x) over the v1 HTTP API: /write and InfluxQL /query; database and retention policies set up.</summary>
    InfluxV1,

    /// <summary>InfluxDB 2.x: bucket and DBRP mapping set up with InfluxDB.Client, native /api/v2/write, InfluxQL through the v1 compatibility API.</summary>
    InfluxV2,
}

/// <summary>The "Storage" configuration section.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    public StorageKind Kind { get; set; } = StorageKind.Embedded;

    /// <summary>Where the embedded database or the durable buffer live; relative to the content root.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>Embedded store: how long history is kept.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    public InfluxOptions Influx { get; set; } = new();
}

/// <summary>Where and how to reach InfluxDB. Credentials are names resolved by the host, never values in configuration.</summary>
public sealed class InfluxOptions
{
    public Uri Url { get; set; } = new("http://127.0.0.1:8086");

    /// <summary>The v1 database (for 2.x: the database name of the DBRP mapping).</summary>
    public string Database { get; set; } = "netops";

    /// <summary>The retention policy raw points are written to (for 2.x: the DBRP retention policy name).</summary>
    public string RetentionPolicy { get; set; } = "raw";

    /// <summary>How long raw points are kept (1.x retention policy duration, 2.x bucket retention).</summary>
    public TimeSpan RawRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The retention policy of the 5-minute rollups the continuous queries write (1.x; 2.x: a second bucket).</summary>
    public string RollupRetentionPolicy { get; set; } = "rollup";

    public TimeSpan RollupRetention { get; set; } = TimeSpan.FromDays(730);

    /// <summary>Create database, retention policies and continuous queries (or bucket and DBRP mapping) at start.</summary>
    public bool Setup { get; set; } = true;

    /// <summary>1.x user name; its password comes from <see cref="Credential"/>.</summary>
    public string? Username { get; set; }

    /// <summary>The name of the credential (1.x password or 2.x token) the host resolves, e.g. "influx".</summary>
    public string? Credential { get; set; }

    /// <summary>2.x organisation and bucket.</summary>
    public string Organization { get; set; } = "netops";

    public string Bucket { get; set; } = "netops";

    /// <summary>2.x: the bucket the downsampling tasks write 5-minute rollups to (retention <see cref="RollupRetention"/>).</summary>
    public string RollupBucket { get; set; } = "netops_rollup";

    /// <summary>
    /// Gzip the writes: true always, false never, unset (the default) for every InfluxDB that is not on a loopback
    /// address. Over loopback there is no bandwidth to save, only CPU to spend on both ends (measured: 0.8 of the
    /// uncompressed limit with gzip, 0.98 without, see docs/storage.md).
    /// </summary>
    public bool? Gzip { get; set; }

    /// <summary>Whether writes are compressed, after the loopback rule of <see cref="Gzip"/>.</summary>
    public bool CompressWrites => Gzip ?? !Url.IsLoopback;

    /// <summary>Lines per /write request (InfluxDB recommends 5,000).</summary>
    [Range(1, 1_000_000)]
    public int BatchLines { get; set; } = 5000;

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Write requests in flight at once; batches are still removed from the buffer in order, once confirmed.</summary>
    [Range(1, 8)]
    public int WritesInFlight { get; set; } = 2;

    /// <summary>The durable buffer's bound in bytes; past it new points are dropped (loudly).</summary>
    public long BufferMaxBytes { get; set; } = 1024L * 1024 * 1024;

    public long BufferSegmentBytes { get; set; } = 16 * 1024 * 1024;
}
