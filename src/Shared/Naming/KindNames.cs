namespace Instrumentation.Naming;

/// <summary>
/// The naming rules particular to the web kinds of endpoint (docs/naming.md, "Kinds"): Razor Pages' templates and
/// handler names, and the handler of the kinds that have no handler method of their own. Compiled into the generator
/// (which reads <c>.cshtml</c> files) and the runtime (which reads page descriptors), so both name a page alike.
/// </summary>
internal static class KindNames
{
    private const string IndexPage = "Index";

    /// <summary>
    /// The template of a Razor Page from its path under the pages root (<c>/Orders/Details</c>) and its <c>@page</c>
    /// route (null or empty when the directive has none). An <c>Index</c> page is reachable with and without its name;
    /// both endpoints are one page, named by the shorter template (<c>/Orders/Index</c> -> <c>/Orders</c>, <c>/Index</c>
    /// -> <c>/</c>). A route starting with <c>/</c> or <c>~/</c> replaces the path, as ASP.NET Core does.
    /// </summary>
    public static string PageTemplate(string pagePath, string? directiveRoute)
    {
        var route = directiveRoute?.Trim() ?? string.Empty;
        if (route.StartsWith("~/", StringComparison.Ordinal))
        {
            return "/" + route.Substring(2).Trim('/');
        }

        if (route.StartsWith("/", StringComparison.Ordinal))
        {
            return "/" + route.Trim('/');
        }

        var basePath = WithoutIndex(pagePath).TrimEnd('/');
        var combined = route.Length == 0 ? basePath : basePath + "/" + route.TrimEnd('/');
        return combined.Length == 0 ? "/" : combined;
    }

    /// <summary>
    /// The template a live page endpoint is catalogued under: its rendered template, with the <c>Index</c> segment of
    /// an <c>Index</c> page removed, so its two endpoints (<c>/Index</c> and <c>/</c>) meet in one entry.
    /// </summary>
    public static string PageCatalogTemplate(string renderedTemplate, string pagePath)
    {
        if (!IsIndex(pagePath))
        {
            return renderedTemplate;
        }

        var withIndex = pagePath.TrimEnd('/');
        if (!renderedTemplate.StartsWith(withIndex, StringComparison.OrdinalIgnoreCase)
            || (renderedTemplate.Length > withIndex.Length && renderedTemplate[withIndex.Length] != '/'))
        {
            return renderedTemplate;
        }

        var shorter = withIndex.Substring(0, withIndex.Length - IndexPage.Length).TrimEnd('/') + renderedTemplate.Substring(withIndex.Length);
        return shorter.Length == 0 ? "/" : shorter;
    }

    /// <summary>
    /// The handler name of a page for one method: the page path and the handler method that serves the method without
    /// a handler name (<c>/Orders/Details:OnGetAsync</c>); the page path alone when no such method exists (a page
    /// without a model, or a method the page does not handle).
    /// </summary>
    public static string PageHandler(string pagePath, string? handlerMethod) =>
        handlerMethod is null ? pagePath : pagePath + ":" + handlerMethod;

    /// <summary>
    /// The handler method of a page model that serves an HTTP method when no handler name is given: <c>OnGet</c> or
    /// <c>OnGetAsync</c> for GET (HEAD falls back to GET's, as ASP.NET Core's selector does). <paramref name="methods"/>
    /// are the model's public method names.
    /// </summary>
    public static string? PageHandlerMethod(IEnumerable<string> methods, string httpMethod)
    {
        string? Find(string verb)
        {
            var plain = "On" + verb.Substring(0, 1) + verb.Substring(1).ToLowerInvariant();
            string? found = null;
            foreach (var method in methods)
            {
                if (string.Equals(method, plain, StringComparison.Ordinal))
                {
                    return method;
                }

                if (string.Equals(method, plain + "Async", StringComparison.Ordinal))
                {
                    found = method;
                }
            }

            return found;
        }

        return Find(httpMethod) ?? (httpMethod == "HEAD" ? Find("GET") : null);
    }

    /// <summary>Whether a page path names an <c>Index</c> page.</summary>
    public static bool IsIndex(string pagePath) =>
        pagePath.TrimEnd('/').EndsWith("/" + IndexPage, StringComparison.OrdinalIgnoreCase);

    private static string WithoutIndex(string pagePath) =>
        IsIndex(pagePath) ? pagePath.TrimEnd('/').Substring(0, pagePath.TrimEnd('/').Length - IndexPage.Length) : pagePath;

    /// <summary>
    /// The names of an endpoint of a kind without a handler method of its own (health checks, the OpenAPI document,
    /// the identity API): named by its template like any route, with the kind as its handler.
    /// </summary>
    public static EndpointNames Framework(IReadOnlyList<IReadOnlyList<RoutePart>> segments, string method, string kind) =>
        EndpointNames.For(segments, method, null) with { Handler = kind, Kind = kind };
}
