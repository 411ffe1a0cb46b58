using Instrumentation.Configuration;
using Instrumentation.Instruments;
using Instrumentation.Naming;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Instrumentation.Sinks.Graphite;

/// <summary>
/// Sends every route's metrics to carbon once per interval, when <c>Instrumentation:Graphite:Enabled</c> is true.
/// Intervals end on multiples of the interval length (epoch seconds) and each point is stamped with its interval's
/// end, so consecutive points of a series never share a whisper slot. Resolve it from the services to read its
/// delivery counters.
/// </summary>
public sealed partial class GraphiteReporter : IHostedService, IAsyncDisposable
{
    private readonly InstrumentRegistry registry;
    private readonly InstrumentationOptions options;
    private readonly ILogger<GraphiteReporter> logger;
    private readonly TimeProvider time;
    private readonly CancellationToken applicationStarted;
    private readonly CancellationTokenSource stopReporting = new();
    private readonly Lock gate = new();
    private InstrumentReader? reader;
    private GraphitePointBuilder? builder;
    private GraphiteSender? sender;
    private Task? reporting;
    private Task? stopped;
    private long lastTimestamp;

    /// <summary>Creates the reporter; it does nothing until started, and nothing at all unless enabled.</summary>
    public GraphiteReporter(
        InstrumentRegistry registry, IOptions<InstrumentationOptions> options, ILogger<GraphiteReporter> logger, IHostApplicationLifetime? lifetime = null)
        : this(registry, options.Value, logger, TimeProvider.System, lifetime?.ApplicationStarted ?? default)
    {
    }

    internal GraphiteReporter(
        InstrumentRegistry registry, InstrumentationOptions options, ILogger<GraphiteReporter> logger, TimeProvider time, CancellationToken applicationStarted = default)
    {
        this.registry = registry;
        this.options = options;
        this.logger = logger;
        this.time = time;
        this.applicationStarted = applicationStarted;
    }

    /// <summary>Points dropped since start: they did not fit in the buffer while carbon was unreachable, or shutdown came first.</summary>
    public long DroppedPoints => sender?.Dropped ?? 0;

    /// <summary>Points written to carbon since start.</summary>
    public long SentPoints => sender?.Sent ?? 0;

    /// <summary>Points waiting for carbon right now.</summary>
    public int BufferedPoints => sender?.Buffered ?? 0;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Graphite;
        if (!settings.Enabled || reporting is not null || stopped is not null)
        {
            return Task.CompletedTask;
        }

        reader = registry.CreateReader();
        builder = new GraphitePointBuilder(GraphiteNames.Stem(settings.Prefix, options.Source, settings.Group));
        sender = new GraphiteSender(settings.Host, settings.Port, settings.MaxBufferedPoints, logger);
        sender.Start();
        reporting = Task.Run(() => ReportLoop(settings.ReportingIntervalSeconds, stopReporting.Token), CancellationToken.None);
        LogStarted(logger, settings.Host, settings.Port, settings.ReportingIntervalSeconds);
        return Task.CompletedTask;
    }

    /// <summary>Reports the current, partial interval and waits up to the shutdown timeout for carbon to take everything.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (reporting is null)
        {
            return Task.CompletedTask;
        }

        // The host stops it and the container disposes it: both get the one shutdown.
        lock (gate)
        {
            return stopped ??= Stop(cancellationToken);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private async Task Stop(CancellationToken cancellationToken)
    {
        await stopReporting.CancelAsync().ConfigureAwait(false);
        await reporting!.ConfigureAwait(false);
        var interval = options.Graphite.ReportingIntervalSeconds;
        Report(Math.Max(IntervalEnd(time.GetUtcNow().ToUnixTimeMilliseconds(), interval) / 1000, lastTimestamp + interval));
        await sender!.DrainAsync(TimeSpan.FromSeconds(options.Graphite.ShutdownTimeoutSeconds), cancellationToken).ConfigureAwait(false);
        await sender.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Reads one interval and queues its points, stamped <paramref name="timestamp"/> (epoch seconds).</summary>
    private void Report(long timestamp)
    {
        if (reader is null || builder is null || sender is null)
        {
            return;
        }

        try
        {
            sender.Enqueue(builder.Build(reader.Read(), timestamp));
            lastTimestamp = timestamp;
        }
        catch (Exception error)
        {
            // A reporting bug must not take the application down, nor stop the following intervals.
            LogReportFailed(logger, error);
        }
    }

    private async Task ReportLoop(int intervalSeconds, CancellationToken stop)
    {
        if (applicationStarted.CanBeCanceled)
        {
            // Names are decided at the first read, from every declared route: wait until the server has bound them.
            using var startedOrStopping = CancellationTokenSource.CreateLinkedTokenSource(applicationStarted, stop);
            try
            {
                await Task.Delay(Timeout.Infinite, startedOrStopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Started, or stopping before it ever started.
            }
        }

        while (!stop.IsCancellationRequested)
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var end = IntervalEnd(now, intervalSeconds);
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(end - now), time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            // A timer that fires early or a clock set back would give a timestamp already used, and carbon would
            // overwrite that point: keep counting into the next interval instead.
            if (end / 1000 > lastTimestamp)
            {
                Report(end / 1000);
            }
        }
    }

    // The next multiple of the interval after now, in epoch milliseconds.
    private static long IntervalEnd(long nowMilliseconds, int intervalSeconds)
    {
        var length = intervalSeconds * 1000L;
        return (nowMilliseconds / length + 1) * length;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reporting to carbon at {Host}:{Port} every {Interval} s.")]
    private static partial void LogStarted(ILogger logger, string host, int port, int interval);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reading the instruments for Graphite failed.")]
    private static partial void LogReportFailed(ILogger logger, Exception error);
}
