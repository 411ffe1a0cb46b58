using Instrumentation.Instruments;
using Instrumentation.Model;

namespace Instrumentation.Benchmarks;

/// <summary>A registry holding a number of series (routes × 4 statuses; 10,000 by default), with traffic in each.</summary>
internal static class SeriesFixture
{
    public static readonly int[] Statuses = [200, 404, 500, 502];

    public static InstrumentRegistry Create(bool measureCpu = false, int series = 10_000)
    {
        var registry = new InstrumentRegistry(new ErrorRule(status => status >= 400), measureCpu);
        Record(registry, measureCpu, seed: 1, routes: series / Statuses.Length);
        return registry;
    }

    /// <summary>Adds one interval's traffic to every series, so each report has deltas and histogram bins to send.</summary>
    public static void Record(InstrumentRegistry registry, bool measureCpu, int seed, int routes = 2_500)
    {
        var random = new Random(seed);
        for (var r = 0; r < routes; r++)
        {
            var route = registry.GetOrCreate(
                RouteDescriptor.For($"/api/resource{r}/{{id:int}}", "GET", $"Handler{r}"), null, false, true);
            foreach (var status in Statuses)
            {
                var series = route.ForStatus(status);
                for (var i = 0; i < 5; i++)
                {
                    series.Latency.Record(random.NextInt64(100_000, 2_000_000_000));
                    if (measureCpu)
                    {
                        series.CpuTime?.Record(random.NextInt64(10_000, 5_000_000));
                    }
                }
            }
        }
    }

    /// <summary>Every series of the registry, in the order a scrape writes them.</summary>
    public static StatusInstruments[] AllSeries(InstrumentRegistry registry) => [.. registry.Routes.SelectMany(route => route.Statuses)];

    /// <summary>One more request in every series (latency as <see cref="Record"/> draws them), so that each has changed since the last read.</summary>
    public static void RecordOneEach(StatusInstruments[] series, Random random)
    {
        foreach (var one in series)
        {
            one.Latency.Record(random.NextInt64(100_000, 2_000_000_000));
        }
    }
}
