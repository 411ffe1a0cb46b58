using Instrumentation.TestSupport;

namespace Instrumentation.Graphite.Tests;

/// <summary>The sample's custom counter in a real carbon-cache, under Flask-Graphite MetricHook names.</summary>
public class CustomMetricCarbonTests(CarbonFixture carbon) : IClassFixture<CarbonFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Carbon_stores_the_sample_counter_per_route_and_payment_with_exact_counts()
    {
        await ShirtOrderLoad.SendAsync(carbon.Server.Client);

        // Each interval sends its own count; what carbon stored over the intervals adds up to what was ordered.
        var deadline = DateTime.UtcNow + Patience;
        Dictionary<string, double> stored;
        while (true)
        {
            stored = [];
            foreach (var payment in ShirtOrderLoad.Expected.Keys)
            {
                stored[payment] = await carbon.Sum($"{CarbonFixture.Stem}.style.id.order.shirts_ordered.{payment}");
            }

            if (ShirtOrderLoad.Expected.All(e => stored[e.Key] == e.Value) || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(250);
        }

        Assert.Equal(ShirtOrderLoad.Expected.ToDictionary(e => e.Key, e => (double)e.Value), stored);
        Assert.False(carbon.Exists($"{CarbonFixture.Stem}.style.id.order.shirts_ordered.bitcoin"));
    }
}
