using Instrumentation.Configuration;
using Instrumentation.Instruments;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Instrumentation.Sinks.Wavefront;

/// <summary>
/// Runs Wavefront reporting off the request path: one loop reads the instruments every reporting interval and
/// buffers the lines, another sends buffered lines every flush interval. After the host has stopped the server
/// (so the last requests are recorded) it sends a final report, the current minute's histograms and every unreported
/// delta included, and drains the buffers within <c>ShutdownTimeoutSeconds</c>.
/// </summary>
internal sealed class WavefrontService : IHostedLifecycleService, IDisposable
{
    private static readonly string[] KindNames = ["points", "histograms", "spans", "span_logs"];

    private readonly InstrumentationOptions options;
    private readonly WavefrontRuntime runtime;
    private readonly InstrumentRegistry registry;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly SemaphoreSlim reporting = new(1, 1);
    private readonly SemaphoreSlim flushing = new(1, 1);
    private InstrumentReader? reader;
    private WavefrontReportBuilder? builder;
    private CancellationTokenSource? stopping;
    private Task? reportLoop;
    private Task? flushLoop;
    private Task? stoppedTask;

    public WavefrontService(IOptions<InstrumentationOptions> options, WavefrontRuntime runtime, InstrumentRegistry registry, ILogger<WavefrontService> logger)
    {
        this.options = options.Value;
        this.runtime = runtime;
        this.registry = registry;
        this.logger = logger;
        time = runtime.Time;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (runtime.Sender is null)
        {
            return Task.CompletedTask;
        }

        reader = registry.CreateReader();
        reader.Read(); // Deltas count from here.
        builder = new WavefrontReportBuilder(options, time.GetUtcNow());
        stopping = new CancellationTokenSource();
        var wavefront = options.Wavefront;
        reportLoop = Loop(TimeSpan.FromSeconds(wavefront.ReportingIntervalSeconds), ReportAsync, stopping.Token);
        flushLoop = Loop(TimeSpan.FromSeconds(wavefront.FlushIntervalSeconds), FlushAsync, stopping.Token);
        logger.LogInformation("Reporting to Wavefront at {Destination} every {Interval} s.", runtime.Destination, wavefront.ReportingIntervalSeconds);
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs after every hosted service, the web server included, has stopped: nothing more will be recorded.</summary>
    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        // The host can be stopped twice at once (app.Run() returning while a test host disposes): stop once.
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopped = Interlocked.CompareExchange(ref stoppedTask, first.Task, null);
        if (stopped is not null)
        {
            return stopped;
        }

        _ = CompleteWith(first, FinishAsync(cancellationToken));
        return first.Task;
    }

    private static async Task CompleteWith(TaskCompletionSource completion, Task work)
    {
        try
        {
            await work.ConfigureAwait(false);
            completion.SetResult();
        }
        catch (Exception e)
        {
            completion.SetException(e);
        }
    }

    private async Task FinishAsync(CancellationToken cancellationToken)
    {
        if (runtime.Sender is not { } sender || stopping is null)
        {
            return;
        }

        await stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(reportLoop!, flushLoop!).ConfigureAwait(false);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(options.Wavefront.ShutdownTimeoutSeconds));
        await ReportAsync(final: true).ConfigureAwait(false);
        await sender.DrainAsync(limit.Token).ConfigureAwait(false);
        var dropped = Enum.GetValues<WavefrontDataKind>().Sum(kind => sender.Stats(kind).Dropped);
        logger.LogInformation("Wavefront reporting stopped; {Dropped} lines dropped over the application's life.", dropped);
    }

    public void Dispose()
    {
        // The semaphores hold no wait handle; a stop still running after disposal can keep using them.
        stopping?.Cancel();
    }

    /// <summary>Reads the instruments and buffers one report. Public for tests that drive reporting by hand.</summary>
    internal async Task ReportAsync(bool final)
    {
        await reporting.WaitAsync().ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow();
            var reading = reader!.Read();
            builder!.Build(reading, now, final, runtime.Sender!);
            if (options.Wavefront.ReportInternalMetrics)
            {
                runtime.Sender!.SetHealthLines(HealthLines(now.ToUnixTimeSeconds()));
            }
        }
        finally
        {
            reporting.Release();
        }
    }

    private async Task FlushAsync(CancellationToken cancellation)
    {
        await flushing.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            await runtime.Sender!.FlushAsync(cancellation).ConfigureAwait(false);
        }
        finally
        {
            flushing.Release();
        }
    }

    private List<string> HealthLines(long timestamp)
    {
        var sender = runtime.Sender!;
        var suffix = builder!.HealthSuffix;
        var lines = new List<string>();
        void Add(string name, long value)
        {
            if (WavefrontFormat.MetricLine(name, value, timestamp, suffix) is { } line)
            {
                lines.Add(line);
            }
        }

        foreach (var kind in Enum.GetValues<WavefrontDataKind>())
        {
            var stats = sender.Stats(kind);
            var stem = $"~sdk.csharp.aspnetcore.{KindNames[(int)kind]}";
            Add($"{stem}.queue.size", stats.QueueSize);
            Add($"{stem}.queue.remaining_capacity", stats.RemainingCapacity);
            Add($"{stem}.sent.count", stats.Sent);
            Add($"{stem}.dropped.count", stats.Dropped);
            Add($"{stem}.rejected.count", stats.Rejected);
            Add($"{stem}.report.errors.count", stats.Failures);
        }

        if (WavefrontFormat.MetricLine("~sdk.csharp.aspnetcore.version", VersionGauge, timestamp, suffix) is { } version)
        {
            lines.Add(version);
        }

        return lines;
    }

    /// <summary>The library version as Wavefront SDKs encode it: major.MMpp, so 2.6.1 is 2.0601.</summary>
    private static double VersionGauge
    {
        get
        {
            var version = typeof(WavefrontService).Assembly.GetName().Version ?? new Version(0, 0, 0);
            return version.Major + (version.Minor / 100.0) + (Math.Max(version.Build, 0) / 10_000.0);
        }
    }

    private Task Loop(TimeSpan period, Func<CancellationToken, Task> work, CancellationToken cancellation) => Task.Run(async () =>
    {
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellation).ConfigureAwait(false))
            {
                try
                {
                    await work(cancellation).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    // Reporting must never take the application down; the next tick tries again.
                    logger.LogWarning(e, "Wavefront reporting failed; retrying on the next interval.");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    });

    private Task ReportAsync(CancellationToken cancellation) => ReportAsync(final: false);
}
