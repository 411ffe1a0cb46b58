using Instrumentation.Configuration;
using Instrumentation.Sinks.Graphite;
using Instrumentation.Sinks.Prometheus;
using Instrumentation.Sinks.Shared;
using Instrumentation.Sinks.Wavefront;
using Instrumentation.Tracing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Instrumentation.Dashboard;

/// <summary>
/// Each sink's health, read from the counters the sinks already keep (the same ones the
/// <c>Instrumentation.AspNetCore.Sinks</c> meter publishes). A sink that is off is never resolved from the container:
/// asking for its sender would build one.
/// </summary>
internal sealed class SinkHealthReader(IServiceProvider services, InstrumentationOptions options)
{
    public IReadOnlyList<SinkHealth> Read()
    {
        var prometheus = options.Prometheus.Enabled ? services.GetService<PrometheusExposition>() : null;
        var scraped = prometheus?.LastScrape ?? 0;
        return
        [
            new SinkHealth(
                "prometheus",
                prometheus is null ? "off" : scraped > 0 ? "serving" : "waiting",
                scraped > 0 ? scraped : null,
                Buffered: 0,
                Delivered: 0,
                Dropped: new Dictionary<string, long>(),
                Failures: 0),
            Pushed("wavefront", options.Wavefront.IsActive ? services.GetService<WavefrontSender>() : null),
            Pushed("graphite", options.Graphite.Enabled ? services.GetService<GraphiteSender>() : null),
        ];
    }

    public TracingHealth Tracing()
    {
        if (!options.Tracing.Enabled || services.GetService<RequestTracer>() is not { } tracer)
        {
            return new TracingHealth(false, false, 0, 0, 0);
        }

        var unsent = services.GetServices<IHostedService>().OfType<SpanExporter>().FirstOrDefault()?.Unsent ?? 0;
        return new TracingHealth(true, tracer.Exporting, tracer.Queue.Kept, tracer.Queue.SampledOut, tracer.Queue.Dropped + unsent);
    }

    private static SinkHealth Pushed<TChannel>(string name, LineSender<TChannel>? sender)
        where TChannel : struct, Enum
    {
        if (sender is null)
        {
            return new SinkHealth(name, "off", null, 0, 0, new Dictionary<string, long>(), 0);
        }

        var stats = sender.Total();
        var last = sender.LastDelivered;
        var state = sender.Failing ? "disconnected" : last > 0 ? "connected" : "waiting";
        var dropped = SinkMeter.ReasonNames.ToDictionary(pair => pair.Value, pair => stats.DroppedFor(pair.Key));
        return new SinkHealth(name, state, last > 0 ? last : null, stats.QueueSize, stats.Sent, dropped, stats.Failures);
    }
}
