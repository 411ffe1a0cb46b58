using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Instrumentation.Tracing;

/// <summary>
/// One entry of <c>Instrumentation:Tracing:TracedAttributes</c>, parsed once at startup: a request property or a
/// header, copied to a span tag (Flask-OpenTracing's <c>traced_attributes</c>).
/// </summary>
internal sealed class TracedProperty
{
    private const string HeaderPrefix = "header:";
    private const int MaxValueLength = 1024;

    private static readonly string[] PropertyNames =
        ["Path", "PathBase", "Method", "Scheme", "Host", "Protocol", "QueryString", "ContentType", "ContentLength", "RemoteIpAddress"];

    private readonly int property;
    private readonly string? header;

    private TracedProperty(string key, int property, string? header)
    {
        Key = key;
        this.property = property;
        this.header = header;
    }

    /// <summary>The names accepted besides <c>header:Name</c>, for error messages and docs.</summary>
    public static IReadOnlyList<string> Properties => PropertyNames;

    /// <summary>The span tag key.</summary>
    public string Key { get; }

    /// <summary>Parses one entry: a property name (any case) or <c>header:</c> followed by a header name.</summary>
    public static bool TryParse(string? text, out TracedProperty? attribute)
    {
        attribute = null;
        var value = text?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        if (value.StartsWith(HeaderPrefix, StringComparison.OrdinalIgnoreCase))
        {
            var name = value[HeaderPrefix.Length..].Trim();
            if (name.Length == 0 || !IsToken(name))
            {
                return false;
            }

            attribute = new TracedProperty("http.request.header." + name.ToLowerInvariant(), -1, name);
            return true;
        }

        for (var i = 0; i < PropertyNames.Length; i++)
        {
            if (string.Equals(PropertyNames[i], value, StringComparison.OrdinalIgnoreCase))
            {
                attribute = new TracedProperty(PropertyNames[i], i, null);
                return true;
            }
        }

        return false;
    }

    /// <summary>The value for this request, or null when it has none.</summary>
    public string? Read(HttpContext context)
    {
        var request = context.Request;
        var value = property switch
        {
            0 => request.Path.Value,
            1 => request.PathBase.Value,
            2 => request.Method,
            3 => request.Scheme,
            4 => request.Host.Value,
            5 => request.Protocol,
            6 => request.QueryString.Value,
            7 => request.ContentType,
            8 => request.ContentLength?.ToString(CultureInfo.InvariantCulture),
            9 => context.Connection.RemoteIpAddress?.ToString(),
            _ => request.Headers.TryGetValue(header!, out var values) && values.Count > 0 ? values.ToString() : null,
        };

        // Headers are the client's to choose: a huge one must not make a huge span.
        return value is { Length: > MaxValueLength } ? value[..MaxValueLength] : value;
    }

    private static bool IsToken(string text)
    {
        foreach (var c in text)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_' or '.' or '!' or '#' or '$' or
                '%' or '&' or '\'' or '*' or '+' or '^' or '`' or '|' or '~'))
            {
                return false;
            }
        }

        return true;
    }
}
