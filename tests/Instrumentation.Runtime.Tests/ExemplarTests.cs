using System.Diagnostics;
using Instrumentation.Instruments;
using Instrumentation.Model;

namespace Instrumentation.Runtime.Tests;

/// <summary>
/// A series keeps the trace of its latest sampled request per power of two of latency, written without a lock.
/// </summary>
public sealed class ExemplarTests
{
    private static StatusInstruments Series()
    {
        var registry = new InstrumentRegistry(new ErrorRule(status => status >= 400));
        return registry.GetOrCreate(RouteDescriptor.For("/style/{id}", "GET", "GetStyle"), null, false, true).ForStatus(200);
    }

    [Fact]
    public void A_series_has_no_exemplar_until_a_sampled_request_leaves_one_and_then_the_latest_of_similar_latency()
    {
        var series = Series();
        var read = new Exemplar[ExemplarSlots.Count];
        Assert.Equal(0, series.ReadExemplars(read));

        var first = (ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom());
        var latest = (ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom());
        series.RecordExemplar(200_000_000, first.Item1, first.Item2);
        series.RecordExemplar(210_000_000, latest.Item1, latest.Item2);

        Assert.Equal(1, series.ReadExemplars(read));
        Assert.Equal((latest.Item1, latest.Item2, 210_000_000L), (read[0].TraceId, read[0].SpanId, read[0].Nanoseconds));
        Assert.InRange(read[0].UnixMilliseconds, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    [Fact]
    public void A_slow_requests_trace_outlives_the_fast_requests_after_it()
    {
        var series = Series();
        var slow = ActivityTraceId.CreateRandom();
        series.RecordExemplar(3_000_000_000, slow, ActivitySpanId.CreateRandom());
        for (var i = 0; i < 100; i++)
        {
            series.RecordExemplar(2_000_000 + i, ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom());
        }

        var read = new Exemplar[ExemplarSlots.Count];
        var count = series.ReadExemplars(read);

        Assert.Equal(2, count);
        Assert.Contains(read[..count], e => e.TraceId == slow && e.Nanoseconds == 3_000_000_000);
    }

    [Fact]
    public void A_reader_never_sees_one_requests_trace_with_anothers_latency()
    {
        var series = Series();
        var traces = Enumerable.Range(0, 64).Select(_ => (ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom())).ToArray();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 2).Select(w => Task.Run(() =>
        {
            for (var i = w; !stop.IsCancellationRequested; i++)
            {
                var (trace, span) = traces[i % traces.Length];
                series.RecordExemplar(i % traces.Length, trace, span);
            }
        })).ToArray();

        var reads = 0;
        var read = new Exemplar[ExemplarSlots.Count];
        while (reads < 200_000)
        {
            // Every latency here is below a microsecond: one slot, which every write replaces.
            if (series.ReadExemplars(read) == 1)
            {
                Assert.Equal(traces[read[0].Nanoseconds], (read[0].TraceId, read[0].SpanId));
                reads++;
            }
        }

        stop.Cancel();
        Task.WaitAll(writers);
    }
}
