using System.Text.Json;

namespace NetOps.Web.Api;

/// <summary>
/// A route's JSON body, read rather than bound, so a malformed one is answered with a problem that says what is wrong (a
/// binding failure would be a bare 400, which the status-code pages turn into the HTML not-found page).
/// </summary>
internal static class JsonBody
{
    public static async Task<(T? Body, string? Error)> ReadAsync<T>(HttpRequest request, JsonSerializerOptions json, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            var body = await JsonSerializer.DeserializeAsync<T>(request.Body, json, cancellationToken);
            return body is null ? (null, "the body is empty: a JSON object is expected") : (body, null);
        }
        catch (JsonException e)
        {
            return (null, "the body is not what this route takes: " + e.Message);
        }
    }
}
