using System.Text;
using InfluxDB.Client;
using InfluxDB.Client.Api.Domain;
using InfluxDB.Client.Api.Service;
using InfluxDB.Client.Core.Exceptions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetOps.Storage.Points;

namespace NetOps.Storage.Influx;

/// <summary>
/// InfluxDB 2.x through InfluxDB.Client: at start ping, the bucket (with its retention) and the DBRP mapping that lets
/// InfluxQL (charts, Grafana) and the v1 API reach the bucket, the rollup bucket with its mapping and the downsampling
/// tasks that fill it (2.x's continuous queries); then native writes to /api/v2/write with the token.
/// Durability stays ours: InfluxDB.Client's own batching keeps data in memory only and gives up after its retries,
/// so the durable buffer feeds this target and retries itself.
/// </summary>
public sealed class InfluxV2 : IInfluxWriteTarget, IDisposable
{
    private readonly InfluxDBClient _client;
    private readonly InfluxOptions _options;
    private readonly ILogger _logger;
    private readonly WriteApiAsync _write;

    public InfluxV2(InfluxOptions options, string token, HttpClient? http = null, ILogger? logger = null)
    {
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        var builder = new InfluxDBClientOptions.Builder()
            .Url(options.Url.ToString())
            .AuthenticateToken(token)
            .Org(options.Organization)
            .Bucket(options.Bucket)
            .TimeOut(options.Timeout);
        if (http is not null)
        {
            builder.SetHttpClient(http);
        }

        _client = new InfluxDBClient(builder.Build());
        if (options.CompressWrites)
        {
            _client.EnableGzip();
        }

        _write = _client.GetWriteApiAsync();
    }

    /// <summary>
    /// Pings, finds the organisation, creates the raw and rollup buckets if missing, maps database/RP to them (raw as
    /// default), and creates or updates the downsampling tasks. Safe to run at every start.
    /// </summary>
    public async Task SetupAsync(CancellationToken cancellationToken)
    {
        if (!await _client.PingAsync().ConfigureAwait(false))
        {
            throw new InvalidOperationException($"InfluxDB 2.x at {_options.Url} does not answer /ping");
        }

        var orgs = await _client.GetOrganizationsApi().FindOrganizationsAsync(org: _options.Organization, cancellationToken: cancellationToken).ConfigureAwait(false);
        var org = orgs.FirstOrDefault() ?? throw new InvalidOperationException($"InfluxDB 2.x has no organisation {_options.Organization}");
        var raw = await EnsureBucketAsync(_options.Bucket, _options.RawRetention, org.Id, cancellationToken).ConfigureAwait(false);
        await EnsureMappingAsync(raw, _options.RetentionPolicy, isDefault: true, org.Id, cancellationToken).ConfigureAwait(false);
        var rollup = await EnsureBucketAsync(_options.RollupBucket, _options.RollupRetention, org.Id, cancellationToken).ConfigureAwait(false);
        await EnsureMappingAsync(rollup, _options.RollupRetentionPolicy, isDefault: false, org.Id, cancellationToken).ConfigureAwait(false);

        var tasks = _client.GetTasksApi();
        foreach (var (name, flux) in DownsamplingTasks())
        {
            var existing = await tasks.FindTasksAsync(orgId: org.Id, name: name, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (existing.FirstOrDefault(t => t.Name == name) is { } task)
            {
                // Definitions change between releases: bring the script up to date, keep the task (and its run history).
                await tasks.UpdateTaskAsync(task.Id, new TaskUpdateRequest(TaskStatusType.Active, flux), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await tasks.CreateTaskAsync(new TaskCreateRequest(org.Id, null, TaskStatusType.Active, flux,
                    "NetOps 5-minute rollups; made and updated by NetOps at start"), cancellationToken).ConfigureAwait(false);
            }
        }

        _logger.LogInformation("InfluxDB 2.x set up: bucket {Bucket} ({Raw}), rollup bucket {RollupBucket} ({Rollup}) filled by {Tasks} tasks",
            _options.Bucket, _options.RawRetention, _options.RollupBucket, _options.RollupRetention, DownsamplingTasks().Count);
    }

    /// <summary>
    /// The downsampling tasks, one per measurement: the same 5-minute rollups as the 1.x continuous queries (same
    /// field names, counters as max, 0/1 states and gauges as mean, node battery also as battery_pct_min), written to
    /// the rollup bucket, which the DBRP mapping database/rollup exposes to InfluxQL like 1.x's rollup retention policy.
    /// </summary>
    public IReadOnlyList<(string Name, string Flux)> DownsamplingTasks()
    {
        string Rollup(string measurement, params (string Fn, string[] Fields, string? Into)[] parts)
        {
            var name = $"netops_{measurement}_5m";
            var flux = new StringBuilder()
                .Append("option task = {name: \"").Append(name).Append("\", every: 5m, offset: 1m}\n");
            foreach (var (fn, fields, into) in parts)
            {
                var match = string.Join(" or ", fields.Select(f => $"r._field == \"{f}\""));
                flux.Append('\n')
                    .Append("from(bucket: \"").Append(FluxString(_options.Bucket)).Append("\")\n")
                    .Append("  |> range(start: -task.every)\n")
                    .Append("  |> filter(fn: (r) => r._measurement == \"").Append(measurement).Append("\" and (").Append(match).Append("))\n")
                    .Append("  |> aggregateWindow(every: 5m, fn: ").Append(fn).Append(", createEmpty: false)\n");
                if (into is not null)
                {
                    flux.Append("  |> map(fn: (r) => ({r with _field: \"").Append(into).Append("\"}))\n");
                }

                flux.Append("  |> to(bucket: \"").Append(FluxString(_options.RollupBucket)).Append("\", org: \"").Append(FluxString(_options.Organization)).Append("\")\n");
            }

            return flux.ToString();
        }

        return
        [
            ("netops_device_5m", Rollup(Schema.Device, ("mean", [Schema.Fields.Reachable], null), ("max", [Schema.Fields.UptimeSeconds], null))),
            ("netops_port_5m", Rollup(Schema.Port,
                ("max", [Schema.Fields.InOctets, Schema.Fields.OutOctets, Schema.Fields.InErrors, Schema.Fields.OutErrors,
                    Schema.Fields.InDiscards, Schema.Fields.OutDiscards], null),
                ("mean", [Schema.Fields.OperUp, Schema.Fields.AdminUp, Schema.Fields.RxDbm], null),
                ("min", [Schema.Fields.RxDbm], "rx_dbm_min"),
                ("last", [Schema.Fields.SpeedBps], null))),
            ("netops_node_5m", Rollup(Schema.Node,
                ("mean", [Schema.Fields.BatteryPercent, Schema.Fields.OnBattery, Schema.Fields.LteSignalDbm], null),
                ("min", [Schema.Fields.BatteryPercent], "battery_pct_min"),
                ("min", [Schema.Fields.RuntimeLeftSeconds], null),
                ("max", [Schema.Fields.EnclosureTemperatureC], null))),
            ("netops_node_presence_5m", Rollup(Schema.NodePresence, ("mean", [Schema.Fields.Online], null))),
        ];
    }

    private static string FluxString(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    private async Task<Bucket> EnsureBucketAsync(string name, TimeSpan retention, string orgId, CancellationToken cancellationToken)
    {
        var buckets = _client.GetBucketsApi();
        var bucket = await buckets.FindBucketByNameAsync(name, cancellationToken).ConfigureAwait(false);
        if (bucket is null)
        {
            var rules = new BucketRetentionRules(BucketRetentionRules.TypeEnum.Expire, (long)retention.TotalSeconds);
            bucket = await buckets.CreateBucketAsync(name, rules, orgId, cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("InfluxDB bucket {Bucket} created with retention {Retention}", name, retention);
        }

        return bucket;
    }

    private async Task EnsureMappingAsync(Bucket bucket, string retentionPolicy, bool isDefault, string orgId, CancellationToken cancellationToken)
    {
        var dbrps = _client.CreateService<DBRPsService>(typeof(DBRPsService));
        var existing = await dbrps.GetDBRPsAsync(orgID: orgId, db: _options.Database, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (existing.Content.All(m => m.RetentionPolicy != retentionPolicy))
        {
            await dbrps.PostDBRPAsync(new DBRPCreate(orgId, null, bucket.Id, _options.Database, retentionPolicy, isDefault),
                cancellationToken: cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("InfluxDB DBRP mapping {Database}/{RetentionPolicy} → bucket {Bucket} created",
                _options.Database, retentionPolicy, bucket.Name);
        }
    }

    public async Task<WriteResult> WriteAsync(ReadOnlyMemory<byte> lineProtocol, CancellationToken cancellationToken)
    {
        var records = Encoding.UTF8.GetString(lineProtocol.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        try
        {
            await _write.WriteRecordsAsync(records, WritePrecision.Ns, _options.Bucket, _options.Organization, cancellationToken).ConfigureAwait(false);
            return new WriteResult(WriteStatus.Written);
        }
        catch (BadRequestException e)
        {
            return new WriteResult(WriteStatus.Rejected, e.Message);
        }
        catch (RequestEntityTooLargeException e)
        {
            return new WriteResult(WriteStatus.TooLarge, e.Message);
        }
        catch (UnprocessableEntityException e)
        {
            return new WriteResult(WriteStatus.Rejected, e.Message);
        }
        catch (HttpException e)
        {
            return new WriteResult(WriteStatus.Retry, $"HTTP {e.Status}: {e.Message}", e.RetryAfter is { } s ? TimeSpan.FromSeconds(s) : null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return new WriteResult(WriteStatus.Retry, e.GetBaseException().Message);
        }
    }

    public void Dispose() => _client.Dispose();
}
