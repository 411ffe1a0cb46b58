using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using Instrumentation.Configuration;
using Instrumentation.Instruments;
using Instrumentation.Sinks.Prometheus;

namespace Instrumentation.Benchmarks;

/// <summary>
/// One Prometheus scrape, in each exposition format, written to a discarding pipe; from 1,000 to 100,000 series to
/// show how it grows (issue 12: at most 5 ms and O(1) allocations for 10,000). The plain scrapes find every series as
/// the previous scrape left it; "every series changed" records one request in each first, so that every histogram's
/// bins are read again. The floors: the same text scrape's bytes, prepared once, written to the same pipe in the same
/// 32 KB flushes (what any scrape of that size costs there); recording one request per series (in the changed scrape);
/// and that recording followed by reading every series' buckets, without writing them.
/// </summary>
[MemoryDiagnoser]
public class ScrapeBenchmarks
{
    [Params(1_000, 10_000, 100_000)]
    public int Series { get; set; }

    // The latencies the changed scrape records, cycled: a fixed set, so the bins in use stop growing after warm-up.
    private static readonly long[] Latencies = [.. Enumerable.Range(0, 16).Select(i => 100_000 + (i * 124_993_750L))];

    private PrometheusExposition exposition = null!;
    private PipeWriter sink = null!;
    private byte[] prepared = [];
    private StatusInstruments[] all = [];
    private BucketLayout layout = null!;
    private long[] counts = [];
    private int next;

    [GlobalSetup]
    public void Setup()
    {
        InstrumentRegistry registry = SeriesFixture.Create(series: Series);
        var options = new InstrumentationOptions();
        exposition = new PrometheusExposition(registry, options, "1.0");
        all = SeriesFixture.AllSeries(registry);
        layout = new BucketLayout(options.Prometheus.EffectiveBuckets);
        counts = new long[layout.Cuts.Length];
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

    [Benchmark(Description = "scrape (text 0.0.4), every series changed")]
    public Task ScrapeTextChanged()
    {
        RecordOneEach();
        return Scrape(false);
    }

    [Benchmark(Description = "floor: one request recorded per series")]
    public void RecordOnly() => RecordOneEach();

    [Benchmark(Description = "floor: one request recorded per series, every series' buckets read")]
    public long ReadBuckets()
    {
        RecordOneEach();
        long total = 0;
        foreach (var series in all)
        {
            total += series.Latency.CountAtOrBelow(layout.Cuts, counts);
        }

        return total;
    }

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

    private void RecordOneEach()
    {
        var latency = Latencies[next++ % Latencies.Length];
        foreach (var series in all)
        {
            series.Latency.Record(latency);
        }
    }

    private async Task Scrape(bool openMetrics)
    {
        await exposition.WriteAsync(sink, openMetrics);
        await sink.FlushAsync();
    }
}
