using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using Instrumentation.Configuration;
using Instrumentation.Instruments;
using Instrumentation.Sinks.Prometheus;

namespace Instrumentation.Benchmarks;

/// <summary>One Prometheus scrape of 10,000 series, in both exposition formats, written to a discarding pipe.</summary>
[MemoryDiagnoser]
public class ScrapeBenchmarks
{
    private PrometheusExposition exposition = null!;
    private PipeWriter sink = null!;

    [GlobalSetup]
    public void Setup()
    {
        InstrumentRegistry registry = SeriesFixture.Create();
        exposition = new PrometheusExposition(registry, new InstrumentationOptions(), "1.0");
        sink = PipeWriter.Create(Stream.Null);
        Scrape(false).GetAwaiter().GetResult();
    }

    [Benchmark(Description = "scrape 10,000 series (text 0.0.4)")]
    public Task ScrapeText() => Scrape(false);

    [Benchmark(Description = "scrape 10,000 series (OpenMetrics)")]
    public Task ScrapeOpenMetrics() => Scrape(true);

    private async Task Scrape(bool openMetrics)
    {
        await exposition.WriteAsync(sink, openMetrics);
        await sink.FlushAsync();
    }
}
