using System.Diagnostics;
using Instrumentation.Instruments;
using Instrumentation.Model;

namespace Instrumentation.Runtime.Tests;

/// <summary>A series keeps the trace of its latest sampled request, written without a lock.</summary>
public sealed class ExemplarTests
{
    private static StatusInstruments Series()
    {
        var registry = new InstrumentRegistry(new ErrorRule(status => status >= 400));
        return registry.GetOrCreate(new RouteDescriptor("style.id", "/style/{id}", "GET", "GetStyle"), null, false, true).ForStatus(200);
    }

    [Fact]
    public void A_series_has_no_exemplar_until_a_sampled_request_leaves_one_and_then_the_latest()
    {
        var series = Series();
        Assert.False(series.TryReadExemplar(out _));

        var first = (ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom());
        var latest = (ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom());
        series.RecordExemplar(1_000, first.Item1, first.Item2);
        series.RecordExemplar(2_000, latest.Item1, latest.Item2);

        Assert.True(series.TryReadExemplar(out var exemplar));
        Assert.Equal((latest.Item1, latest.Item2, 2_000L), (exemplar.TraceId, exemplar.SpanId, exemplar.Nanoseconds));
        Assert.InRange(exemplar.UnixMilliseconds, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
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
        while (reads < 200_000)
        {
            if (series.TryReadExemplar(out var exemplar))
            {
                Assert.Equal(traces[exemplar.Nanoseconds], (exemplar.TraceId, exemplar.SpanId));
                reads++;
            }
        }

        stop.Cancel();
        Task.WaitAll(writers);
    }
}
