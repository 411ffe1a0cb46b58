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

/// <summary>What one fault run measured: the sink's accounting after the graceful stop, and what the requests saw.</summary>
internal sealed record FaultRunResult(SinkAccounting Accounting, TimeSpan SlowestRequest, long MostBuffered);

/// <summary>
/// One short fault scenario against the sample shop reporting to Wavefront every second: requests at a steady pace,
/// a hook before each to inject or clear the fault, the most points buffered sampled along the way, then a graceful
/// stop and the sink's accounting read through its meter. Every run checks what holds whatever the fault: every
/// request answered (none blocked on the sink) and the identity produced = delivered + dropped + buffered.
/// </summary>
internal static class FaultRun
{
    public const string Make = "aspnetcore.response.style.id.make.GET.200";

    // Generous, for a loaded machine running test classes in parallel: a request here takes about a millisecond; one
    // that waited on the sink would wait out a connect or HTTP timeout (10-30 s) or a stalled receiver.
    private static readonly TimeSpan Blocked = TimeSpan.FromSeconds(5);

    public static async Task<FaultRunResult> RunAsync(
        Dictionary<string, string?> settings, int requests, Func<int, Task> beforeRequest, ITestOutputHelper output)
    {
        // Registered first, so stopped last: after every sink has made its final report and drained.
        var snapshot = new AccountingAfterStop();
        var server = SampleServer.Start(settings, services => services.Insert(0, ServiceDescriptor.Singleton<IHostedService>(provider =>
        {
            snapshot.Meters = provider.GetRequiredService<IMeterFactory>();
            return snapshot;
        })));
        var slowest = TimeSpan.Zero;
        var latencies = new List<double>(requests);
        long mostBuffered = 0;
        try
        {
            var meters = server.Get<IMeterFactory>();
            for (var i = 0; i < requests; i++)
            {
                await beforeRequest(i);
                var started = Stopwatch.GetTimestamp();
                using var response = await server.Client.GetAsync("/style/42/make");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                if (i > 0)
                {
                    // The first request warms the application up (JIT, connection): not a fault's doing.
                    var took = Stopwatch.GetElapsedTime(started);
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
        // Figures for docs/reliability.md (build/measure-reliability.sh collects them), never asserted: timings belong
        // in measurements. The bound below is the only timing check, and it is about blocking, not speed.
        latencies.Sort();
        double Percentile(double q) => latencies.Count == 0 ? 0 : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
        output.WriteLine($"slowest request {slowest.TotalMilliseconds:F0} ms, p50 {Percentile(0.50):F2} ms, p99 {Percentile(0.99):F2} ms, most buffered {mostBuffered}; {accounting}");
        accounting.AssertIdentity();
        Assert.True(slowest < Blocked, $"a request took {slowest.TotalMilliseconds} ms: the request path waited on the sink");
        return new FaultRunResult(accounting, slowest, mostBuffered);
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
