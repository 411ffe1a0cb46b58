using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using Instrumentation.Configuration;
using Instrumentation.Instruments;
using Instrumentation.Sinks.Prometheus;

namespace Instrumentation.Benchmarks;

/// <summary>
/// One Prometheus scrape, in each exposition format, written to a discarding pipe; from 1,000 to 100,000 series to
/// show how it grows (issue 12: at most 5 ms and O(1) allocations for 10,000). The floor writes the same text scrape's
/// bytes, prepared once, to the same pipe in the same 32 KB flushes: what any scrape of that size costs there.
/// </summary>
[MemoryDiagnoser]
public class ScrapeBenchmarks
{
    [Params(1_000, 10_000, 100_000)]
    public int Series { get; set; }

    private PrometheusExposition exposition = null!;
    private PipeWriter sink = null!;
    private byte[] prepared = [];

    [GlobalSetup]
    public void Setup()
    {
        InstrumentRegistry registry = SeriesFixture.Create(series: Series);
        exposition = new PrometheusExposition(registry, new InstrumentationOptions(), "1.0");
        sink = PipeWriter.Create(Stream.Null);
        Scrape(false).GetAwaiter().GetResult();

        var copy = new MemoryStream();
        var writer = PipeWriter.Create(copy);
        exposition.WriteAsync(writer, openMetrics: false).GetAwaiter().GetResult();
        writer.Complete();
        prepared = copy.ToArray();
    }

    [Benchmark(Description = "scrape (text 0.0.4)")]
    public Task ScrapeText() => Scrape(false);

    [Benchmark(Description = "scrape (OpenMetrics)")]
    public Task ScrapeOpenMetrics() => Scrape(true);

    [Benchmark(Description = "scrape (protobuf)")]
    public async Task ScrapeProtobuf()
    {
        await exposition.WriteProtobufAsync(sink);
        await sink.FlushAsync();
    }

    [Benchmark(Description = "floor: the text scrape's bytes, prepared")]
    public async Task WritePrepared()
    {
        for (var offset = 0; offset < prepared.Length; offset += Utf8Buffer.FlushThreshold)
        {
            var chunk = prepared.AsMemory(offset, Math.Min(Utf8Buffer.FlushThreshold, prepared.Length - offset));
            chunk.Span.CopyTo(sink.GetSpan(chunk.Length));
            sink.Advance(chunk.Length);
            await sink.FlushAsync();
        }
    }

    private async Task Scrape(bool openMetrics)
    {
        await exposition.WriteAsync(sink, openMetrics);
        await sink.FlushAsync();
    }
}
