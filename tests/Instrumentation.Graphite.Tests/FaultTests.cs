using System.Diagnostics;
using System.Globalization;
using Instrumentation.Configuration;
using Instrumentation.Instruments;
using Instrumentation.Model;
using Instrumentation.Sinks.Graphite;
using Instrumentation.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Instrumentation.Graphite.Tests;

/// <summary>
/// The Graphite sink through a fault relay in front of a plain carbon listener: the accounting identity read through
/// the sink's meter, and every count arriving exactly once with its interval's timestamp, while carbon is down for a
/// while and while its connections are reset every 500 ms (carbon reads at once, as carbon-cache does). Then a real
/// carbon-cache restarted every few seconds under steady traffic, for a few seconds in build/test.sh and for a minute
/// in build/measure-long-faults.sh (<c>RELIABILITY_SECONDS=60</c>: stopped for 2 s every 5 s).
/// </summary>
public class FaultTests(ITestOutputHelper output)
{
    private const int Requests = 300;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Carbon_down_then_up_every_count_arrives_once_and_the_accounting_balances()
    {
        var result = await RunAsync((i, faults) =>
        {
            if (i == 50 || i == 200)
            {
                faults.Refuse(i == 50);
            }
        });
        Assert.True(result.Failures > 0, "carbon was never unreachable: the fault was not injected");
    }

    [Fact]
    public async Task Carbon_connections_reset_every_500_ms_every_count_arrives_once_and_the_accounting_balances()
    {
        var result = await RunAsync((i, faults) =>
        {
            if (i == 0 || i == Requests - 1)
            {
                faults.ResetEvery(i == 0 ? TimeSpan.FromMilliseconds(500) : null);
            }
        });
        Assert.True(result.Resets >= 4, $"only {result.Resets} resets: the fault was not injected");
    }

    [Fact]
    public async Task Carbon_cache_restarting_every_few_seconds_every_count_arrives_once_stamped_with_its_interval()
    {
        var length = ReliabilityRun.Length;
        var period = TimeSpan.FromTicks(Math.Max(length.Ticks / 12, TimeSpan.FromSeconds(2.5).Ticks));
        var down = TimeSpan.FromTicks(Math.Max(period.Ticks * 2 / 5, TimeSpan.FromSeconds(1.1).Ticks));
        var carbon = new CarbonFixture(withSample: false);
        await carbon.InitializeAsync();
        try
        {
            var registry = new InstrumentRegistry(new ErrorRule(status => status >= 400));
            var route = registry.GetOrCreate(RouteDescriptor.For("/foo", "GET", "Foo"), metadata: null, traced: false, declared: true);
            await using var services = Services(registry, carbon.LinePort);
            var reporting = services.GetRequiredService<GraphiteIntervalReporter>();
            var sender = services.GetRequiredService<GraphiteSender>();
            await reporting.StartAsync(CancellationToken.None);
            await reporting.StartedAsync(CancellationToken.None);

            // Restarts run beside the traffic, which never pauses for them: stop, wait, start and wait until it listens.
            var clock = Stopwatch.StartNew();
            var outages = new List<(long From, long To)>();
            var restarting = Task.Run(async () =>
            {
                await Task.Delay(period / 4);
                while (clock.Elapsed + down + TimeSpan.FromSeconds(1) < length)
                {
                    var cycle = clock.Elapsed;
                    var from = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    carbon.StopCarbon();
                    await Task.Delay(down);
                    await carbon.StartCarbon();
                    outages.Add((from, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
                    var rest = period - (clock.Elapsed - cycle);
                    if (rest > TimeSpan.Zero)
                    {
                        await Task.Delay(rest);
                    }
                }
            });

            var recorded = new List<long>(); // Unix milliseconds of each request
            long mostBuffered = 0;
            while (clock.Elapsed < length || !restarting.IsCompleted)
            {
                route.Record(200, 1_000_000, 10);
                recorded.Add(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                mostBuffered = Math.Max(mostBuffered, sender.Stats(GraphiteChannel.Points).QueueSize);
                await Task.Delay(10);
            }

            await restarting;
            var requests = recorded.Count;
            await reporting.StoppedAsync(CancellationToken.None).WaitAsync(Patience);
            var accounting = SinkAccounting.Read(meter => meter == sender.Meter);
            output.WriteLine($"requests {requests} over {clock.Elapsed.TotalSeconds:F0} s, carbon restarts {outages.Count} " +
                $"(down {string.Join(", ", outages.Select(o => $"{(o.To - o.From) / 1000.0:F1} s"))}), most buffered {mostBuffered} of at most {new GraphiteOptions().MaxBufferedPoints}; {accounting}");
            accounting.AssertIdentity();
            Assert.Equal((0L, 0L), (accounting.Dropped(), accounting.Buffered()));
            Assert.Equal(accounting.Produced(), accounting.Delivered());
            Assert.True(outages.Count >= Math.Max(1, (int)(length / period) - 2), $"only {outages.Count} restarts");

            // Carbon writes its cache out every second: wait for every count, or until nothing more is written for 3 s.
            const string count = "h.g.foo.count";
            var deadline = DateTime.UtcNow + Patience;
            var (written, settled) = (-1.0, DateTime.UtcNow);
            while (DateTime.UtcNow < deadline && DateTime.UtcNow - settled < TimeSpan.FromSeconds(3))
            {
                var now = await carbon.Sum(count);
                if (now >= requests)
                {
                    break;
                }

                if (now != written)
                {
                    (written, settled) = (now, DateTime.UtcNow);
                }

                await Task.Delay(250);
            }

            var points = await carbon.Fetch(count);
            // carbon-cache writes its cache to disk from a thread that sleeps a second between passes and ends with the
            // reactor: stopped, it loses what it took since its last pass. The sender cannot know (carbon acknowledges
            // nothing), so what may be missing is bounded by the requests of the 2.5 s before each stop; nothing may
            // arrive twice, and nothing else may be missing.
            var sum = points.Sum(p => p.Value);
            var carbonMayLose = outages.Sum(o => recorded.Count(t => t > o.From - 2500 && t <= o.From));
            output.WriteLine($"carbon holds {points.Count} count points adding up to {sum} for {requests} requests: missing {requests - sum} " +
                $"(at most {carbonMayLose}: the requests of the 2.5 s before each stop)");
            Assert.True(sum <= requests, $"the counts add up to {sum} for {requests} requests: some arrived twice");
            Assert.True(requests - sum <= carbonMayLose, $"{requests - sum} counts missing, more than carbon's cache could have held; carbon's log: {carbon.Log()}");

            // Whisper keeps one value per second: points of intervals that ended while carbon was down are there, under
            // their own seconds, only if they kept their interval's timestamp through the outage.
            var heldThrough = points.Count(p => outages.Any(o => p.Timestamp * 1000 > o.From && p.Timestamp * 1000 < o.To - 500));
            output.WriteLine($"count points stamped inside an outage: {heldThrough}");
            Assert.True(heldThrough > 0, "no point was stamped while carbon was down");
        }
        finally
        {
            await carbon.DisposeAsync();
        }
    }

    private async Task<(long Failures, int Resets)> RunAsync(Action<int, FaultProxy> fault)
    {
        var port = FreePort.Next();
        await using var carbon = LineCollector.Start(port);
        await using var faults = FaultProxy.Start(port);
        var registry = new InstrumentRegistry(new ErrorRule(status => status >= 400));
        var route = registry.GetOrCreate(RouteDescriptor.For("/foo", "GET", "Foo"), metadata: null, traced: false, declared: true);
        await using var services = Services(registry, faults.Port);
        var reporting = services.GetRequiredService<GraphiteIntervalReporter>();
        var sender = services.GetRequiredService<GraphiteSender>();
        await reporting.StartAsync(CancellationToken.None);
        await reporting.StartedAsync(CancellationToken.None);

        long mostBuffered = 0;
        for (var i = 0; i < Requests; i++)
        {
            fault(i, faults);
            route.Record(200, 1_000_000, 10);
            mostBuffered = Math.Max(mostBuffered, sender.Stats(GraphiteChannel.Points).QueueSize);
            await Task.Delay(10);
        }

        await reporting.StoppedAsync(CancellationToken.None).WaitAsync(Patience);
        var accounting = SinkAccounting.Read(meter => meter == sender.Meter);
        output.WriteLine($"resets {faults.Resets}, connections {faults.Accepted}, most buffered {mostBuffered}; {accounting}");
        accounting.AssertIdentity();
        Assert.Equal((0L, 0L), (accounting.Dropped(), accounting.Buffered()));
        Assert.Equal(accounting.Produced(), accounting.Delivered());

        var lines = await carbon.WaitForLines((int)accounting.Delivered(), Patience);
        var counts = lines.Where(l => l.StartsWith("h.g.foo.count ", StringComparison.Ordinal)).Select(l => l.Split(' ')).ToList();
        Assert.Equal(Requests, counts.Sum(parts => long.Parse(parts[1], CultureInfo.InvariantCulture)));
        Assert.Equal(counts.Count, counts.Select(parts => parts[2]).Distinct().Count()); // one point per interval, none twice
        return (sender.Stats(GraphiteChannel.Points).Failures, faults.Resets);
    }

    private static ServiceProvider Services(InstrumentRegistry registry, int port)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddLogging();
        services.AddSingleton(registry);
        services.AddInstrumentation(options =>
        {
            options.Source = "h";
            options.Graphite = new GraphiteOptions
            {
                Enabled = true, Host = "127.0.0.1", Port = port, Group = "g", ReportingIntervalSeconds = 1, ShutdownTimeoutSeconds = 5,
            };
        });
        return services.BuildServiceProvider();
    }
}
