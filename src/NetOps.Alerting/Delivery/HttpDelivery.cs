using System.Net.Http.Headers;
using System.Text;

namespace NetOps.Alerting.Delivery;

/// <summary>The one HTTP call the webhook and Alertmanager receivers make: POST JSON, anything but 2xx is a failure.</summary>
internal static class HttpDelivery
{
    /// <summary>How much of a refusal's body goes into the error: enough to read why, never a whole page.</summary>
    private const int ExcerptChars = 200;

    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    public static async Task PostJsonAsync(HttpClient http, Uri url, byte[] body, string? bearerToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = Json;
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("NetOps", null));
        if (bearerToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var excerpt = await ExcerptAsync(response.Content, cancellationToken).ConfigureAwait(false);
        throw new HttpRequestException(
            $"{url.GetLeftPart(UriPartial.Path)} answered {(int)response.StatusCode} {response.ReasonPhrase}{(excerpt.Length > 0 ? ": " + excerpt : "")}",
            null, response.StatusCode);
    }

    /// <summary>The start of the body on one line; the rest is not even read.</summary>
    private static async Task<string> ExcerptAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new char[ExcerptChars + 1];
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await reader.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false)) > 0)
            {
                read += n;
            }

            var text = new string(buffer, 0, Math.Min(read, ExcerptChars));
            text = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            return read > ExcerptChars ? text + "…" : text;
        }
    }
}

/// <summary>
/// The HTTP connections of the receivers: one handler (its pool of connections) shared by every receiver's client,
/// each client with the delivery timeout; all disposed with the container.
/// </summary>
internal sealed class ReceiverHttp : IDisposable
{
    private readonly SocketsHttpHandler _handler = new() { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
    private readonly List<HttpClient> _clients = [];
    private readonly Lock _gate = new();

    public HttpClient Create(TimeSpan timeout)
    {
        var client = new HttpClient(_handler, disposeHandler: false) { Timeout = timeout };
        lock (_gate)
        {
            _clients.Add(client);
        }

        return client;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _clients.ForEach(c => c.Dispose());
            _clients.Clear();
        }

        _handler.Dispose();
    }
}
