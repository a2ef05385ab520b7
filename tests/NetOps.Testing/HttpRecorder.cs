using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace NetOps.Testing;

/// <summary>One request as the listener got it.</summary>
public sealed record RecordedRequest(string Method, string Path, string? Authorization, string? ContentType, byte[] Body)
{
    /// <summary>When the request's body was read (<see cref="System.Diagnostics.Stopwatch"/> ticks), for delays measured from outside.</summary>
    public long ReceivedAt { get; init; } = System.Diagnostics.Stopwatch.GetTimestamp();

    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}

/// <summary>
/// A real Kestrel listener on a free loopback port that records every request and answers with the status the test
/// sets (200 by default), or not at all while <see cref="Hang"/> is set.
/// </summary>
public sealed class HttpRecorder : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly List<RecordedRequest> _requests = [];

    private HttpRecorder(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The listener's base URL, <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri Url { get; }

    public int Status { get; set; } = StatusCodes.Status200OK;

    public string ResponseBody { get; set; } = "";

    /// <summary>True: requests get no answer until the client gives up.</summary>
    public bool Hang { get; set; }

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public static async Task<HttpRecorder> StartAsync()
    {
        var port = FreePort.Tcp();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var recorder = new HttpRecorder(app, new Uri($"http://127.0.0.1:{port}/"));
        app.Run(recorder.HandleAsync);
        await app.StartAsync();
        return recorder;
    }

    /// <summary>The first request, recorded already or later, that matches.</summary>
    public async Task<RecordedRequest> WaitForAsync(Func<RecordedRequest, bool> predicate, TimeSpan timeout, string what) =>
        await Eventually.ValueAsync(() => Task.FromResult(Requests.FirstOrDefault(predicate)), timeout, what);

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        lock (_gate)
        {
            _requests.Add(new RecordedRequest(context.Request.Method, context.Request.Path, context.Request.Headers.Authorization.FirstOrDefault(),
                context.Request.ContentType, body.ToArray()));
        }

        if (Hang)
        {
            // No answer: the handler waits for the client to give up.
            var aborted = new TaskCompletionSource();
            await using (context.RequestAborted.Register(() => aborted.TrySetResult()))
            {
                await aborted.Task;
            }

            return;
        }

        context.Response.StatusCode = Status;
        await context.Response.WriteAsync(ResponseBody, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
