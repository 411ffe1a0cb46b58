using System.Diagnostics;
using Instrumentation.TestSupport;
using Instrumentation.TestSupport.Wavefront;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Instrumentation.Tracing.Tests;

/// <summary>
/// The OpenTelemetry SDK registered the way applications do (<c>AddOpenTelemetry().WithMetrics(...).WithTracing(...)</c>
/// in the services), alone and together with OpenTelemetry.Instrumentation.AspNetCore: the SDK sees our per-route
/// instruments and one server span per request with the semantic-convention attributes, and neither instrumentation
/// double-counts or undoes the other.
/// </summary>
[Collection(ProcessWideTracingState.Name)]
public sealed class HostedOpenTelemetryTests
{
    /// <summary>(method, path, times, route as ASP.NET Core reports it, catalog template, status, handler).</summary>
    private static readonly (string Method, string Path, int Times, string Route, string Template, int Status, string Handler)[] Traffic =
    [
        ("GET", "/style/{0}/make", 3, "style/{id}/make", "/style/{id}/make", 200, "MakeShirts"),
        ("GET", "/style/missing/stock", 1, "style/{id}/stock", "/style/{id}/stock", 404, "Stock"),
        ("GET", "/api/Delivery/carrier", 2, "api/Delivery/carrier", "/api/Delivery/carrier", 502, "Carrier"),
        ("POST", "/catalog/refresh", 1, "/catalog/refresh", "/catalog/refresh", 500, "ThrowingRefresh"),
    ];

    private static int Requests => Traffic.Sum(t => t.Times);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_sdk_reads_our_per_route_counts_exactly(bool withAspNetCoreInstrumentation)
    {
        var capture = new MetricsCapture();
        await using var server = SampleServer.Start(services: services => services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter("Instrumentation.AspNetCore")
                .AddReader(new BaseExportingMetricReader(capture) { TemporalityPreference = MetricReaderTemporalityPreference.Cumulative });
            if (withAspNetCoreInstrumentation)
            {
                metrics.AddAspNetCoreInstrumentation();
            }
        }));

        await SendTraffic(server);
        server.Get<MeterProvider>().ForceFlush();

        foreach (var (method, _, times, route, template, status, _) in Traffic)
        {
            Assert.Equal(times, capture.Value("instrumentation.requests", template, method, status));
            Assert.InRange(capture.Value("instrumentation.request.time", template, method, status), 1e-7, 10 * times);
            if (withAspNetCoreInstrumentation)
            {
                // The built-in meter the instrumentation turns on counts the same requests once, under its own names.
                Assert.Equal(times, capture.Value("http.server.request.duration", route, method, status));
            }
        }

        Assert.Equal(0, capture.Value("instrumentation.active_requests", "/style/{id}/make", "GET", null));
        Assert.Equal("Ordering", capture.ScopeTags["application"]);
    }

    [Fact]
    public async Task With_the_aspnetcore_instrumentation_renaming_the_span_wavefront_still_gets_the_name_operation_name_chose()
    {
        await using var proxy = FakeWavefrontProxy.Create();
        var exported = new List<Activity>();
        await using var server = SampleServer.Start(Spans.WavefrontSettings(proxy), services => services.AddOpenTelemetry().WithTracing(tracing =>
            tracing.AddSource("Microsoft.AspNetCore").AddAspNetCoreInstrumentation().AddProcessor(new SimpleActivityExportProcessor(new ListExporter(exported)))));

        (await server.Client.GetAsync("/style/42/make")).EnsureSuccessStatusCode();

        var sent = Assert.Single(await Spans.WaitAsync(proxy, span => span.IsServer()));
        Assert.Equal("MakeShirts", sent.Operation);
        var seen = Assert.Single(await ServerSpans(exported, 1));
        Assert.Equal("GET style/{id}/make", seen.DisplayName); // the instrumentation's own name, for its own users
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_sdk_exports_one_server_span_per_request_with_our_enrichment_once(bool withAspNetCoreInstrumentation)
    {
        var exported = new List<Activity>();
        await using var server = SampleServer.Start(services: services => services.AddOpenTelemetry().WithTracing(tracing =>
        {
            tracing.AddSource("Microsoft.AspNetCore").AddProcessor(new SimpleActivityExportProcessor(new ListExporter(exported)));
            if (withAspNetCoreInstrumentation)
            {
                tracing.AddAspNetCoreInstrumentation();
            }
        }));

        await SendTraffic(server);
        var spans = await ServerSpans(exported, Requests);

        Assert.Equal(Requests, spans.Select(s => s.SpanId).Distinct().Count());
        Assert.Equal(Requests, spans.Select(s => s.TraceId).Distinct().Count());
        foreach (var (method, _, times, route, _, status, handler) in Traffic)
        {
            var ofRoute = spans.Where(s => Equals(s.GetTagItem("aspnetcore.func"), handler)).ToList();
            Assert.Equal(times, ofRoute.Count);
            foreach (var span in ofRoute)
            {
                var tags = string.Join(", ", span.TagObjects.Select(t => $"{t.Key}={t.Value}"));

                // The name: ours (the configuration's choice) alone; with the instrumentation, its own "{method} {route}",
                // which it sets after the request has left every middleware (docs/tracing.md says so).
                var name = withAspNetCoreInstrumentation ? $"{method} {route}" : handler;
                Assert.True(name == span.DisplayName, $"{span.DisplayName} named, {name} expected; tags {tags}");

                // Ours, each once: the Flask-OpenTracing tags.
                foreach (var key in new[] { "component", "http.method", "http.url", "http.status_code", "aspnetcore.func" })
                {
                    Assert.True(span.TagObjects.Count(t => t.Key == key) == 1, $"{key} once in {tags}");
                }

                // The semantic conventions' attributes, each once.
                Assert.Equal(method, Single(span, "http.request.method", tags));
                Assert.Equal(route, Single(span, "http.route", tags));
                Assert.Equal(status, Convert.ToInt32(Single(span, "http.response.status_code", tags), System.Globalization.CultureInfo.InvariantCulture));
                Assert.Equal("http", Single(span, "url.scheme", tags));
                if (status >= 500)
                {
                    Assert.Equal(status == 500 ? "System.InvalidOperationException" : "502", Single(span, "error.type", tags));
                    Assert.Equal(ActivityStatusCode.Error, span.Status);
                }
            }
        }

        var failed = Assert.Single(spans, s => Equals(s.GetTagItem("aspnetcore.func"), "ThrowingRefresh"));
        Assert.Single(failed.Events, e => e.Name == "exception");
    }

    private static object? Single(Activity span, string key, string tags)
    {
        var found = span.TagObjects.Where(t => t.Key == key).ToList();
        Assert.True(found.Count == 1, $"{key} {found.Count} times in {tags}");
        return found[0].Value;
    }

    private static async Task SendTraffic(SampleServer server)
    {
        using var client = Spans.PlainClient(server.BaseAddress);
        foreach (var (method, path, times, _, _, status, _) in Traffic)
        {
            for (var i = 0; i < times; i++)
            {
                using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), string.Format(System.Globalization.CultureInfo.InvariantCulture, path, i)));
                Assert.Equal(status, (int)response.StatusCode);
            }
        }
    }

    // The SDK exports a span when hosting stops its Activity, which may be after the client has its response; then a
    // moment more, so a second span for any request would be there too.
    private static async Task<List<Activity>> ServerSpans(List<Activity> exported, int count)
    {
        var deadline = DateTime.UtcNow + Spans.Timeout;
        while (true)
        {
            lock (exported)
            {
                if (exported.Count(a => a.Kind == ActivityKind.Server) >= count)
                {
                    break;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"the SDK exported fewer than {count} server spans");
            await Task.Delay(10);
        }

        await Task.Delay(200);
        lock (exported)
        {
            return exported.Where(a => a.Kind == ActivityKind.Server).ToList();
        }
    }
}
