using System.Text;
using InfluxDB.Client;
using InfluxDB.Client.Api.Domain;
using InfluxDB.Client.Api.Service;
using InfluxDB.Client.Core.Exceptions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace NetOps.Storage.Influx;

/// <summary>
/// InfluxDB 2.x through InfluxDB.Client: at start ping, the bucket (with its retention) and the DBRP mapping that lets
/// InfluxQL (charts, Grafana) and the v1 API reach the bucket; then native writes to /api/v2/write with the token.
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
        if (options.Gzip)
        {
            _client.EnableGzip();
        }

        _write = _client.GetWriteApiAsync();
    }

    /// <summary>Pings, finds the organisation, creates the bucket if missing, and maps database/RP to it (default).</summary>
    public async Task SetupAsync(CancellationToken cancellationToken)
    {
        if (!await _client.PingAsync().ConfigureAwait(false))
        {
            throw new InvalidOperationException($"InfluxDB 2.x at {_options.Url} does not answer /ping");
        }

        var orgs = await _client.GetOrganizationsApi().FindOrganizationsAsync(org: _options.Organization, cancellationToken: cancellationToken).ConfigureAwait(false);
        var org = orgs.FirstOrDefault() ?? throw new InvalidOperationException($"InfluxDB 2.x has no organisation {_options.Organization}");
        var buckets = _client.GetBucketsApi();
        var bucket = await buckets.FindBucketByNameAsync(_options.Bucket, cancellationToken).ConfigureAwait(false);
        if (bucket is null)
        {
            var retention = new BucketRetentionRules(BucketRetentionRules.TypeEnum.Expire, (long)_options.RawRetention.TotalSeconds);
            bucket = await buckets.CreateBucketAsync(_options.Bucket, retention, org.Id, cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("InfluxDB bucket {Bucket} created with retention {Retention}", _options.Bucket, _options.RawRetention);
        }

        var dbrps = _client.CreateService<DBRPsService>(typeof(DBRPsService));
        var existing = await dbrps.GetDBRPsAsync(orgID: org.Id, db: _options.Database, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (existing.Content.All(m => m.RetentionPolicy != _options.RetentionPolicy))
        {
            await dbrps.PostDBRPAsync(new DBRPCreate(org.Id, null, bucket.Id, _options.Database, _options.RetentionPolicy, true),
                cancellationToken: cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("InfluxDB DBRP mapping {Database}/{RetentionPolicy} → bucket {Bucket} created",
                _options.Database, _options.RetentionPolicy, _options.Bucket);
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
