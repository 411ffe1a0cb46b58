using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Instrumentation.Benchmarks;

/// <summary>
/// One GET through ASP.NET Core's hosting pipeline and routing to a minimal-API endpoint, per configuration:
/// no instrumentation; this library (metrics only); the OpenTelemetry SDK listening to ASP.NET Core's built-in
/// Microsoft.AspNetCore.Hosting meter.
/// </summary>
[MemoryDiagnoser]
public class RequestBenchmarks
{
    private (WebApplication App, InMemoryServer Server) none;
    private (WebApplication App, InMemoryServer Server) instrumented;
    private (WebApplication App, InMemoryServer Server) openTelemetry;
    private (WebApplication App, InMemoryServer Server) withCpuTime;
    private MeterProvider? meterProvider;

    [GlobalSetup]
    public void Setup()
    {
        none = InMemoryHost.Start(_ => { }, app => Map(app, instrument: false));
        instrumented = InMemoryHost.Start(
            builder =>
            {
                builder.Configuration.AddInMemoryCollection(MetricsOnly);
                builder.Services.AddInstrumentation();
            },
            app =>
            {
                app.UseInstrumentation();
                Map(app, instrument: true);
            });
        openTelemetry = InMemoryHost.Start(_ => { }, app => Map(app, instrument: false));
        withCpuTime = InMemoryHost.Start(
            builder =>
            {
                // Wavefront on (pointed at a closed port: reporting runs in the background) so cpu_ns is measured.
                builder.Configuration.AddInMemoryCollection(MetricsOnly);
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Instrumentation:Wavefront:CpuTime"] = "true",
                    ["Instrumentation:Wavefront:ProxyHost"] = "127.0.0.1",
                    ["Instrumentation:Wavefront:MetricsPort"] = "9",
                    ["Instrumentation:Wavefront:HistogramsPort"] = "9",
                    ["Instrumentation:Wavefront:ReportingIntervalSeconds"] = "3600",
                });
                builder.Services.AddInstrumentation();
            },
            app =>
            {
                app.UseInstrumentation();
                Map(app, instrument: true);
            });
        var exporter = new DiscardingExporter();
        meterProvider = Sdk.CreateMeterProviderBuilder()
            .AddMeter("Microsoft.AspNetCore.Hosting")
            .AddReader(new PeriodicExportingMetricReader(exporter, exportIntervalMilliseconds: 3_600_000))
            .Build();

        foreach (var host in new[] { none, instrumented, openTelemetry, withCpuTime })
        {
            host.Server.Send("GET", "/style/42/make").GetAwaiter().GetResult();
        }

        // The comparison is only fair if the SDK really records: check it saw the request.
        meterProvider.ForceFlush();
        if (!exporter.Seen.Contains("http.server.request.duration"))
        {
            throw new InvalidOperationException($"the OpenTelemetry SDK recorded nothing from the hosting meter (saw: {string.Join(", ", exporter.Seen)})");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        meterProvider?.Dispose();
        foreach (var host in new[] { none, instrumented, openTelemetry, withCpuTime })
        {
            host.App.StopAsync().GetAwaiter().GetResult();
        }
    }

    [Benchmark(Baseline = true, Description = "(a) no instrumentation")]
    public Task NoInstrumentation() => none.Server.Send("GET", "/style/42/make");

    [Benchmark(Description = "(b) Instrumentation")]
    public Task Instrumentation() => instrumented.Server.Send("GET", "/style/42/make");

    [Benchmark(Description = "(c) OpenTelemetry SDK, hosting meter")]
    public Task OpenTelemetrySdk() => openTelemetry.Server.Send("GET", "/style/42/make");

    [Benchmark(Description = "(b') Instrumentation + Wavefront cpu_ns")]
    public Task InstrumentationWithCpuTime() => withCpuTime.Server.Send("GET", "/style/42/make");

    internal static readonly Dictionary<string, string?> MetricsOnly = new()
    {
        ["Instrumentation:Tracing:Enabled"] = "false",
        ["Instrumentation:Wavefront:CpuTime"] = "false",
    };

    private static void Map(WebApplication app, bool instrument)
    {
        var endpoint = app.MapGet("/style/{id}/make", (string id) => "Shirts made.");
        if (instrument)
        {
            endpoint.Instrumented();
        }
    }

    private sealed class DiscardingExporter : BaseExporter<Metric>
    {
        public HashSet<string> Seen { get; } = [];

        public override ExportResult Export(in Batch<Metric> batch)
        {
            foreach (var metric in batch)
            {
                Seen.Add(metric.Name);
            }

            return ExportResult.Success;
        }
    }
}
