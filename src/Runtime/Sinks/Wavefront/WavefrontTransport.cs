using Instrumentation.Configuration;
using Instrumentation.Sinks.Shared;

namespace Instrumentation.Sinks.Wavefront;

/// <summary>
/// The transport the configuration asks for (docs/wavefront.md, "Transports"): plain lines to the proxy's ports, the
/// proxy's HTTP form, or direct ingestion over https with the token.
/// </summary>
internal static class WavefrontTransport
{
    private static readonly WavefrontDataKind[] Kinds = Enum.GetValues<WavefrontDataKind>();

    /// <summary>Builds the configured transport; <paramref name="handler"/> replaces the default HTTP handler (a test's, trusting its certificate).</summary>
    public static ILineTransport<WavefrontDataKind> Create(WavefrontOptions options, HttpMessageHandler? handler = null)
    {
        if (!string.IsNullOrWhiteSpace(options.Server))
        {
            return Http(new Uri(options.Server.Trim()), options.Token, handler ?? DefaultHandler());
        }

        var host = options.ProxyHost!.Trim();
        if (options.ProxyTransport == WavefrontProxyTransport.Http)
        {
            return Http(new UriBuilder(Uri.UriSchemeHttp, host, options.MetricsPort).Uri, token: null, handler ?? DefaultHandler());
        }

        return new TcpLineTransport<WavefrontDataKind>(host, new Dictionary<WavefrontDataKind, int>
        {
            [WavefrontDataKind.Metric] = options.MetricsPort,
            [WavefrontDataKind.Histogram] = options.HistogramsPort,
            [WavefrontDataKind.Span] = options.TracingPort,
            [WavefrontDataKind.SpanLog] = options.TracingPort,
        });
    }

    /// <summary>
    /// The HTTP ingestion form: <c>POST {base}/report?f=...</c> with a gzip body; with a bearer token for direct
    /// ingestion (https only), without one for a proxy's HTTP port.
    /// </summary>
    public static HttpLineTransport<WavefrontDataKind> Http(Uri baseUri, string? token, HttpMessageHandler handler)
    {
        var report = baseUri.AbsoluteUri.TrimEnd('/') + "/report?f=";
        return new HttpLineTransport<WavefrontDataKind>(Kinds.ToDictionary(kind => kind, kind => new Uri(report + Format(kind))), token, handler);
    }

    /// <summary>Where points go, for log messages: never the token.</summary>
    public static string Destination(WavefrontOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.Server))
        {
            return "Wavefront at " + new Uri(options.Server.Trim()).GetLeftPart(UriPartial.Path).TrimEnd('/');
        }

        var host = options.ProxyHost!.Trim();
        return options.ProxyTransport == WavefrontProxyTransport.Http
            ? "Wavefront at " + new UriBuilder(Uri.UriSchemeHttp, host, options.MetricsPort).Uri.AbsoluteUri.TrimEnd('/')
            : $"Wavefront at proxy {host} (metrics port {options.MetricsPort}, histograms {options.HistogramsPort}, tracing {options.TracingPort})";
    }

    private static string Format(WavefrontDataKind kind) => kind switch
    {
        WavefrontDataKind.Metric => "wavefront",
        WavefrontDataKind.Histogram => "histogram",
        WavefrontDataKind.Span => "trace",
        _ => "spanLogs",
    };

    private static SocketsHttpHandler DefaultHandler() => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };
}
