using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Instrumentation.Tracing;

/// <summary>
/// One traced attribute (of <c>Instrumentation:Tracing:TracedAttributes</c> or an endpoint's <c>[Traced(...)]</c>),
/// parsed once at startup: a request property or a header, copied to a span tag (Flask-OpenTracing's
/// <c>traced_attributes</c>). The names it accepts are <see cref="TracedAttributeRules"/>'.
/// </summary>
internal sealed class TracedProperty
{
    private const int MaxValueLength = 1024;

    private readonly int property;
    private readonly string? header;

    private TracedProperty(string key, int property, string? header)
    {
        Key = key;
        this.property = property;
        this.header = header;
    }

    /// <summary>The span tag key.</summary>
    public string Key { get; }

    /// <summary>Parses one entry: a property name (any case) or <c>header:</c> followed by a header name.</summary>
    public static bool TryParse(string? text, out TracedProperty? attribute)
    {
        var property = TracedAttributeRules.Parse(text, out var header);
        attribute = property switch
        {
            -1 => new TracedProperty("http.request.header." + header!.ToLowerInvariant(), -1, header),
            >= 0 => new TracedProperty(TracedAttributeRules.Properties[property], property, null),
            _ => null,
        };
        return attribute is not null;
    }

    /// <summary>Parses a list validation has accepted (configuration, at startup), leaving out a repeated tag key.</summary>
    public static TracedProperty[] ParseAll(IEnumerable<string> texts)
    {
        var parsed = new List<TracedProperty>();
        foreach (var text in texts)
        {
            if (TryParse(text, out var attribute) && !parsed.Exists(p => p.Key == attribute!.Key))
            {
                parsed.Add(attribute!);
            }
        }

        return [.. parsed];
    }

    /// <summary>
    /// An endpoint's own traced attributes, from every <c>[Traced(...)]</c> / <c>.Traced(...)</c> in its metadata (a
    /// controller's and its action's, a group's and its endpoint's add up), parsed once when the endpoint is bound.
    /// A name that is not a traced attribute stops the application's start: a constant one was already reported at
    /// build time (INSTR012), this catches names computed at run time (from configuration).
    /// </summary>
    public static TracedProperty[] ForEndpoint(EndpointMetadataCollection metadata, string? endpointName)
    {
        List<string>? names = null;
        foreach (var tracing in metadata.GetOrderedMetadata<ITracingMetadata>())
        {
            foreach (var name in tracing.Attributes)
            {
                if (!TracedAttributeRules.IsValid(name))
                {
                    throw new InvalidOperationException(
                        $"[Traced(...)] attribute '{name}' of endpoint '{endpointName}' must be one of {TracedAttributeRules.ValidNames}.");
                }

                (names ??= []).Add(name);
            }
        }

        return names is null ? [] : ParseAll(names);
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
}
