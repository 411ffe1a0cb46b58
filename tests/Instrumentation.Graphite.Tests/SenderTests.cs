using Instrumentation.Configuration;
using Instrumentation.Instruments;
using Instrumentation.Model;
using Instrumentation.Sinks.Graphite;
using Instrumentation.Sinks.Shared;
using Instrumentation.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Instrumentation.Graphite.Tests;

public class SenderTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Points_wait_while_carbon_is_down_and_arrive_with_their_timestamps_what_did_not_fit_is_counted()
    {
        var port = FreePort.Next();
        using var sender = Sender(port, capacity: 10);
        sender.Start();

        var first = Points("a.count", 6, timestamp: 1000);
        var second = Points("b.count", 6, timestamp: 1001);
        Assert.Equal(0, sender.Enqueue(first));
        Assert.Equal(2, sender.Enqueue(second));
        await WaitUntil(() => Stats(sender).Failures > 0); // carbon is not there yet: the first send failed
        Assert.Equal(10, Stats(sender).QueueSize);
        Assert.Equal(2, Stats(sender).Dropped);
        Assert.Equal(0, Stats(sender).Sent);

        await using var carbon = LineCollector.Start(port);
        var lines = await carbon.WaitForLines(10, Patience);

        var expected = first.Concat(second.Take(4)).Select(p => p.ToLine().TrimEnd('\n'));
        Assert.Equal(expected, lines);
        await WaitUntil(() => Stats(sender).Sent == 10);
        Assert.Equal(0, Stats(sender).QueueSize);
        Assert.Equal(2, Stats(sender).Dropped);
    }

    [Fact]
    public async Task A_connection_carbon_closed_is_noticed_before_points_are_written_into_it()
    {
        var port = FreePort.Next();
        await using var carbon = LineCollector.Start(port);
        using var sender = Sender(port, capacity: 100);
        sender.Start();

        sender.Enqueue(Points("a.count", 3, timestamp: 2000));
        await carbon.WaitForLines(3, Patience);
        carbon.CloseConnections();

        sender.Enqueue(Points("b.count", 3, timestamp: 2001));
        var lines = await carbon.WaitForLines(6, Patience);

        Assert.Equal(["b.count.0 0 2001", "b.count.1 1 2001", "b.count.2 2 2001"], lines.Skip(3));
        Assert.Equal(2, carbon.Connections);
        Assert.Equal(0, Stats(sender).Dropped);
    }

    [Fact]
    public async Task Shutdown_sends_the_partial_interval_stamped_with_its_end()
    {
        var port = FreePort.Next();
        await using var carbon = LineCollector.Start(port);
        var registry = new InstrumentRegistry(new ErrorRule(status => status >= 400));
        var route = registry.GetOrCreate(RouteDescriptor.For("/foo", "GET", "Foo"), metadata: null, traced: false, declared: true);
        await using var services = Services(registry, port, interval: 60);
        var reporting = services.GetRequiredService<GraphiteIntervalReporter>();
        var reporter = services.GetRequiredService<GraphiteReporter>();

        await Start(reporting);
        route.Record(200, 1_000_000, 10);
        route.Record(200, 1_000_000, 10);
        route.Record(502, 1_000_000, 10);
        await reporting.StoppedAsync(CancellationToken.None).WaitAsync(Patience);

        Assert.True(reporter.SentPoints > 0, "nothing sent at shutdown");
        var lines = await carbon.WaitForLines((int)reporter.SentPoints, Patience);
        var counts = lines.Where(l => l.StartsWith("h.g.foo.count ", StringComparison.Ordinal)).Select(l => l.Split(' ')).ToList();
        Assert.NotEmpty(counts);
        Assert.Equal(3, counts.Sum(parts => long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.All(counts, parts => Assert.Equal(0, long.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture) % 60));
        Assert.Contains(lines, l => l.StartsWith("h.g.foo.status_code.502 1 ", StringComparison.Ordinal));
        Assert.Equal(0, reporter.DroppedPoints);
        Assert.Equal(reporter.SentPoints, lines.Count);
    }

    [Fact]
    public async Task Shutdown_with_carbon_down_gives_up_after_the_timeout_and_counts_the_loss()
    {
        var port = FreePort.Next();
        var registry = new InstrumentRegistry(new ErrorRule(status => status >= 400));
        var route = registry.GetOrCreate(RouteDescriptor.For("/foo", "GET", "Foo"), metadata: null, traced: false, declared: true);
        await using var services = Services(registry, port, interval: 60, shutdownTimeout: 1);
        var reporting = services.GetRequiredService<GraphiteIntervalReporter>();
        var reporter = services.GetRequiredService<GraphiteReporter>();

        await Start(reporting);
        route.Record(200, 1_000_000, 10);
        await reporting.StoppedAsync(CancellationToken.None).WaitAsync(Patience);

        // count, status_code.200, status_type.2XX, size, pt and its four quantiles: nine points, at least one interval.
        Assert.True(reporter.DroppedPoints >= 9, $"dropped {reporter.DroppedPoints}");
        Assert.Equal(0, reporter.BufferedPoints);
        Assert.Equal(0, reporter.SentPoints);
    }

    [Fact]
    public async Task A_disabled_reporter_never_connects()
    {
        var port = FreePort.Next();
        await using var carbon = LineCollector.Start(port);
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Instrumentation:Graphite:Host"] = "127.0.0.1",
            ["Instrumentation:Graphite:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Instrumentation:Graphite:ReportingIntervalSeconds"] = "1",
        }).Build());
        services.AddLogging();
        services.AddInstrumentation();
        await using var provider = services.BuildServiceProvider();
        var reporting = provider.GetServices<IHostedService>().OfType<GraphiteIntervalReporter>().Single();
        var reporter = provider.GetRequiredService<GraphiteReporter>();

        // The whole life of a host: an enabled reporter would connect at the latest when the final report is drained.
        await Start(reporting);
        await reporting.StoppedAsync(CancellationToken.None);

        Assert.Same(reporting, provider.GetRequiredService<GraphiteIntervalReporter>());
        Assert.Equal(0, carbon.Connections);
        Assert.Equal(0, reporter.SentPoints);
    }

    private static GraphiteSender Sender(int port, int capacity) => new(
        new TcpLineTransport<GraphiteChannel>("127.0.0.1", new Dictionary<GraphiteChannel, int> { [GraphiteChannel.Points] = port }),
        new LineSenderSettings("carbon", capacity, BatchSize: 5_000, FlushInterval: TimeSpan.FromSeconds(1)),
        NullLogger.Instance,
        TimeProvider.System);

    private static LineChannelStats Stats(GraphiteSender sender) => sender.Stats(GraphiteChannel.Points);

    // The services as AddInstrumentation registers them, around the test's own registry.
    private static ServiceProvider Services(InstrumentRegistry registry, int port, int interval, int shutdownTimeout = 5)
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
                Enabled = true,
                Host = "127.0.0.1",
                Port = port,
                Group = "g",
                ReportingIntervalSeconds = interval,
                ShutdownTimeoutSeconds = shutdownTimeout,
            };
        });
        return services.BuildServiceProvider();
    }

    // What the host does when it starts: StartAsync, then StartedAsync once everything, the server included, runs.
    private static async Task Start(GraphiteIntervalReporter reporting)
    {
        await reporting.StartAsync(CancellationToken.None);
        await reporting.StartedAsync(CancellationToken.None);
    }

    private static List<GraphitePoint> Points(string name, int count, long timestamp) =>
        Enumerable.Range(0, count).Select(i => new GraphitePoint($"{name}.{i}", i, timestamp)).ToList();

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(20);
        }
    }
}
