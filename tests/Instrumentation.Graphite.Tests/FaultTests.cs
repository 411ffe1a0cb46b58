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
/// while and while its connections are reset every 500 ms (carbon reads at once, as carbon-cache does).
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
