using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Instrumentation.Sinks.Shared;
using Instrumentation.Sinks.Wavefront;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Instrumentation.Benchmarks;

/// <summary>
/// Tracing the same GET: this library's spans (sampled, formatted and handed to a no-op Wavefront transport; and
/// sampled out) against the OpenTelemetry SDK tracing ASP.NET Core's request Activity with a no-op exporter, and
/// metrics only as the reference. One host per case: Activity listeners are process-wide.
/// </summary>
[MemoryDiagnoser]
public class TracingBenchmarks
{
    private const string Path = "/style/42/make";
    private BenchmarkHost host = null!;
    private TracerProvider? tracerProvider;
    private ActivityListener? bareListener;

    [GlobalSetup(Target = nameof(MetricsOnly))]
    public void SetupMetricsOnly() => host = BenchmarkHost.Instrumented(RequestBenchmarks.MetricsOnly);

    [GlobalSetup(Target = nameof(Sampled))]
    public void SetupSampled() => host = TracedAndExporting();

    /// <summary>Every request sampled and exported; returns once spans are seen reaching the (discarding) transport.</summary>
    internal static BenchmarkHost TracedAndExporting()
    {
        var host = Traced(samplingRate: "1");

        // The comparison is only fair if spans really reach the transport: wait for the first flush to carry one.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Volatile.Read(ref DiscardingTransport.SpanBytes) == 0)
        {
            host.Send(Path).GetAwaiter().GetResult();
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException("No span reached the Wavefront transport.");
            }

            Thread.Sleep(100);
        }

        return host;
    }

    [GlobalSetup(Target = nameof(SampledOut))]
    public void SetupSampledOut() => host = Traced(samplingRate: "0");

    [GlobalSetup(Target = nameof(SampledNotExported))]
    public void SetupSampledNotExported() => host = BenchmarkHost.Instrumented(new Dictionary<string, string?>
    {
        ["Instrumentation:Wavefront:CpuTime"] = "false",
        ["Instrumentation:Tracing:ClientSpans"] = "false",
        ["Instrumentation:Tracing:SamplingRate"] = "1",
    });

    [GlobalSetup(Target = nameof(MetricsOnlyWithLogging))]
    public void SetupMetricsOnlyWithLogging() => host = BenchmarkHost.Instrumented(RequestBenchmarks.MetricsOnly, logging: true);

    [GlobalSetup(Target = nameof(SampledOutWithLogging))]
    public void SetupSampledOutWithLogging() => host = Traced(samplingRate: "0", logging: true);

    [GlobalSetup(Target = nameof(OpenTelemetrySdk))]
    public void SetupOpenTelemetry()
    {
        host = BenchmarkHost.Instrumented(RequestBenchmarks.MetricsOnly);
        var exporter = new DiscardingExporter<Activity>();
        tracerProvider = Sdk.CreateTracerProviderBuilder()
            .AddSource("Microsoft.AspNetCore")
            .SetSampler(new AlwaysOnSampler())
            .AddProcessor(new SimpleActivityExportProcessor(exporter))
            .Build();
        host.Send(Path).GetAwaiter().GetResult();
        exporter.Require("Microsoft.AspNetCore");
    }

    // What any tracer that reuses hosting's request Activity pays before doing anything with it: one listener that
    // asks for the Activity (recorded; or, for a sampled-out request, carrying the context only) and has no callbacks.
    [GlobalSetup(Target = nameof(HostingActivityFloor))]
    public void SetupHostingActivityFloor() => host = WithBareListener(ActivitySamplingResult.AllDataAndRecorded, logging: false);

    [GlobalSetup(Target = nameof(SampledOutFloor))]
    public void SetupSampledOutFloor() => host = WithBareListener(ActivitySamplingResult.PropagationData, logging: false);

    [GlobalSetup(Target = nameof(SampledOutFloorWithLogging))]
    public void SetupSampledOutFloorWithLogging() => host = WithBareListener(ActivitySamplingResult.PropagationData, logging: true);

    // The same, for a sampler that decides from the trace id (Wavefront's rate sampler): it reads the id the Activity will
    // get, which the floors above never need.
    [GlobalSetup(Target = nameof(SampledOutTraceIdFloor))]
    public void SetupSampledOutTraceIdFloor() => host = WithBareListener(ActivitySamplingResult.PropagationData, logging: false, readTraceId: true);

    [GlobalSetup(Target = nameof(SampledOutTraceIdFloorWithLogging))]
    public void SetupSampledOutTraceIdFloorWithLogging() => host = WithBareListener(ActivitySamplingResult.PropagationData, logging: true, readTraceId: true);

    private BenchmarkHost WithBareListener(ActivitySamplingResult result, bool logging, bool readTraceId = false)
    {
        var started = BenchmarkHost.Instrumented(RequestBenchmarks.MetricsOnly, logging: logging);
        bareListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = readTraceId
                ? (ref ActivityCreationOptions<ActivityContext> creation) => creation.TraceId == default ? ActivitySamplingResult.None : result
                : (ref ActivityCreationOptions<ActivityContext> _) => result,
        };
        ActivitySource.AddActivityListener(bareListener);
        return started;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        bareListener?.Dispose();
        tracerProvider?.Dispose();
        host.Dispose();
    }

    [Benchmark(Baseline = true, Description = "metrics only (tracing off)")]
    public Task MetricsOnly() => host.Send(Path);

    [Benchmark(Description = "Instrumentation tracing, sampled, no-op transport")]
    public Task Sampled() => host.Send(Path);

    [Benchmark(Description = "Instrumentation tracing, sampled, Wavefront off (named and tagged, not exported)")]
    public Task SampledNotExported() => host.Send(Path);

    [Benchmark(Description = "Instrumentation tracing, sampled out")]
    public Task SampledOut() => host.Send(Path);

    [Benchmark(Description = "OpenTelemetry SDK tracing, no-op exporter")]
    public Task OpenTelemetrySdk() => host.Send(Path);

    [Benchmark(Description = "floor: hosting's Activity for a listener that does nothing with it")]
    public Task HostingActivityFloor() => host.Send(Path);

    [Benchmark(Description = "floor, sampled out: hosting's Activity carrying the context only, for a listener that does nothing")]
    public Task SampledOutFloor() => host.Send(Path);

    [Benchmark(Description = "metrics only, logging on")]
    public Task MetricsOnlyWithLogging() => host.Send(Path);

    [Benchmark(Description = "floor, sampled out, logging on")]
    public Task SampledOutFloorWithLogging() => host.Send(Path);

    [Benchmark(Description = "floor, sampled out, the sampler reading the trace id")]
    public Task SampledOutTraceIdFloor() => host.Send(Path);

    [Benchmark(Description = "floor, sampled out, the sampler reading the trace id, logging on")]
    public Task SampledOutTraceIdFloorWithLogging() => host.Send(Path);

    [Benchmark(Description = "Instrumentation tracing, sampled out, logging on")]
    public Task SampledOutWithLogging() => host.Send(Path);

    internal static BenchmarkHost Traced(string samplingRate, bool logging = false) => BenchmarkHost.Instrumented(
        new Dictionary<string, string?>
        {
            ["Instrumentation:Wavefront:CpuTime"] = "false",
            ["Instrumentation:Tracing:Enabled"] = "true",
            ["Instrumentation:Tracing:ClientSpans"] = "false",
            ["Instrumentation:Tracing:SamplingRate"] = samplingRate,

            // Wavefront on, so spans are exported; the test transport below replaces the proxy connection.
            ["Instrumentation:Wavefront:ProxyHost"] = "127.0.0.1",
            ["Instrumentation:Wavefront:FlushIntervalSeconds"] = "1",
            ["Instrumentation:Wavefront:ReportingIntervalSeconds"] = "3600",
        },
        services => services.AddSingleton<ILineTransport<WavefrontDataKind>>(new DiscardingTransport()),
        logging);

    /// <summary>
    /// Wavefront's own sender (buffers, batches, flushes every second) in front of a transport that accepts every
    /// batch and writes it nowhere: the whole export path except the socket.
    /// </summary>
    private sealed class DiscardingTransport : ILineTransport<WavefrontDataKind>
    {
        public static long SpanBytes;

        private static readonly Task<SendResult> Delivered = Task.FromResult<SendResult>(SendOutcome.Delivered);

        public Task<SendResult> SendAsync(WavefrontDataKind kind, ReadOnlyMemory<byte> payload, CancellationToken cancellation)
        {
            if (kind == WavefrontDataKind.Span)
            {
                Interlocked.Add(ref SpanBytes, payload.Length);
            }

            return Delivered;
        }

        public void Dispose()
        {
        }
    }
}
