using System.IO.Pipelines;
using Instrumentation.Configuration;
using Instrumentation.Instruments;
using Instrumentation.Model;
using Instrumentation.Sinks.Prometheus;

namespace Instrumentation.Prometheus.Tests;

/// <summary>
/// A scrape allocates nothing per series once the series' labels are cached: ten times the series, the same few
/// hundred bytes (an enumerator per route made it 14 bytes per series). Bytes counted, not time.
/// </summary>
public class ScrapeAllocationTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_scrape_allocates_the_same_for_ten_times_the_series(bool openMetrics)
    {
        var small = AllocatedByOneScrape(routes: 250, openMetrics);
        var large = AllocatedByOneScrape(routes: 2_500, openMetrics);

        // 9,000 more series: one byte each would be 9 KB; the tolerance is for the pipe's own pooling.
        Assert.InRange(large - small, -4_096, 4_096);
    }

    [Fact]
    public void A_protobuf_scrape_allocates_the_same_for_ten_times_the_series()
    {
        var small = AllocatedByOneScrape(routes: 250, openMetrics: null);
        var large = AllocatedByOneScrape(routes: 2_500, openMetrics: null);
        Assert.InRange(large - small, -4_096, 4_096);
    }

    // openMetrics null: the protobuf format.
    private static long AllocatedByOneScrape(int routes, bool? openMetrics)
    {
        var registry = new InstrumentRegistry(new ErrorRule(status => status >= 400));
        for (var r = 0; r < routes; r++)
        {
            var route = registry.GetOrCreate(RouteDescriptor.For($"/api/resource{r}/{{id:int}}", "GET", $"Handler{r}"), null, traced: false, declared: true);
            foreach (var status in new[] { 200, 404, 500, 502 })
            {
                route.ForStatus(status).Record(1_000_000L * (r % 100 + 1), bytes: 10);
            }
        }

        var exposition = new PrometheusExposition(registry, new InstrumentationOptions(), "1.0");
        var writer = PipeWriter.Create(Stream.Null);
        void Scrape()
        {
            var scrape = openMetrics is { } text ? exposition.WriteAsync(writer, text) : exposition.WriteProtobufAsync(writer);
            scrape.GetAwaiter().GetResult();
        }

        // The first scrapes cache labels and grow the reused lists.
        for (var i = 0; i < 3; i++)
        {
            Scrape();
        }

        // The least of three scrapes: what every scrape allocates. A one-time allocation on this thread during one of
        // them (a suite run here once saw the protobuf scrape of the larger registry over the tolerance, never again
        // in ten runs) is not what this measures; an allocation per series happens in all three.
        var least = long.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            Scrape();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }
}
