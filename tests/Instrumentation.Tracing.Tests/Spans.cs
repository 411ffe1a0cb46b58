using System.Diagnostics;
using Instrumentation.TestSupport;
using Instrumentation.TestSupport.Wavefront;

namespace Instrumentation.Tracing.Tests;

/// <summary>Reads what a fake Wavefront proxy received, every line through the strict parser.</summary>
internal static class Spans
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <summary>Every record received; a line that breaks the protocol fails the test here.</summary>
    public static List<WavefrontRecord> Records(FakeWavefrontProxy proxy) => proxy.Lines.Select(WavefrontLineParser.Parse).ToList();

    public static List<WavefrontSpan> All(FakeWavefrontProxy proxy) => Records(proxy).OfType<WavefrontSpan>().ToList();

    public static List<WavefrontSpanLog> Logs(FakeWavefrontProxy proxy) => Records(proxy).OfType<WavefrontSpanLog>().ToList();

    /// <summary>Waits for the spans matching a condition and returns them.</summary>
    public static async Task<List<WavefrontSpan>> WaitAsync(FakeWavefrontProxy proxy, Func<WavefrontSpan, bool> match, int count = 1, string? what = null)
    {
        await proxy.WaitForAsync(
            lines => lines.Select(WavefrontLineParser.Parse).OfType<WavefrontSpan>().Count(match) >= count,
            Timeout,
            what ?? $"{count} matching span(s)");
        return All(proxy).Where(match).ToList();
    }

    public static bool IsServer(this WavefrontSpan span) => span.Tag("span.kind") == "server";

    public static bool IsClient(this WavefrontSpan span) => span.Tag("span.kind") == "client";

    /// <summary>A span's trace id as W3C hex.</summary>
    public static string TraceHex(this WavefrontSpan span) => span.TraceId.ToString("N");

    /// <summary>The UUID Wavefront uses for a W3C span id.</summary>
    public static Guid SpanGuid(string spanHex) => Guid.Parse("0000000000000000" + spanHex);

    public static Guid SpanGuid(ActivitySpanId spanId) => SpanGuid(spanId.ToHexString());

    /// <summary>Configuration that points every Wavefront port at the fake proxy and reports quickly.</summary>
    public static Dictionary<string, string?> WavefrontSettings(FakeWavefrontProxy proxy) => new()
    {
        ["Instrumentation:Wavefront:ProxyHost"] = "127.0.0.1",
        ["Instrumentation:Wavefront:MetricsPort"] = proxy.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Instrumentation:Wavefront:HistogramsPort"] = proxy.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Instrumentation:Wavefront:TracingPort"] = proxy.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Instrumentation:Wavefront:FlushIntervalSeconds"] = "1",
        ["Instrumentation:Wavefront:ReportingIntervalSeconds"] = "3600",
        ["Instrumentation:Wavefront:ReportInternalMetrics"] = "false",
        ["Instrumentation:Tracing:DerivedMetricsIntervalSeconds"] = "1",
    };

    /// <summary>An HttpClient that sends only the headers a test sets: no trace context of the test process's own.</summary>
    public static HttpClient PlainClient(Uri baseAddress) => new(new SocketsHttpHandler
    {
        ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator(),
    })
    {
        BaseAddress = baseAddress,
    };
}
