using Instrumentation.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Instrumentation.Sinks.Wavefront;

/// <summary>
/// Decides at startup whether Wavefront reporting runs and builds its sender for the configured transport. A
/// singleton, so metrics and tracing share one set of buffers and connections.
/// </summary>
internal sealed class WavefrontRuntime : IDisposable
{
    public WavefrontRuntime(IOptions<InstrumentationOptions> options, ILoggerFactory loggers, WavefrontTestHooks? hooks = null)
    {
        Time = hooks?.Time ?? TimeProvider.System;
        var wavefront = options.Value.Wavefront;
        if (!wavefront.IsActive)
        {
            Destination = "nowhere";
            return;
        }

        IWavefrontTransport transport;
        if (hooks?.Transport is { } testTransport)
        {
            Destination = "a test transport";
            transport = testTransport();
        }
        else if (!string.IsNullOrWhiteSpace(wavefront.Server))
        {
            var server = new Uri(wavefront.Server.Trim());
            Destination = server.GetLeftPart(UriPartial.Path).TrimEnd('/');
            transport = new WavefrontHttpTransport(server, wavefront.Token, hooks?.HttpHandler?.Invoke() ?? DefaultHandler());
        }
        else
        {
            var host = wavefront.ProxyHost!.Trim();
            if (wavefront.ProxyTransport == WavefrontProxyTransport.Http)
            {
                var proxy = new UriBuilder(Uri.UriSchemeHttp, host, wavefront.MetricsPort).Uri;
                Destination = proxy.AbsoluteUri.TrimEnd('/');
                transport = new WavefrontHttpTransport(proxy, token: null, hooks?.HttpHandler?.Invoke() ?? DefaultHandler());
            }
            else
            {
                Destination = $"proxy {host} (metrics port {wavefront.MetricsPort}, histograms {wavefront.HistogramsPort}, tracing {wavefront.TracingPort})";
                transport = new WavefrontTcpTransport(host, wavefront.MetricsPort, wavefront.HistogramsPort, wavefront.TracingPort, Time);
            }
        }

        Sender = new WavefrontSender(
            transport, wavefront.MaxQueueSize, wavefront.BatchSize, Destination, loggers.CreateLogger("Instrumentation.Wavefront"), Time);
    }

    /// <summary>The sender, or null when Wavefront reporting is off.</summary>
    public WavefrontSender? Sender { get; }

    /// <summary>Where points go, for log messages: never the token.</summary>
    public string Destination { get; }

    public TimeProvider Time { get; }

    public void Dispose() => Sender?.Dispose();

    private static SocketsHttpHandler DefaultHandler() => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };
}

/// <summary>
/// Test seams: a handler that trusts a test certificate, a clock, a transport in place of the configured one.
/// Registered only by tests and benchmarks.
/// </summary>
internal sealed class WavefrontTestHooks
{
    public Func<IWavefrontTransport>? Transport { get; init; }

    public Func<HttpMessageHandler>? HttpHandler { get; init; }

    public TimeProvider? Time { get; init; }
}
