using Instrumentation.TestSupport;
using Instrumentation.TestSupport.Wavefront;
using Xunit.Abstractions;

namespace Instrumentation.Wavefront.Tests.Faults;

/// <summary>
/// The scenario, shortened: the sample shop reports every second through a relay that resets the proxy
/// connections every 500 ms while requests arrive, then stops gracefully. The delta counters that reach the proxy
/// must add up to the requests sent, exactly, and the sink's accounting must balance with nothing dropped. Over plain
/// TCP that only holds when the receiver reads at once: bytes its kernel took but it had not read when the reset came
/// are lost without an error (25-32% of the deltas with a receiver that reads every 300 ms, docs/reliability.md), which
/// is why the default is the proxy's HTTP form, answered batch by batch.
/// </summary>
public class ResetScenarioTests(ITestOutputHelper output)
{
    private const int Requests = 400;

    [Fact]
    public async Task Over_tcp_delta_counters_add_up_exactly_while_connections_are_reset_every_500_ms_by_a_prompt_reader()
    {
        await using var proxy = FakeWavefrontProxy.Create();
        await using var faults = FaultProxy.Start(proxy.Port);

        // build/measure-reliability.sh sets a slow reader here to measure what TCP loses; in build/test.sh it reads at once.
        if (int.TryParse(Environment.GetEnvironmentVariable("RELIABILITY_TCP_READ_DELAY_MS"), out var delay))
        {
            faults.ReadDelay(TimeSpan.FromMilliseconds(delay));
        }

        var settings = FaultRun.Settings("127.0.0.1", faults.Port);
        settings["Instrumentation:Wavefront:ProxyTransport"] = "Tcp";
        await RunAsync(faults, settings);
        await Task.Delay(200); // the relay forwards what it read, then closes its side
        var deltas = FaultRun.Deltas(proxy.Lines);
        output.WriteLine($"delta lines {deltas.Count}, sum {deltas.Sum(d => d.Value)}, truncated lines {proxy.TruncatedLines}");
        Assert.Equal(Requests, deltas.Sum(d => d.Value));
    }

    [Fact]
    public async Task By_default_no_delta_is_lost_when_a_slow_receiver_is_reset_every_500_ms()
    {
        await using var proxy = FakeWavefrontProxy.Create();
        await using var faults = FaultProxy.Start(proxy.Port);
        faults.ReadDelay(TimeSpan.FromMilliseconds(100));
        await RunAsync(faults, FaultRun.Settings("127.0.0.1", faults.Port));
        var deltas = FaultRun.Deltas(proxy.Lines);
        output.WriteLine($"http requests {proxy.HttpRequests}, delta lines {deltas.Count}, sum {deltas.Sum(d => d.Value)}");
        Assert.True(proxy.HttpRequests > 0, "the default transport did not use the proxy's HTTP form");

        // Nothing is lost. Exactly once is what quiet runs give, but not what HTTP can promise: a batch the proxy took
        // whose answer a reset then cut is sent again (docs/reliability.md), and on a loaded machine that window widens.
        var sum = deltas.Sum(d => d.Value);
        output.WriteLine($"duplicated: {sum - Requests}");
        Assert.True(sum >= Requests, $"deltas add up to {sum} for {Requests} requests: points were lost");
    }

    private async Task RunAsync(FaultProxy faults, Dictionary<string, string?> settings)
    {
        faults.ResetEvery(TimeSpan.FromMilliseconds(500));
        var run = await FaultRun.RunAsync(settings, Requests, i =>
        {
            if (i == Requests - 1)
            {
                faults.ResetEvery(null); // the graceful stop itself runs without the fault
            }

            return Task.CompletedTask;
        }, output);
        output.WriteLine($"resets {faults.Resets}, connections {faults.Accepted}");
        Assert.True(faults.Resets >= 4, $"only {faults.Resets} resets: the fault was not injected");
        Assert.Equal((0L, 0L), (run.Accounting.Dropped(), run.Accounting.Buffered()));
    }
}
