using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using Instrumentation.TestSupport;
using Instrumentation.TestSupport.Wavefront;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace Instrumentation.Wavefront.Tests.Faults;

/// <summary>
/// What one fault run measured: the sink's accounting after the graceful stop, what the requests saw (each one's start
/// and end, Unix milliseconds, to check the timestamps points carry), and the process's memory high-water marks,
/// sampled every second (the whole test process: the fake receivers included).
/// </summary>
internal sealed record FaultRunResult(
    SinkAccounting Accounting, TimeSpan SlowestRequest, long MostBuffered, IReadOnlyList<(long Started, long Done, double Milliseconds)> Requests,
    long PeakWorkingSet, long PeakGcHeap);

/// <summary>
/// One fault scenario against the sample shop reporting to Wavefront every second: requests at a steady pace (one every
/// ~10 ms), a hook before each to inject or clear the fault, the most points buffered and the memory sampled along the
/// way, then a graceful stop and the sink's accounting read through its meter. Every run checks what holds whatever
/// the fault: every request answered (none blocked on the sink) and the identity produced = delivered + dropped + buffered.
/// </summary>
internal static class FaultRun
{
    public const string Make = "aspnetcore.response.style.id.make.GET.200";

    // Generous, for a loaded machine running test classes in parallel: a request here takes about a millisecond; one
    // that waited on the sink would wait out a connect or HTTP timeout (10-30 s) or a stalled receiver.
    private static readonly TimeSpan Blocked = TimeSpan.FromSeconds(5);

    /// <summary>A fixed number of requests; the hook gets each one's index.</summary>
    public static Task<FaultRunResult> RunAsync(
        Dictionary<string, string?> settings, int requests, Func<int, Task> beforeRequest, ITestOutputHelper output) =>
        RunCoreAsync(settings, (i, _) => i < requests, (i, _) => beforeRequest(i), output, services: null);

    /// <summary>Steady requests for <paramref name="length"/>; the hook gets the time since the first one.</summary>
    public static Task<FaultRunResult> RunForAsync(
        Dictionary<string, string?> settings, TimeSpan length, Func<TimeSpan, Task> beforeRequest, ITestOutputHelper output,
        Action<IServiceCollection>? services = null) =>
        RunCoreAsync(settings, (_, elapsed) => elapsed < length, (_, elapsed) => beforeRequest(elapsed), output, services);

    private static async Task<FaultRunResult> RunCoreAsync(
        Dictionary<string, string?> settings, Func<int, TimeSpan, bool> more, Func<int, TimeSpan, Task> beforeRequest,
        ITestOutputHelper output, Action<IServiceCollection>? services)
    {
        // Registered first, so stopped last: after every sink has made its final report and drained.
        var snapshot = new AccountingAfterStop();
        var server = SampleServer.Start(settings, collection =>
        {
            collection.Insert(0, ServiceDescriptor.Singleton<IHostedService>(provider =>
            {
                snapshot.Meters = provider.GetRequiredService<IMeterFactory>();
                return snapshot;
            }));
            services?.Invoke(collection);
        });
        var slowest = TimeSpan.Zero;
        var latencies = new List<double>();
        var times = new List<(long, long, double)>();
        long mostBuffered = 0;
        using var memory = new MemorySampler();
        try
        {
            var meters = server.Get<IMeterFactory>();
            var clock = Stopwatch.StartNew();
            for (var i = 0; more(i, clock.Elapsed); i++)
            {
                await beforeRequest(i, clock.Elapsed);
                var startedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                var started = Stopwatch.GetTimestamp();
                using var response = await server.Client.GetAsync("/style/42/make");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var took = Stopwatch.GetElapsedTime(started);
                times.Add((startedAt, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), took.TotalMilliseconds));
                if (i > 0)
                {
                    // The first request warms the application up (JIT, connection): not a fault's doing.
                    slowest = TimeSpan.FromTicks(Math.Max(slowest.Ticks, took.Ticks));
                    latencies.Add(took.TotalMilliseconds);
                }
                if (i % 20 == 0)
                {
                    mostBuffered = Math.Max(mostBuffered, SinkAccounting.Read(meter => meter.Scope == meters).Buffered());
                }

                await Task.Delay(10);
            }

        }
        finally
        {
            await server.DisposeAsync();
        }

        var accounting = snapshot.Accounting ?? throw new InvalidOperationException("the host never stopped");
        // Figures for docs/reliability.md (build/measure-reliability.sh and measure-long-faults.sh collect them), never
        // asserted: timings belong in measurements. The bound below is the only timing check, and it is about
        // blocking, not speed.
        latencies.Sort();
        output.WriteLine(FormattableString.Invariant(
            $"requests {times.Count}, slowest request {slowest.TotalMilliseconds:F0} ms, p50 {Percentile(latencies, 0.50):F2} ms, p99 {Percentile(latencies, 0.99):F2} ms, most buffered {mostBuffered}, peak working set {memory.PeakWorkingSet / 1048576.0:F1} MB (at start {memory.FirstWorkingSet / 1048576.0:F1}), peak GC heap {memory.PeakGcHeap / 1048576.0:F1} MB; {accounting}"));
        accounting.AssertIdentity();
        Assert.True(slowest < Blocked, $"a request took {slowest.TotalMilliseconds} ms: the request path waited on the sink");
        return new FaultRunResult(accounting, slowest, mostBuffered, times, memory.PeakWorkingSet, memory.PeakGcHeap);
    }

    /// <summary>Prints the p50 and p99 of the requests that started inside the fault (Unix milliseconds), warm-up left out.</summary>
    public static void WriteLatencyDuring(FaultRunResult run, Func<long, bool> during, ITestOutputHelper output)
    {
        var inside = run.Requests.Skip(1).Where(r => during(r.Started)).Select(r => r.Milliseconds).Order().ToList();
        output.WriteLine(FormattableString.Invariant(
            $"during the fault: requests {inside.Count}, p50 {Percentile(inside, 0.50):F2} ms, p99 {Percentile(inside, 0.99):F2} ms"));
    }

    private static double Percentile(List<double> sorted, double q) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];

    /// <summary>
    /// Checks that every cumulative count of the make route arrived once and carries the time it was read, not the time
    /// it was finally sent: a count of n was read after the n-th request started and before the (n+1)-th ended, so its
    /// timestamp (whole seconds) lies between those two. Returns how many points were read inside <paramref name="during"/>
    /// (Unix milliseconds), so a test can require that the fault's buffered points were among those checked.
    /// </summary>
    public static int AssertOriginalTimestamps(FaultRunResult run, IEnumerable<string> lines, Func<long, bool> during)
    {
        var requests = run.Requests;
        var cumulative = lines.Where(l => l.StartsWith($"\"{Make}.cumulative.count\" ", StringComparison.Ordinal))
            .Select(WavefrontLineParser.ParsePoint).ToList();

        // Under steady traffic two readings never see the same count; after the last request they may (same second).
        var whileServing = cumulative.Where(p => p.Value < requests.Count).Select(p => p.Line).ToList();
        Assert.Equal(whileServing.Count, whileServing.Distinct().Count()); // none twice
        var inside = 0;
        foreach (var point in cumulative)
        {
            var count = (int)point.Value;
            if (count <= 0 || count > requests.Count)
            {
                continue;
            }

            var stamp = point.Timestamp ?? throw new InvalidOperationException("a cumulative count without a timestamp: " + point.Line);
            var earliest = requests[count - 1].Started / 1000;
            var latest = count < requests.Count ? requests[count].Done / 1000 : long.MaxValue;
            Assert.True(stamp >= earliest && stamp <= latest, $"the count {count} is stamped {stamp}, outside [{earliest}, {latest}]: not when it was read");
            if (during(requests[count - 1].Done))
            {
                inside++;
            }
        }

        return inside;
    }

    /// <summary>The values of the make route's delta counter the proxy received.</summary>
    public static List<WavefrontPoint> Deltas(IEnumerable<string> lines) => lines
        .Where(l => l.StartsWith($"\"\u2206{Make}.aggregated_per_shard.count\" ", StringComparison.Ordinal))
        .Select(WavefrontLineParser.ParsePoint).ToList();

    public static Dictionary<string, string?> Settings(string host, int port) => new()
    {
        ["Instrumentation:Source"] = "sample-host",
        ["Instrumentation:Wavefront:ProxyHost"] = host,
        ["Instrumentation:Wavefront:MetricsPort"] = port.ToString(CultureInfo.InvariantCulture),
        ["Instrumentation:Wavefront:HistogramsPort"] = port.ToString(CultureInfo.InvariantCulture),
        ["Instrumentation:Wavefront:TracingPort"] = port.ToString(CultureInfo.InvariantCulture),
        ["Instrumentation:Wavefront:ReportingIntervalSeconds"] = "1",

        // An ActivityListener is process-wide: with client spans on, this app would also trace and export every
        // HttpClient call the other test classes running in this process make (thousands, from the SIGTERM test's load
        // loops), which no real application shares its process with, and which made its drain race the shutdown timeout.
        ["Instrumentation:Tracing:ClientSpans"] = "false",

    };

    /// <summary>
    /// Reads the sinks' accounting once the host has stopped, before the application disposes its meters. The sample's
    /// own <c>app.Run()</c> and the test host both stop the host, and the first to finish disposes it: when the other's
    /// StoppedAsync comes too late, the reading is taken as this service is disposed, which the container does before
    /// it disposes the meter factory this service was built after.
    /// </summary>
    private sealed class AccountingAfterStop : IHostedLifecycleService, IDisposable
    {
        public IMeterFactory? Meters { get; set; }

        public SinkAccounting? Accounting { get; private set; }

        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken)
        {
            Take();
            return Task.CompletedTask;
        }

        public void Dispose() => Take();

        private void Take()
        {
            if (Accounting is { Channels.Count: > 0 })
            {
                return;
            }

            var reading = SinkAccounting.Read(meter => meter.Scope == Meters);
            if (reading.Channels.Count > 0)
            {
                Accounting = reading;
            }
        }
    }
}

/// <summary>The process's working set and GC heap, sampled every second on a timer, their high-water marks kept.</summary>
internal sealed class MemorySampler : IDisposable
{
    private readonly Timer timer;
    private long peakWorkingSet;
    private long peakGcHeap;

    public MemorySampler()
    {
        FirstWorkingSet = Environment.WorkingSet;
        Sample();
        timer = new Timer(_ => Sample(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public long FirstWorkingSet { get; }

    public long PeakWorkingSet => Interlocked.Read(ref peakWorkingSet);

    public long PeakGcHeap => Interlocked.Read(ref peakGcHeap);

    public void Dispose()
    {
        timer.Dispose();
        Sample();
    }

    private void Sample()
    {
        Max(ref peakWorkingSet, Environment.WorkingSet);
        Max(ref peakGcHeap, GC.GetTotalMemory(forceFullCollection: false));
    }

    private static void Max(ref long peak, long value)
    {
        var seen = Interlocked.Read(ref peak);
        while (value > seen && Interlocked.CompareExchange(ref peak, value, seen) != seen)
        {
            seen = Interlocked.Read(ref peak);
        }
    }
}
