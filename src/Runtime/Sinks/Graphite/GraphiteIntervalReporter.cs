using Instrumentation.Configuration;
using Instrumentation.Instruments;
using Instrumentation.Naming;
using Instrumentation.Sinks.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Instrumentation.Sinks.Graphite;

/// <summary>
/// Sends every route's metrics to carbon once per interval, when <c>Instrumentation:Graphite:Enabled</c> is true.
/// Intervals end on multiples of the interval length (epoch seconds) and each point is stamped with its interval's
/// end, so consecutive points of a series never share a whisper slot. Names are decided at the first read, from every
/// declared route: the first interval is only reported once the host has started, the server included.
/// </summary>
internal sealed partial class GraphiteIntervalReporter : PeriodicReporter
{
    private readonly InstrumentationOptions options;
    private readonly IServiceProvider services;
    private readonly InstrumentRegistry registry;
    private InstrumentReader? reader;
    private GraphitePointBuilder? builder;
    private GraphiteSender? sender;
    private CustomMetricPoints? custom;
    private long lastTimestamp;

    // The services, not the sender: with Graphite off the sender (and its transport) is never built.
    public GraphiteIntervalReporter(IOptions<InstrumentationOptions> options, IServiceProvider services, InstrumentRegistry registry, ILogger<GraphiteIntervalReporter> logger)
        : base(SinkServices.Time(services), logger)
    {
        this.options = options.Value;
        this.services = services;
        this.registry = registry;
    }

    /// <summary>The delivery counters; all zero until reporting starts.</summary>
    public LineChannelStats Stats => sender?.Stats(GraphiteChannel.Points) ?? default;

    protected override bool Enabled => options.Graphite.Enabled;

    protected override TimeSpan ShutdownTimeout => TimeSpan.FromSeconds(options.Graphite.ShutdownTimeoutSeconds);

    private int IntervalSeconds => options.Graphite.ReportingIntervalSeconds;

    protected override void Begin(DateTimeOffset now)
    {
        var settings = options.Graphite;
        reader = registry.CreateReader();
        var stem = GraphiteNames.Stem(settings.Prefix, options.Source, settings.Group);
        builder = new GraphitePointBuilder(stem);
        custom = services.GetService<CustomMetricFactory>() is { } metrics ? new CustomMetricPoints(stem, metrics) : null;
        sender = services.GetRequiredService<GraphiteSender>();
        sender.Start();
        LogStarted(Logger, settings.Host, settings.Port, settings.ReportingIntervalSeconds);
    }

    protected override DateTimeOffset NextReport(DateTimeOffset now) =>
        DateTimeOffset.FromUnixTimeMilliseconds(IntervalEnd(now.ToUnixTimeMilliseconds(), IntervalSeconds));

    protected override void Report(DateTimeOffset due, bool final)
    {
        // The final report covers the current, partial interval, stamped with its end; never a timestamp already used.
        var timestamp = final
            ? Math.Max(IntervalEnd(Time.GetUtcNow().ToUnixTimeMilliseconds(), IntervalSeconds) / 1000, lastTimestamp + IntervalSeconds)
            : due.ToUnixTimeSeconds();

        // A timer that fires early or a clock set back would give a timestamp already used, and carbon would
        // overwrite that point: keep counting into the next interval instead.
        if (timestamp <= lastTimestamp)
        {
            return;
        }

        var points = builder!.Build(reader!.Read(), timestamp);
        AddCustomPoints(points, timestamp);
        sender!.Enqueue(points);
        lastTimestamp = timestamp;
    }

    // The built-in points of the interval are already read: a failure in the application's metrics must not lose them.
    private void AddCustomPoints(List<GraphitePoint> points, long timestamp)
    {
        try
        {
            custom?.AddTo(points, timestamp);
        }
        catch (Exception e)
        {
            PeriodicReporterLog.ReportFailed(Logger, e, nameof(CustomMetricPoints));
        }
    }

    protected override Task FinishAsync(CancellationToken cancellation) => sender!.DrainAsync(cancellation);

    // The next multiple of the interval after now, in epoch milliseconds.
    private static long IntervalEnd(long nowMilliseconds, int intervalSeconds)
    {
        var length = intervalSeconds * 1000L;
        return (nowMilliseconds / length + 1) * length;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reporting to carbon at {Host}:{Port} every {Interval} s.")]
    private static partial void LogStarted(ILogger logger, string host, int port, int interval);
}
