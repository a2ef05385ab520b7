using System.Collections.Concurrent;

namespace NetOps.Web.Presentation;

/// <summary>
/// Site plan background images as <c>data:</c> URIs, which the page's content security policy allows (<c>img-src data:</c>)
/// where a URL to the inventory directory would need a route of its own. Read once per file version (path, size, time of
/// the last write), so an edited image shows without a reload of the inventory.
/// </summary>
public sealed class PlanImages
{
    /// <summary>As the inventory's validation: the page carries the image on every first view.</summary>
    public const long MaxBytes = 2 * 1024 * 1024;

    private readonly ConcurrentDictionary<string, (DateTime Written, long Length, string? Uri)> _cache = new(StringComparer.Ordinal);

    /// <summary>The image as a data: URI; null when it is gone, unreadable, too large or of a type a plan may not have.</summary>
    public string? DataUri(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var type = MediaType(path);
        var file = new FileInfo(path);
        if (type is null || !file.Exists)
        {
            return null;
        }

        if (_cache.TryGetValue(path, out var cached) && cached.Written == file.LastWriteTimeUtc && cached.Length == file.Length)
        {
            return cached.Uri;
        }

        string? uri = null;
        try
        {
            if (file.Length <= MaxBytes)
            {
                uri = $"data:{type};base64,{Convert.ToBase64String(File.ReadAllBytes(path))}";
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        _cache[path] = (file.LastWriteTimeUtc, file.Length, uri);
        return uri;
    }

    /// <summary>The media type of a plan image by its extension; null for any other file.</summary>
    public static string? MediaType(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        _ => null,
    };
}
