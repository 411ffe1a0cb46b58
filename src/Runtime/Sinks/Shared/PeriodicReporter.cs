using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Instrumentation.Sinks.Shared;

/// <summary>
/// The lifecycle every push sink shares. <c>StartAsync</c> prepares (readers count from there); once the host has
/// started, the web server included, a loop reports at every due time until shutdown; after the host has stopped the
/// server (so the last requests are recorded) one final report is made and the sink finishes (drains its sender)
/// within its shutdown timeout. Stopping happens once however often it is asked for (the host stops it, the container
/// disposes it). Time comes from the <see cref="TimeProvider"/> registered in the services, else the system clock.
/// </summary>
internal abstract class PeriodicReporter : IHostedLifecycleService, IAsyncDisposable
{
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock gate = new();
    private bool started;
    private Task? loop;
    private Task? stopped;

    protected PeriodicReporter(TimeProvider time, ILogger logger)
    {
        Time = time;
        Logger = logger;
    }

    protected TimeProvider Time { get; }

    protected ILogger Logger { get; }

    /// <summary>Whether this sink reports at all, decided from the final configuration.</summary>
    protected abstract bool Enabled { get; }

    /// <summary>How long shutdown may spend finishing.</summary>
    protected abstract TimeSpan ShutdownTimeout { get; }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (!Enabled || started)
            {
                return Task.CompletedTask;
            }

            started = true;
        }

        Begin(Time.GetUtcNow());
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (started && stopped is null)
            {
                loop ??= Task.Run(() => ReportLoop(stopping.Token), CancellationToken.None);
            }
        }

        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // Requests still finishing while the server stops are recorded too: the final report waits for StoppedAsync.
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs after every hosted service, the web server included, has stopped: nothing more will be recorded.</summary>
    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (!started)
            {
                return Task.CompletedTask;
            }

            return stopped ??= StopOnce(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StoppedAsync(CancellationToken.None).ConfigureAwait(false);
        stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Prepares reporting when the host starts; <paramref name="now"/> is the start of the first interval.</summary>
    protected abstract void Begin(DateTimeOffset now);

    /// <summary>When the next report is due, after one made at (or a start at) <paramref name="now"/>.</summary>
    protected abstract DateTimeOffset NextReport(DateTimeOffset now);

    /// <summary>Reads the instruments and hands one report to the sender; <paramref name="due"/> is when it was scheduled.</summary>
    protected abstract void Report(DateTimeOffset due, bool final);

    /// <summary>After the final report: sends what is held, within <paramref name="cancellation"/>.</summary>
    protected abstract Task FinishAsync(CancellationToken cancellation);

    private async Task StopOnce(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(ShutdownTimeout);
        SafeReport(Time.GetUtcNow(), final: true);
        await FinishAsync(limit.Token).ConfigureAwait(false);
    }

    private async Task ReportLoop(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var now = Time.GetUtcNow();
            var due = NextReport(now);
            try
            {
                await Task.Delay(due > now ? due - now : TimeSpan.Zero, Time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            SafeReport(due, final: false);
        }
    }

    private void SafeReport(DateTimeOffset due, bool final)
    {
        try
        {
            Report(due, final);
        }
        catch (Exception e)
        {
            // Reporting must never take the application down, nor stop the following intervals.
            PeriodicReporterLog.ReportFailed(Logger, e, GetType().Name);
        }
    }
}

internal static partial class PeriodicReporterLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Reporter} could not read the instruments; retrying on the next interval.")]
    public static partial void ReportFailed(ILogger logger, Exception exception, string reporter);
}
