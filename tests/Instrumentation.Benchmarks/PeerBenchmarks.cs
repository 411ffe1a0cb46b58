using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Prometheus;

namespace Instrumentation.Benchmarks;

/// <summary>
/// The same GET through the same in-memory hosting pipeline, instrumented by this library and by the libraries a .NET
/// team would pick instead, in one run: prometheus-net's <c>UseHttpMetrics()</c> and the OpenTelemetry ASP.NET Core
/// instrumentation (metrics; metrics and tracing with an always-on sampler and an exporter that discards). Each case
/// has its own host and, through BenchmarkDotNet, its own process, so no listener of one case touches another.
/// </summary>
[MemoryDiagnoser]
public class PeerBenchmarks
{
    private const string Path = "/style/42/make";
    private BenchmarkHost host = null!;
    private IDisposable? subscription;

    [GlobalSetup(Target = nameof(None))]
    public void SetupNone() => host = BenchmarkHost.Plain();

    [GlobalSetup(Target = nameof(OursMetrics))]
    public void SetupOursMetrics() => host = BenchmarkHost.Instrumented(RequestBenchmarks.MetricsOnly);

    // What a newcomer gets from the README: nothing configured, so tracing on, and nothing exporting spans.
    [GlobalSetup(Target = nameof(OursDefaults))]
    public void SetupOursDefaults() => host = BenchmarkHost.Instrumented(new Dictionary<string, string?>());

    [GlobalSetup(Target = nameof(OursTracingExported))]
    public void SetupOursTracingExported() => host = TracingBenchmarks.TracedAndExporting();

    [GlobalSetup(Target = nameof(PrometheusNet))]
    public void SetupPrometheusNet()
    {
        host = BenchmarkHost.Plain(app =>
        {
            // prometheus-net labels by route only when routing has run first, as its README sets it up.
            app.UseRouting();
            app.UseHttpMetrics();
        });

        // Fair only if it really records: its request histogram must hold the warm-up request under its route.
        using var exposition = new MemoryStream();
        Metrics.DefaultRegistry.CollectAndExportAsTextAsync(exposition).GetAwaiter().GetResult();
        var text = System.Text.Encoding.UTF8.GetString(exposition.ToArray());
        if (!text.Contains("http_request_duration_seconds_count{", StringComparison.Ordinal) || !text.Contains("endpoint=\"/style/{id}/make\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("prometheus-net recorded no request for the route: " + text);
        }
    }

    [GlobalSetup(Target = nameof(OpenTelemetryMetrics))]
    public void SetupOpenTelemetryMetrics()
    {
        var exporter = new DiscardingExporter<Metric>();
        host = BenchmarkHost.Plain(services: services => services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddReader(new PeriodicExportingMetricReader(exporter, exportIntervalMilliseconds: 3_600_000))));
        host.Get<MeterProvider>().ForceFlush();
        exporter.Require("http.server.request.duration");
    }

    [GlobalSetup(Target = nameof(OpenTelemetryMetricsAndTracing))]
    public void SetupOpenTelemetryMetricsAndTracing()
    {
        var metricExporter = new DiscardingExporter<Metric>();
        var spanExporter = new DiscardingExporter<Activity>();
        host = BenchmarkHost.Plain(services: services => services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddReader(new PeriodicExportingMetricReader(metricExporter, exportIntervalMilliseconds: 3_600_000)))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation()
                .SetSampler(new AlwaysOnSampler())
                .AddProcessor(new SimpleActivityExportProcessor(spanExporter))));
        host.Get<MeterProvider>().ForceFlush();
        metricExporter.Require("http.server.request.duration");
        spanExporter.Require("Microsoft.AspNetCore");
    }

    // What any per-request latency histogram pays, the floor under (b): two clock reads and one record.
    [GlobalSetup(Target = nameof(LatencyFloor))]
    public void SetupLatencyFloor() => host = RequestBenchmarks.FloorHost();

    // The floor under (b2) - (b): to pass an incoming trace context on, something must subscribe to hosting's
    // DiagnosticListener (or listen to its Activity), and once anything subscribes hosting asks it about every request.
    // This is metrics only plus a subscriber that declines every event; (b2) adds only our trace-header check to it.
    [GlobalSetup(Target = nameof(PropagationFloor))]
    public void SetupPropagationFloor()
    {
        host = BenchmarkHost.Instrumented(RequestBenchmarks.MetricsOnly);
        subscription = host.Get<DiagnosticListener>().Subscribe(new DecliningObserver(), static (_, _, _) => false);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        subscription?.Dispose();
        host.Dispose();
    }

    [Benchmark(Baseline = true, Description = "(a) no instrumentation")]
    public Task None() => host.Send(Path);

    [Benchmark(Description = "(b) Instrumentation, metrics only (tracing off)")]
    public Task OursMetrics() => host.Send(Path);

    [Benchmark(Description = "(b2) Instrumentation, defaults (tracing on, nothing exporting spans)")]
    public Task OursDefaults() => host.Send(Path);

    [Benchmark(Description = "(b3) Instrumentation, tracing exported (Wavefront sender, discarding transport)")]
    public Task OursTracingExported() => host.Send(Path);

    [Benchmark(Description = "(f) floor under (b): two clock reads and one histogram record")]
    public Task LatencyFloor() => host.Send(Path);

    [Benchmark(Description = "(f2) floor under (b2): (b) plus a hosting DiagnosticListener subscriber that declines everything")]
    public Task PropagationFloor() => host.Send(Path);

    [Benchmark(Description = "(p) prometheus-net UseHttpMetrics()")]
    public Task PrometheusNet() => host.Send(Path);

    [Benchmark(Description = "(o1) OpenTelemetry AddAspNetCoreInstrumentation(), metrics")]
    public Task OpenTelemetryMetrics() => host.Send(Path);

    [Benchmark(Description = "(o2) OpenTelemetry AddAspNetCoreInstrumentation(), metrics + tracing (always on, discarding exporter)")]
    public Task OpenTelemetryMetricsAndTracing() => host.Send(Path);

    private sealed class DecliningObserver : IObserver<KeyValuePair<string, object?>>
    {
        public void OnNext(KeyValuePair<string, object?> value)
        {
        }

        public void OnError(Exception error)
        {
        }

        public void OnCompleted()
        {
        }
    }
}
