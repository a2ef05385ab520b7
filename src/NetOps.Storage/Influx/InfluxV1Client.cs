using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using NetOps.Storage.Buffer;

namespace NetOps.Storage.Influx;

/// <summary>An error InfluxDB returned for a query.</summary>
public sealed class InfluxQueryException(string message) : Exception(message);

/// <summary>How to authenticate: none, a 1.x user with password (Basic), or a 2.x token (v1 compatibility API).</summary>
public sealed record InfluxCredentials(string? Username, string? Password, string? Token)
{
    public static InfluxCredentials None { get; } = new(null, null, null);

    internal AuthenticationHeaderValue? Header() =>
        Token is { Length: > 0 } token ? new AuthenticationHeaderValue("Token", token)
        : Username is { Length: > 0 } user ? new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + Password)))
        : null;

    // Never print a secret, not even by accident through a record's generated ToString.
    public override string ToString() => Username is null ? "InfluxCredentials(token or none)" : $"InfluxCredentials({Username})";
}

/// <summary>
/// InfluxDB's v1 HTTP API: <c>/ping</c>, <c>/write</c> (line protocol, ns precision, gzip) and <c>/query</c> (InfluxQL,
/// epoch=ms). Serves 1.x, 2.x through its v1 compatibility API (with a DBRP mapping) and 3.x.
/// </summary>
public sealed class InfluxV1Client(HttpClient http, Uri baseUrl, string database, string? retentionPolicy,
    InfluxCredentials credentials, bool gzip = true) : IInfluxWriteTarget
{
    private readonly AuthenticationHeaderValue? _auth = credentials.Header();
    private readonly Uri _writeUri = new(baseUrl, "write?db=" + Uri.EscapeDataString(database) +
        (string.IsNullOrEmpty(retentionPolicy) ? "" : "&rp=" + Uri.EscapeDataString(retentionPolicy)) + "&precision=ns");

    public string Database { get; } = database;

    /// <summary>True when InfluxDB answers /ping.</summary>
    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUrl, "ping"));
            request.Headers.Authorization = _auth;
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public async Task<WriteResult> WriteAsync(ReadOnlyMemory<byte> lineProtocol, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _writeUri);
        request.Headers.Authorization = _auth;
        PooledBufferWriter? compressed = null;
        try
        {
            if (gzip)
            {
                compressed = Compress(lineProtocol.Span);
                request.Content = new ReadOnlyMemoryContent(compressed.WrittenMemory);
                request.Content.Headers.ContentEncoding.Add("gzip");
            }
            else
            {
                request.Content = new ReadOnlyMemoryContent(lineProtocol);
            }

            request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return await ToResultAsync(response, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return new WriteResult(WriteStatus.Retry, e.GetBaseException().Message);
        }
        finally
        {
            compressed?.Dispose();
        }
    }

    internal static async Task<WriteResult> ToResultAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.NoContent || response.IsSuccessStatusCode)
        {
            return new WriteResult(WriteStatus.Written);
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var error = ErrorOf(body) ?? $"HTTP {(int)response.StatusCode}";
        return response.StatusCode switch
        {
            HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity => new WriteResult(WriteStatus.Rejected, error),
            HttpStatusCode.RequestEntityTooLarge => new WriteResult(WriteStatus.TooLarge, error),
            _ => new WriteResult(WriteStatus.Retry, $"HTTP {(int)response.StatusCode}: {error}", response.Headers.RetryAfter?.Delta),
        };
    }

    private static string? ErrorOf(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("error", out var e) ? e.GetString()
                : json.RootElement.TryGetProperty("message", out var m) ? m.GetString()
                : null;
        }
        catch (JsonException)
        {
            return body.Length > 500 ? body[..500] : body;
        }
    }

    private static PooledBufferWriter Compress(ReadOnlySpan<byte> data)
    {
        var output = new PooledBufferWriter(data.Length / 4 + 64);
        using (var gzipStream = new GZipStream(new BufferWriterStream(output), CompressionLevel.Fastest, leaveOpen: false))
        {
            gzipStream.Write(data);
        }

        return output;
    }

    /// <summary>Runs InfluxQL; statements that change things (CREATE, DROP, ALTER) go as POST. Times come as epoch ms.</summary>
    public async Task<JsonDocument> QueryAsync(string influxQl, CancellationToken cancellationToken)
    {
        var write = !influxQl.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) &&
                    !influxQl.TrimStart().StartsWith("SHOW", StringComparison.OrdinalIgnoreCase);
        var uri = new Uri(baseUrl, "query?db=" + Uri.EscapeDataString(Database) + "&epoch=ms&q=" + Uri.EscapeDataString(influxQl));
        using var request = new HttpRequestMessage(write ? HttpMethod.Post : HttpMethod.Get, uri);
        request.Headers.Authorization = _auth;
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var json = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
        var error = json.RootElement.TryGetProperty("error", out var top) ? top.GetString() : null;
        if (error is null && json.RootElement.TryGetProperty("results", out var results))
        {
            foreach (var result in results.EnumerateArray())
            {
                if (result.TryGetProperty("error", out var e))
                {
                    error = e.GetString();
                    break;
                }
            }
        }

        if (error is not null || !response.IsSuccessStatusCode)
        {
            json.Dispose();
            throw new InfluxQueryException($"InfluxDB answered {(int)response.StatusCode} to a query: {error}");
        }

        return json;
    }

    /// <summary>A write-only stream over a buffer writer (GZipStream's output).</summary>
    private sealed class BufferWriterStream(PooledBufferWriter target) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => target.Written;
        public override long Position { get => target.Written; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            buffer.CopyTo(target.GetSpan(buffer.Length));
            target.Advance(buffer.Length);
        }
    }
}
