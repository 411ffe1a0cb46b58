using System.Collections.Frozen;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Instrumentation.Dashboard;

/// <summary>
/// The page, its script and styles, and the vendored uPlot with its licence: resources embedded in this assembly, so
/// the dashboard needs no CDN and works offline. Every response forbids caching and carries a Content-Security-Policy
/// that allows this path's own scripts, styles and JSON and nothing else (no inline script, no other origin).
/// </summary>
internal static class DashboardAssets
{
    /// <summary>Stands in index.html for the dashboard's path, so links work whatever path it is mapped at.</summary>
    private const string BasePlaceholder = "{{base}}";

    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["dashboard.js"] = "text/javascript; charset=utf-8",
        ["dashboard.css"] = "text/css; charset=utf-8",
        ["uPlot.iife.min.js"] = "text/javascript; charset=utf-8",
        ["uPlot.min.css"] = "text/css; charset=utf-8",
        ["uPlot.LICENSE"] = "text/plain; charset=utf-8",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly Lazy<FrozenDictionary<string, byte[]>> Files = new(Load);

    /// <summary>The headers every dashboard response carries.</summary>
    public static void Protect(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
    }

    /// <summary>Writes the page, its links pointing under <paramref name="basePath"/>.</summary>
    public static Task WritePage(HttpContext context, string basePath)
    {
        var html = Encoding.UTF8.GetString(Files.Value["index.html"])
            .Replace(BasePlaceholder, System.Net.WebUtility.HtmlEncode(basePath), StringComparison.Ordinal);
        Protect(context.Response);
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(html, context.RequestAborted);
    }

    /// <summary>Writes one named asset, or a 404 for a name that is not one of them.</summary>
    public static Task WriteAsset(HttpContext context, string? name)
    {
        Protect(context.Response);
        if (name is null || !ContentTypes.TryGetValue(name, out var contentType))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        var bytes = Files.Value[name];
        context.Response.ContentType = contentType;
        context.Response.ContentLength = bytes.Length;
        return context.Response.Body.WriteAsync(bytes, context.RequestAborted).AsTask();
    }

    private static FrozenDictionary<string, byte[]> Load()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in ContentTypes.Keys.Append("index.html"))
        {
            using var stream = assembly.GetManifestResourceStream("Dashboard/" + name)
                ?? throw new InvalidOperationException($"The dashboard resource {name} is missing from the assembly.");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files[name] = copy.ToArray();
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
