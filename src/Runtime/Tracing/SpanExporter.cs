using System.Diagnostics;
using System.Threading.Channels;
using Instrumentation.Configuration;
using Instrumentation.Instruments;
using Instrumentation.Sinks.Wavefront;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Instrumentation.Tracing;

/// <summary>
/// Sends kept spans to Wavefront, off the request path: the tracer queues finished Activities, this service formats
/// them as span lines and span logs and hands them to the Wavefront sender; every interval it also reports the RED
/// metrics derived from spans (<c>tracing.derived.*</c>). They are read from the per-route instruments, which count
/// every request of a traced route, so sampling never skews them and the request path pays nothing for them. Runs
/// only when tracing and Wavefront reporting are both on. After the web server has stopped it sends what is still
/// queued, before the Wavefront sink drains its buffers.
/// </summary>
internal sealed partial class SpanExporter : IHostedLifecycleService, IDisposable
{
    private static readonly TimeSpan BatchPause = TimeSpan.FromMilliseconds(1);

    private readonly InstrumentationOptions options;
    private readonly IServiceProvider services;
    private readonly InstrumentRegistry registry;
    private readonly ILogger logger;
    private readonly Lock reporting = new();
    private readonly Lock stopGate = new();
    private IWavefrontSender? sender;
    private RequestTracer? tracer;
    private WavefrontSpanFormatter? formatter;
    private ChannelReader<Activity>? queue;
    private InstrumentReader? reader;
    private DateTimeOffset previousRead;
    private CancellationTokenSource? stopping;
    private Task? spanLoop;
    private Task? metricsLoop;
    private Task? stopped;
    private long unsent;

    public SpanExporter(IOptions<InstrumentationOptions> options, IServiceProvider services, InstrumentRegistry registry, ILogger<SpanExporter> logger)
    {
        this.options = options.Value;
        this.services = services;
        this.registry = registry;
        this.logger = logger;
    }

    /// <summary>Spans formatted but refused by the Wavefront sender (its buffer was full).</summary>
    public long Unsent => Interlocked.Read(ref unsent);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Tracing.Enabled || !options.Wavefront.IsActive)
        {
            return Task.CompletedTask;
        }

        sender = services.GetRequiredService<IWavefrontSender>();
        tracer = services.GetRequiredService<RequestTracer>();
        formatter = new WavefrontSpanFormatter(options);
        queue = tracer.Queue.Start(options.Tracing.MaxQueuedSpans);
        reader = registry.CreateReader();
        reader.Read(); // Deltas count from here.
        previousRead = DateTimeOffset.UtcNow;
        stopping = new CancellationTokenSource();
        spanLoop = Task.Run(() => ExportSpans(stopping.Token));
        metricsLoop = Task.Run(() => ReportMetrics(TimeSpan.FromSeconds(options.Tracing.DerivedMetricsIntervalSeconds), stopping.Token));
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // Requests still finishing while the server stops are traced too: the queue stays open until StoppedAsync.
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // A host may be stopped twice (an app's own Run and a test host both stop it): every caller waits for the one stop,
    // so the Wavefront sink, stopped after this service, never drains before the last spans and derived metrics reach it.
    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        lock (stopGate)
        {
            return stopped ??= StopOnce();
        }
    }

    private async Task StopOnce()
    {
        var stoppingSource = Interlocked.Exchange(ref stopping, null);
        if (stoppingSource is null)
        {
            return;
        }

        tracer!.Queue.Stop();
        await stoppingSource.CancelAsync().ConfigureAwait(false);
        stoppingSource.Dispose();
        await Task.WhenAll(spanLoop!, metricsLoop!).ConfigureAwait(false);
        var sent = Drain();
        ReportDerivedMetrics();
        LogStopped(logger, sent, tracer.Queue.Dropped, Unsent);
    }

    public void Dispose() => Interlocked.Exchange(ref stopping, null)?.Dispose();

    /// <summary>Formats and hands over every queued span now; for shutdown and for tests.</summary>
    internal int Drain()
    {
        var count = 0;
        while (queue!.TryRead(out var activity))
        {
            Send(activity);
            count++;
        }

        return count;
    }

    /// <summary>Reads the instruments and sends the RED metrics of the interval since the previous call.</summary>
    internal void ReportDerivedMetrics()
    {
        lock (reporting)
        {
            var now = DateTimeOffset.UtcNow;
            var middle = previousRead + ((now - previousRead) / 2);
            previousRead = now;
            foreach (var line in formatter!.DerivedMetrics(reader!.Read(), tracer!.Spans.OperationName, middle))
            {
                sender!.TryEnqueue(line.Kind, line.Text);
            }

            if (options.Wavefront.ReportInternalMetrics)
            {
                var queued = queue!.CanCount ? queue.Count : 0;
                foreach (var line in formatter!.HealthLines(tracer!.Queue.Dropped, queued, now.ToUnixTimeSeconds()))
                {
                    sender!.TryEnqueue(WavefrontDataKind.Metric, line);
                }
            }
        }
    }

    private async Task ExportSpans(CancellationToken cancellation)
    {
        try
        {
            while (await queue!.WaitToReadAsync(cancellation).ConfigureAwait(false))
            {
                while (queue.TryRead(out var activity))
                {
                    Send(activity);
                }

                // Under load, waking per span would cost the request path a thread hop each; gather a batch instead.
                await Task.Delay(BatchPause, cancellation).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ReportMetrics(TimeSpan period, CancellationToken cancellation)
    {
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellation).ConfigureAwait(false))
            {
                try
                {
                    ReportDerivedMetrics();
                }
                catch (Exception e)
                {
                    // Reporting must never take the application down; the next tick tries again.
                    LogReportFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Send(Activity activity)
    {
        try
        {
            if (formatter!.Export(activity, sender!) == false)
            {
                Interlocked.Increment(ref unsent);
            }
        }
        catch (Exception e)
        {
            // A span that cannot be formatted (a tag whose ToString throws) is skipped, never fatal.
            Interlocked.Increment(ref unsent);
            LogFormatFailed(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Span export stopped: {Sent} spans sent at shutdown; {Dropped} dropped (queue full) and {Unsent} refused by the Wavefront sender over the application's life.")]
    private static partial void LogStopped(ILogger logger, int sent, long dropped, long unsent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reporting the span-derived metrics failed; retrying on the next interval.")]
    private static partial void LogReportFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A span could not be formatted and was skipped.")]
    private static partial void LogFormatFailed(ILogger logger, Exception exception);
}
