using BenchmarkDotNet.Attributes;
using Instrumentation.Instruments;
using Instrumentation.Model;

namespace Instrumentation.Benchmarks;

/// <summary>The primitives, comparable with prometheus-net's published 3.8 ns (counter) and 9.5 ns (histogram).</summary>
[MemoryDiagnoser]
public class InstrumentBenchmarks
{
    private readonly LogHistogram histogram = new();
    private readonly RouteInstruments route = new InstrumentRegistry(new ErrorRule(s => s >= 400))
        .GetOrCreate(RouteDescriptor.For("/style/{id}/make", "GET", "MakeShirts"), null, false, true);
    private long counter;
    private long value = 1_234_567;

    [Benchmark(Description = "counter increment (interlocked)")]
    public void CounterIncrement() => Interlocked.Increment(ref counter);

    [Benchmark(Description = "histogram record")]
    public void HistogramRecord()
    {
        // Vary the value so the bin changes, as real latencies do.
        value = (value * 1103515245 + 12345) & 0x3FFFFFFFF;
        histogram.Record(value);
    }

    [Benchmark(Description = "clock read (Stopwatch.GetTimestamp)")]
    public long ClockRead() => System.Diagnostics.Stopwatch.GetTimestamp();

    [Benchmark(Description = "request record (status slot, histogram, bytes)")]
    public void RequestRecord() => route.Record(200, 1_234_567, 512);
}
