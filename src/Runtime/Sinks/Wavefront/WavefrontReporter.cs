using Instrumentation.Configuration;
using Instrumentation.Instruments;
using Instrumentation.Sinks.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Instrumentation.Sinks.Wavefront;

/// <summary>
/// Wavefront reporting off the request path: every reporting interval it reads the instruments and buffers the lines,
/// which the sender sends every flush interval. At shutdown the final report carries the current minute's histograms
/// and every unreported delta.
/// </summary>
internal sealed class WavefrontReporter : PeriodicReporter
{
    private static readonly string[] KindNames = ["points", "histograms", "spans", "span_logs"];

    private readonly InstrumentationOptions options;
    private readonly IServiceProvider services;
    private readonly InstrumentRegistry registry;
    private InstrumentReader? reader;
    private WavefrontReportBuilder? builder;
    private WavefrontSender? sender;
    private CustomMetricLines? custom;

    // The services, not the sender: with Wavefront off the sender (and its transport) is never built.
    public WavefrontReporter(IOptions<InstrumentationOptions> options, IServiceProvider services, InstrumentRegistry registry, ILogger<WavefrontReporter> logger)
        : base(SinkServices.Time(services), logger)
    {
        this.options = options.Value;
        this.services = services;
        this.registry = registry;
    }

    protected override bool Enabled => options.Wavefront.IsActive;

    protected override TimeSpan ShutdownTimeout => TimeSpan.FromSeconds(options.Wavefront.ShutdownTimeoutSeconds);

    protected override void Begin(DateTimeOffset now)
    {
        sender = services.GetRequiredService<WavefrontSender>();
        reader = registry.CreateReader(reuse: true); // Each reading is formatted before the next read.
        reader.Read(); // Deltas count from here.
        builder = new WavefrontReportBuilder(options, now);
        custom = services.GetService<CustomMetricFactory>() is { } metrics ? new CustomMetricLines(options, metrics, now) : null;
        sender.Start();
        Logger.LogInformation("Reporting to {Destination} every {Interval} s.", WavefrontTransport.Destination(options.Wavefront), options.Wavefront.ReportingIntervalSeconds);
    }

    protected override DateTimeOffset NextReport(DateTimeOffset now) => now + TimeSpan.FromSeconds(options.Wavefront.ReportingIntervalSeconds);

    protected override void Report(DateTimeOffset due, bool final)
    {
        var now = Time.GetUtcNow();
        builder!.Build(reader!.Read(), now, final, sender!);
        try
        {
            custom?.Build(now, final, sender!);
        }
        catch (Exception e)
        {
            // The built-in lines are queued already; the health lines below still go.
            PeriodicReporterLog.ReportFailed(Logger, e, nameof(CustomMetricLines));
        }

        if (options.Wavefront.ReportInternalMetrics)
        {
            sender!.SetStatusLines(HealthLines(now.ToUnixTimeSeconds()));
        }
    }

    protected override async Task FinishAsync(CancellationToken cancellation)
    {
        await sender!.DrainAsync(cancellation).ConfigureAwait(false);
        Logger.LogInformation("Wavefront reporting stopped; {Dropped} lines dropped over the application's life.", sender.Total().Dropped);
    }

    private List<string> HealthLines(long timestamp)
    {
        var suffix = builder!.HealthSuffix;
        var lines = new List<string>();
        void Add(string name, double value)
        {
            if (WavefrontFormat.MetricLine(name, value, timestamp, suffix) is { } line)
            {
                lines.Add(line);
            }
        }

        void AddCount(string name, long value)
        {
            if (WavefrontFormat.MetricLine(name, value, timestamp, suffix) is { } line)
            {
                lines.Add(line);
            }
        }

        foreach (var kind in Enum.GetValues<WavefrontDataKind>())
        {
            var stats = sender!.Stats(kind);
            var stem = $"~sdk.csharp.aspnetcore.{KindNames[(int)kind]}";
            AddCount($"{stem}.queue.size", stats.QueueSize);
            AddCount($"{stem}.queue.remaining_capacity", stats.RemainingCapacity);
            AddCount($"{stem}.sent.count", stats.Sent);
            AddCount($"{stem}.dropped.count", stats.Dropped);
            AddCount($"{stem}.rejected.count", stats.Rejected);
            AddCount($"{stem}.report.errors.count", stats.Failures);
        }

        Add("~sdk.csharp.aspnetcore.version", VersionGauge);
        return lines;
    }

    /// <summary>The library version as Wavefront SDKs encode it: major.MMpp, so 2.6.1 is 2.0601.</summary>
    private static double VersionGauge
    {
        get
        {
            var version = typeof(WavefrontReporter).Assembly.GetName().Version ?? new Version(0, 0, 0);
            return version.Major + (version.Minor / 100.0) + (Math.Max(version.Build, 0) / 10_000.0);
        }
    }
}
