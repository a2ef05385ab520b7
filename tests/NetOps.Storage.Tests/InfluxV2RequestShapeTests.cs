using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Text;
using NetOps.Storage.Influx;
using NetOps.Storage.Points;
using NetOps.Testing;

namespace NetOps.Storage.Tests;

/// <summary>
/// No InfluxDB 2.x runs here (Debian ships 1.6.7), so the 2.x path is checked by the shape of its requests: a loopback
/// HTTP listener answers as 2.x does and records what InfluxDB.Client sent. This is the only path tested this way.
/// </summary>
public sealed class InfluxV2RequestShapeTests : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(string Method, string PathAndQuery, string? Authorization, string? Encoding, string Body)> _requests = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Uri _url;

    public InfluxV2RequestShapeTests()
    {
        var port = FreePort.Tcp();
        _url = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(_url.ToString());
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            var request = context.Request;
            Stream body = request.InputStream;
            if (request.Headers["Content-Encoding"] == "gzip")
            {
                body = new GZipStream(body, CompressionMode.Decompress);
            }

            var text = await new StreamReader(body, Encoding.UTF8).ReadToEndAsync();
            var path = request.Url!.AbsolutePath;
            _requests.Enqueue((request.HttpMethod, request.Url.PathAndQuery, request.Headers["Authorization"], request.Headers["Content-Encoding"], text));
            var (status, json) = (request.HttpMethod, path) switch
            {
                ("GET" or "HEAD", "/ping") => (204, null),
                ("GET", "/api/v2/orgs") => (200, """{"orgs":[{"id":"0a1b2c3d4e5f6071","name":"netops"}]}"""),
                ("GET", "/api/v2/buckets") => (200, """{"buckets":[]}"""),
                ("POST", "/api/v2/buckets") when text.Contains("netops_rollup", StringComparison.Ordinal) =>
                    (201, """{"id":"9999aaaabbbbcccc","name":"netops_rollup","orgID":"0a1b2c3d4e5f6071","retentionRules":[{"type":"expire","everySeconds":63072000}]}"""),
                ("POST", "/api/v2/buckets") => (201, """{"id":"1111222233334444","name":"netops","orgID":"0a1b2c3d4e5f6071","retentionRules":[{"type":"expire","everySeconds":2592000}]}"""),
                ("GET", "/api/v2/tasks") => (200, """{"tasks":[]}"""),
                ("POST", "/api/v2/tasks") => (201, """{"id":"0c0c0c0c0c0c0c0c","orgID":"0a1b2c3d4e5f6071","name":"netops_port_5m","status":"active","flux":"","every":"5m"}"""),
                ("GET", "/api/v2/dbrps") => (200, """{"content":[]}"""),
                ("POST", "/api/v2/dbrps") => (201, """{"content":{"id":"5555666677778888","orgID":"0a1b2c3d4e5f6071","bucketID":"1111222233334444","database":"netops","retention_policy":"raw","default":true}}"""),
                ("POST", "/api/v2/write") when text.Contains("bad", StringComparison.Ordinal) => (400, """{"code":"invalid","message":"partial write: unable to parse 'bad': missing fields"}"""),
                ("POST", "/api/v2/write") => (204, null),
                _ => (404, """{"code":"not found","message":"path not found"}"""),
            };
            context.Response.StatusCode = status;
            if (json is not null)
            {
                context.Response.ContentType = "application/json";
                var bytes = Encoding.UTF8.GetBytes(json);
                await context.Response.OutputStream.WriteAsync(bytes);
            }

            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        _stop.Dispose();
    }

    [Fact]
    public async Task Setup_PingsCreatesBucketAndDbrpMapping_ThenWritesNatively()
    {
        // Gzip forced on: by default a loopback InfluxDB (this listener) gets uncompressed writes.
        var options = new InfluxOptions { Url = _url, Organization = "netops", Bucket = "netops", Database = "netops", RetentionPolicy = "raw", Gzip = true };
        using var v2 = new InfluxV2(options, "s3cr3t-token");

        await v2.SetupAsync(CancellationToken.None);
        var line = LineProtocol.ToLine(new Point("device", [new Tag("device", "acc-nord")], [Field.Integer("reachable", 1)], 1_700_000_000_000_000_100));
        var result = await v2.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), CancellationToken.None);
        var rejected = await v2.WriteAsync(Encoding.UTF8.GetBytes("bad\n"), CancellationToken.None);

        Assert.Equal(WriteStatus.Written, result.Status);
        Assert.Equal(WriteStatus.Rejected, rejected.Status);
        Assert.Contains("unable to parse", rejected.Error, StringComparison.Ordinal);
        var requests = _requests.ToList();
        Assert.All(requests.Where(r => r.PathAndQuery.StartsWith("/api", StringComparison.Ordinal)), r => Assert.Equal("Token s3cr3t-token", r.Authorization));
        Assert.Contains(requests, r => r.PathAndQuery.StartsWith("/ping", StringComparison.Ordinal));
        var buckets = requests.Where(r => r is { Method: "POST", PathAndQuery: "/api/v2/buckets" }).ToList();
        Assert.Equal(2, buckets.Count);
        Assert.Contains("\"name\":\"netops\"", buckets[0].Body, StringComparison.Ordinal);
        Assert.Contains("\"everySeconds\":2592000", buckets[0].Body, StringComparison.Ordinal);
        Assert.Contains("\"orgID\":\"0a1b2c3d4e5f6071\"", buckets[0].Body, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"netops_rollup\"", buckets[1].Body, StringComparison.Ordinal);
        Assert.Contains("\"everySeconds\":63072000", buckets[1].Body, StringComparison.Ordinal);
        var dbrps = requests.Where(r => r is { Method: "POST" } && r.PathAndQuery.StartsWith("/api/v2/dbrps", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, dbrps.Count);
        Assert.Contains("\"bucketID\":\"1111222233334444\"", dbrps[0].Body, StringComparison.Ordinal);
        Assert.Contains("\"database\":\"netops\"", dbrps[0].Body, StringComparison.Ordinal);
        Assert.Contains("\"retention_policy\":\"raw\"", dbrps[0].Body, StringComparison.Ordinal);
        Assert.Contains("\"default\":true", dbrps[0].Body, StringComparison.Ordinal);
        Assert.Contains("\"bucketID\":\"9999aaaabbbbcccc\"", dbrps[1].Body, StringComparison.Ordinal);
        Assert.Contains("\"retention_policy\":\"rollup\"", dbrps[1].Body, StringComparison.Ordinal);
        Assert.Contains("\"default\":false", dbrps[1].Body, StringComparison.Ordinal);

        // Downsampling: one task per measurement through the TasksApi, looked up by name first (idempotent setup).
        Assert.Equal(4, requests.Count(r => r.Method == "GET" && r.PathAndQuery.StartsWith("/api/v2/tasks?", StringComparison.Ordinal)));
        Assert.Contains(requests, r => r.Method == "GET" && r.PathAndQuery.Contains("name=netops_port_5m", StringComparison.Ordinal)
            && r.PathAndQuery.Contains("orgID=0a1b2c3d4e5f6071", StringComparison.Ordinal));
        var tasks = requests.Where(r => r is { Method: "POST", PathAndQuery: "/api/v2/tasks" }).Select(r => r.Body).ToList();
        Assert.Equal(4, tasks.Count);
        Assert.All(tasks, t => Assert.Contains("\"orgID\":\"0a1b2c3d4e5f6071\"", t, StringComparison.Ordinal));
        Assert.All(tasks, t => Assert.Contains("\"status\":\"active\"", t, StringComparison.Ordinal));
        var port = Assert.Single(tasks, t => t.Contains("name: \\\"netops_port_5m\\\"", StringComparison.Ordinal));
        Assert.Contains("every: 5m", port, StringComparison.Ordinal);
        Assert.Contains("from(bucket: \\\"netops\\\")", port, StringComparison.Ordinal);
        Assert.Contains("aggregateWindow(every: 5m, fn: max", port, StringComparison.Ordinal);
        Assert.Contains("to(bucket: \\\"netops_rollup\\\", org: \\\"netops\\\")", port, StringComparison.Ordinal);
        var write = requests.First(r => r.PathAndQuery.StartsWith("/api/v2/write", StringComparison.Ordinal));
        Assert.Contains("org=netops", write.PathAndQuery, StringComparison.Ordinal);
        Assert.Contains("bucket=netops", write.PathAndQuery, StringComparison.Ordinal);
        Assert.Contains("precision=ns", write.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal("gzip", write.Encoding);
        Assert.Equal(line, write.Body.TrimEnd('\n'));
    }
}
