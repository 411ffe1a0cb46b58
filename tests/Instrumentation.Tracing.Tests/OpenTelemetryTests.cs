using System.Diagnostics;
using Instrumentation.TestSupport;
using Instrumentation.TestSupport.Wavefront;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Instrumentation.Tracing.Tests;

/// <summary>The OpenTelemetry SDK, added the usual way, sees our spans and our per-route measurements.</summary>
[Collection(ProcessWideTracingState.Name)]
public sealed class OpenTelemetryTests
{
    [Fact]
    public async Task The_sdk_exports_our_server_spans_unchanged()
    {
        var exported = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource("Microsoft.AspNetCore")
            .AddProcessor(new SimpleActivityExportProcessor(new ListExporter(exported)))
            .Build();
        await using var proxy = FakeWavefrontProxy.Create();
        await using var server = SampleServer.Start(Spans.WavefrontSettings(proxy));
        using var client = Spans.PlainClient(server.BaseAddress);

        Assert.True((await client.GetAsync("/style/42/make")).IsSuccessStatusCode);
        var line = Assert.Single(await Spans.WaitAsync(proxy, s => s.Operation == "MakeShirts"));

        Activity activity;
        lock (exported)
        {
            activity = Assert.Single(exported, a => a.DisplayName == "MakeShirts");
        }

        Assert.Equal(ActivityKind.Server, activity.Kind);
        Assert.Equal(line.TraceId, Guid.ParseExact(activity.TraceId.ToHexString(), "N"));
        Assert.Equal(line.SpanId, Spans.SpanGuid(activity.SpanId));
        Assert.Equal("aspnetcore", activity.GetTagItem("component"));
        Assert.Equal("GET", activity.GetTagItem("http.method"));
        Assert.Equal(new Uri(server.BaseAddress, "/style/42/make").ToString(), activity.GetTagItem("http.url"));
        Assert.Equal(200, activity.GetTagItem("http.status_code"));
        Assert.Equal("MakeShirts", activity.GetTagItem("aspnetcore.func"));
    }

    [Fact]
    public async Task Our_sampler_decides_wavefront_export_whatever_the_sdk_records()
    {
        var exported = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource("Microsoft.AspNetCore")
            .SetSampler(new AlwaysOnSampler())
            .AddProcessor(new SimpleActivityExportProcessor(new ListExporter(exported)))
            .Build();
        await using var proxy = FakeWavefrontProxy.Create();
        var settings = Spans.WavefrontSettings(proxy);
        settings["Instrumentation:Tracing:SamplingRate"] = "0";
        settings["Instrumentation:Tracing:Propagation:0"] = "b3";
        await using var server = SampleServer.Start(settings);
        using var client = Spans.PlainClient(server.BaseAddress);

        // Low bits 1: not kept at rate 0; the SDK samples everything.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/style/5/make");
        request.Headers.Add("b3", "fedcba98765432100000000000000001-00f067aa0ba902b7");
        Assert.True((await client.SendAsync(request)).IsSuccessStatusCode);
        await client.GetAsync("/api/delivery/carrier"); // a failure, always sent to Wavefront, after it
        await Spans.WaitAsync(proxy, s => s.Operation == "Carrier");

        Assert.DoesNotContain(Spans.All(proxy), s => s.Operation == "MakeShirts");
        lock (exported)
        {
            var activity = Assert.Single(exported, a => a.DisplayName == "MakeShirts");
            Assert.Equal("fedcba98765432100000000000000001", activity.TraceId.ToHexString());
            Assert.Equal("aspnetcore", activity.GetTagItem("component"));
            Assert.Equal(200, activity.GetTagItem("http.status_code"));
        }
    }

    [Fact]
    public async Task With_nothing_exporting_spans_the_sdk_sees_our_tags_once()
    {
        var exported = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource("Microsoft.AspNetCore")
            .AddProcessor(new SimpleActivityExportProcessor(new ListExporter(exported)))
            .Build();
        await using var server = SampleServer.Start();
        using var client = Spans.PlainClient(server.BaseAddress);

        Assert.True((await client.GetAsync("/style/42/make")).IsSuccessStatusCode);

        Assert.False(server.Get<RequestTracer>().Exporting);
        var activity = await ExportedAsync(exported, "MakeShirts");
        Assert.Equal(ActivityKind.Server, activity.Kind);
        Assert.Equal("aspnetcore", activity.GetTagItem("component"));
        Assert.Equal("GET", activity.GetTagItem("http.method"));
        Assert.Equal(new Uri(server.BaseAddress, "/style/42/make").ToString(), activity.GetTagItem("http.url"));
        Assert.Equal(200, activity.GetTagItem("http.status_code"));
        Assert.Equal("MakeShirts", activity.GetTagItem("aspnetcore.func"));
        foreach (var key in new[] { "component", "http.method", "http.url", "http.status_code", "aspnetcore.func" })
        {
            Assert.Single(activity.TagObjects, tag => tag.Key == key);
        }
    }

    [Fact]
    public async Task The_sdk_reads_per_route_measurements_from_the_meter()
    {
        await using var server = SampleServer.Start();
        var exporter = new MetricsCapture();
        using var metrics = Sdk.CreateMeterProviderBuilder()
            .AddMeter("Instrumentation.AspNetCore")
            .AddReader(new BaseExportingMetricReader(exporter) { TemporalityPreference = MetricReaderTemporalityPreference.Cumulative })
            .Build();
        using var client = Spans.PlainClient(server.BaseAddress);
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await client.GetAsync($"/style/{i}/make")).IsSuccessStatusCode);
        }

        Assert.Equal(404, (int)(await client.GetAsync("/style/missing/stock")).StatusCode);
        metrics.ForceFlush();

        Assert.Equal(3, exporter.Value("instrumentation.requests", "/style/{id}/make", "GET", 200));
        Assert.Equal(1, exporter.Value("instrumentation.requests", "/style/{id}/stock", "GET", 404));
        Assert.InRange(exporter.Value("instrumentation.request.time", "/style/{id}/make", "GET", 200), 1e-7, 10);
        Assert.Equal(0, exporter.Value("instrumentation.active_requests", "/style/{id}/make", "GET", null));
        Assert.Equal("Ordering", exporter.ScopeTags["application"]);
        Assert.Equal("styling", exporter.ScopeTags["service"]);
    }

    // The SDK exports a span when hosting stops its Activity, which may be after the client has its response.
    private static async Task<Activity> ExportedAsync(List<Activity> exported, string name)
    {
        var deadline = DateTime.UtcNow + Spans.Timeout;
        while (true)
        {
            lock (exported)
            {
                if (exported.Find(a => a.DisplayName == name) is { } found)
                {
                    return found;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"the SDK exported no span named {name}");
            await Task.Delay(10);
        }
    }
}
