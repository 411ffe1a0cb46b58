using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Instrumentation.Instruments;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Instrumentation.Benchmarks;

/// <summary>
/// One GET through ASP.NET Core's hosting pipeline and routing to a minimal-API endpoint, per configuration:
/// no instrumentation; this library (metrics only); this library with Wavefront's cpu_ns; the OpenTelemetry SDK
/// listening to ASP.NET Core's built-in Microsoft.AspNetCore.Hosting meter. Each case sets up only its own host, so
/// no listener of one case (the SDK listens to every meter of that name in the process) touches another.
/// </summary>
[MemoryDiagnoser]
public class RequestBenchmarks
{
    private const string Path = "/style/42/make";
    private BenchmarkHost host = null!;
    private MeterProvider? meterProvider;

    internal static readonly Dictionary<string, string?> MetricsOnly = new()
    {
        ["Instrumentation:Tracing:Enabled"] = "false",
        ["Instrumentation:Wavefront:CpuTime"] = "false",
    };

    [GlobalSetup(Target = nameof(NoInstrumentation))]
    public void SetupNone() => host = BenchmarkHost.Plain();

    [GlobalSetup(Target = nameof(Instrumentation))]
    public void SetupInstrumentation() => host = BenchmarkHost.Instrumented(MetricsOnly);

    [GlobalSetup(Target = nameof(InstrumentationWithCpuTime))]
    public void SetupCpuTime() => host = BenchmarkHost.Instrumented(new Dictionary<string, string?>(MetricsOnly)
    {
        // Wavefront on (pointed at the discard port; reporting runs in the background, hourly) so cpu_ns is measured.
        ["Instrumentation:Wavefront:CpuTime"] = "true",
        ["Instrumentation:Wavefront:ProxyHost"] = "127.0.0.1",
        ["Instrumentation:Wavefront:MetricsPort"] = "9",
        ["Instrumentation:Wavefront:HistogramsPort"] = "9",
        ["Instrumentation:Wavefront:ReportingIntervalSeconds"] = "3600",
    });

    [GlobalSetup(Target = nameof(Floor))]
    public void SetupFloor() => host = FloorHost();

    /// <summary>The latency floor, also a row of <see cref="PeerBenchmarks"/>.</summary>
    internal static BenchmarkHost FloorHost() => BenchmarkHost.Plain(app =>
    {
        // The least any per-request latency histogram can do: read the clock on the way in and out, record once.
        var latency = new LogHistogram();
        app.Use(next => context =>
        {
            var start = Stopwatch.GetTimestamp();
            var task = next(context);
            if (task.IsCompletedSuccessfully)
            {
                latency.Record(Stopwatch.GetTimestamp() - start);
                return Task.CompletedTask;
            }

            return RecordWhenDone(task, start, latency);
        });
    });

    [GlobalSetup(Target = nameof(OpenTelemetrySdk))]
    public void SetupOpenTelemetry()
    {
        host = BenchmarkHost.Plain();
        var exporter = new DiscardingExporter<Metric>();
        meterProvider = Sdk.CreateMeterProviderBuilder()
            .AddMeter("Microsoft.AspNetCore.Hosting")
            .AddReader(new PeriodicExportingMetricReader(exporter, exportIntervalMilliseconds: 3_600_000))
            .Build();
        host.Send(Path).GetAwaiter().GetResult();

        // The comparison is only fair if the SDK really records: check it saw the request.
        meterProvider.ForceFlush();
        exporter.Require("http.server.request.duration");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        meterProvider?.Dispose();
        host.Dispose();
    }

    [Benchmark(Baseline = true, Description = "(a) no instrumentation")]
    public Task NoInstrumentation() => host.Send(Path);

    [Benchmark(Description = "(b) Instrumentation, metrics")]
    public Task Instrumentation() => host.Send(Path);

    [Benchmark(Description = "(b') Instrumentation, metrics + Wavefront cpu_ns")]
    public Task InstrumentationWithCpuTime() => host.Send(Path);

    [Benchmark(Description = "(c) OpenTelemetry SDK on the hosting meter")]
    public Task OpenTelemetrySdk() => host.Send(Path);

    [Benchmark(Description = "(f) floor: two clock reads and one histogram record")]
    public Task Floor() => host.Send(Path);

    private static async Task RecordWhenDone(Task task, long start, LogHistogram latency)
    {
        await task.ConfigureAwait(false);
        latency.Record(Stopwatch.GetTimestamp() - start);
    }
}
