using Instrumentation.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Instrumentation.Sinks.Prometheus;

/// <summary>A dependency registered with <c>WatchDependency</c>.</summary>
internal sealed record DependencyWatch(string Name, Func<CancellationToken, Task<bool>> Check, TimeSpan? Interval, TimeSpan? Timeout);

/// <summary>The last result of one dependency's check, read by scrapes.</summary>
internal sealed class DependencyState
{
    private int up = -1;

    public DependencyState(string name, IReadOnlyList<KeyValuePair<string, string>> commonLabels)
    {
        Name = name;
        Labels = new LabelSet().Add("name", name).Add(commonLabels).ToUtf8();
    }

    public string Name { get; }

    public byte[] Labels { get; }

    /// <summary>Null until the first check has finished or timed out.</summary>
    public bool? Up => Volatile.Read(ref up) switch { -1 => null, 0 => false, _ => true };

    /// <summary>Sets the result; returns whether it changed.</summary>
    public bool Set(bool value) => Interlocked.Exchange(ref up, value ? 1 : 0) != (value ? 1 : 0);
}

/// <summary>
/// Runs every health check registered with <c>AddHealthChecks()</c> and every watched dependency on its own interval,
/// off the request path, for <c>dependency_up</c>. A check that throws reads 0; one that outlives its timeout reads 0
/// and is not started again until it has finished, so a hanging dependency holds at most one thread and one call.
/// </summary>
internal sealed partial class DependencyMonitor : BackgroundService
{
    private readonly IServiceProvider services;
    private readonly InstrumentationOptions options;
    private readonly IEnumerable<DependencyWatch> watches;
    private readonly ILogger<DependencyMonitor> logger;
    private Dependency[] dependencies = [];
    private DependencyState[] states = [];

    public DependencyMonitor(
        IServiceProvider services, IOptions<InstrumentationOptions> options, IEnumerable<DependencyWatch> watches, ILogger<DependencyMonitor> logger)
    {
        this.services = services;
        this.options = options.Value;
        this.watches = watches;
        this.logger = logger;
    }

    /// <summary>Every dependency watched, in the order scrapes list them.</summary>
    public DependencyState[] States => Volatile.Read(ref states);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Prometheus.Enabled)
        {
            return Task.CompletedTask;
        }

        var interval = TimeSpan.FromSeconds(options.Prometheus.DependencyIntervalSeconds);
        var common = new KeyValuePair<string, string>[]
        {
            new("application", options.Application),
            new("service", options.Service),
            new("cluster", options.Cluster),
            new("shard", options.Shard),
        };
        var found = new List<Dependency>();
        var names = new HashSet<string>(StringComparer.Ordinal);

        if (services.GetService(typeof(HealthCheckService)) is HealthCheckService health
            && services.GetService(typeof(IOptions<HealthCheckServiceOptions>)) is IOptions<HealthCheckServiceOptions> healthOptions)
        {
            foreach (var registration in healthOptions.Value.Registrations)
            {
                var name = registration.Name;
                Func<HealthCheckRegistration, bool> only = r => string.Equals(r.Name, name, StringComparison.Ordinal);
                var timeout = registration.Timeout > TimeSpan.Zero && registration.Timeout < interval ? registration.Timeout : interval;
                names.Add(name);
                found.Add(new Dependency(
                    new DependencyState(name, common),
                    async token => (await health.CheckHealthAsync(only, token).ConfigureAwait(false)).Status != HealthStatus.Unhealthy,
                    interval,
                    timeout));
            }
        }

        foreach (var watch in watches)
        {
            if (!names.Add(watch.Name))
            {
                throw new InvalidOperationException(
                    $"The dependency '{watch.Name}' is watched twice (WatchDependency or a health check of that name); dependency_up needs unique names.");
            }

            var every = watch.Interval ?? interval;
            found.Add(new Dependency(new DependencyState(watch.Name, common), watch.Check, every, watch.Timeout is { } t && t < every ? t : every));
        }

        Volatile.Write(ref dependencies, [.. found]);
        Volatile.Write(ref states, found.Select(d => d.State).ToArray());
        return base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Volatile.Read(ref dependencies).Select(d => WatchAsync(d, stoppingToken)));

    private async Task WatchAsync(Dependency dependency, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(dependency.Interval);
        Task<bool>? running = null;
        CancellationTokenSource? runCancellation = null;
        try
        {
            do
            {
                bool up;
                if (running is { IsCompleted: false })
                {
                    // The previous call has still not returned: it stays the only one, and the dependency stays down.
                    up = false;
                }
                else
                {
                    runCancellation?.Dispose();
                    runCancellation = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    runCancellation.CancelAfter(dependency.Timeout);
                    var token = runCancellation.Token;

                    // Task.Run: a check that blocks before returning its task must not block this loop.
                    running = Task.Run(() => Check(dependency, token), CancellationToken.None);
                    try
                    {
                        up = await running.WaitAsync(dependency.Timeout, stoppingToken).ConfigureAwait(false);
                    }
                    catch (TimeoutException)
                    {
                        LogTimedOut(logger, dependency.State.Name, dependency.Timeout.TotalSeconds);
                        up = false;
                    }
                }

                if (dependency.State.Set(up))
                {
                    LogChanged(logger, dependency.State.Name, up ? 1 : 0);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            if (running is null or { IsCompleted: true })
            {
                runCancellation?.Dispose();
            }
        }
    }

    private async Task<bool> Check(Dependency dependency, CancellationToken token)
    {
        try
        {
            return await dependency.Check(token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogFailed(logger, dependency.State.Name, e);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dependency {Name} is now {Up} (dependency_up).")]
    private static partial void LogChanged(ILogger logger, string name, int up);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The check of dependency {Name} did not finish within {Seconds} s; it reads 0 until a later check succeeds.")]
    private static partial void LogTimedOut(ILogger logger, string name, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The check of dependency {Name} threw; it reads 0.")]
    private static partial void LogFailed(ILogger logger, string name, Exception exception);

    private sealed record Dependency(DependencyState State, Func<CancellationToken, Task<bool>> Check, TimeSpan Interval, TimeSpan Timeout);
}
