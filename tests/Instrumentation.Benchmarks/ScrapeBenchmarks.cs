using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using Instrumentation.Configuration;
using Instrumentation.Instruments;
using Instrumentation.Sinks.Prometheus;

namespace Instrumentation.Benchmarks;

/// <summary>
/// One Prometheus scrape, in both exposition formats, written to a discarding pipe; from 1,000 to 100,000 series to
/// show how it grows (issue 12: at most 5 ms and O(1) allocations for 10,000).
/// </summary>
[MemoryDiagnoser]
public class ScrapeBenchmarks
{
    [Params(1_000, 10_000, 100_000)]
    public int Series { get; set; }

    private PrometheusExposition exposition = null!;
    private PipeWriter sink = null!;

    [GlobalSetup]
    public void Setup()
    {
        InstrumentRegistry registry = SeriesFixture.Create(series: Series);
        exposition = new PrometheusExposition(registry, new InstrumentationOptions(), "1.0");
        sink = PipeWriter.Create(Stream.Null);
        Scrape(false).GetAwaiter().GetResult();
    }

    [Benchmark(Description = "scrape (text 0.0.4)")]
    public Task ScrapeText() => Scrape(false);

    [Benchmark(Description = "scrape (OpenMetrics)")]
    public Task ScrapeOpenMetrics() => Scrape(true);

    private async Task Scrape(bool openMetrics)
    {
        await exposition.WriteAsync(sink, openMetrics);
        await sink.FlushAsync();
    }
}
