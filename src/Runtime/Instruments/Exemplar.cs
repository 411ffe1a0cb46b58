using System.Diagnostics;

namespace Instrumentation.Instruments;

/// <summary>The trace of one sampled request, as an OpenMetrics exemplar.</summary>
internal readonly record struct Exemplar(ActivityTraceId TraceId, ActivitySpanId SpanId, long Nanoseconds, long UnixMilliseconds);

/// <summary>
/// A series' latest exemplar, written on the request path without a lock and without allocating: a sequence lock.
/// The sequence is odd while a writer fills the fields; a reader (the scrape) copies them and retries when the sequence
/// moved meanwhile. A writer that finds another one writing leaves it be: that request is just as recent.
/// </summary>
internal struct LatestExemplar
{
    private int sequence;
    private ActivityTraceId traceId;
    private ActivitySpanId spanId;
    private long nanoseconds;
    private long unixMilliseconds;

    public void Write(ActivityTraceId trace, ActivitySpanId span, long elapsedNanoseconds, long now)
    {
        var before = Volatile.Read(ref sequence);
        if ((before & 1) != 0 || Interlocked.CompareExchange(ref sequence, before + 1, before) != before)
        {
            return;
        }

        traceId = trace;
        spanId = span;
        nanoseconds = elapsedNanoseconds;
        unixMilliseconds = now;
        Volatile.Write(ref sequence, before + 2);
    }

    /// <summary>False until the first write.</summary>
    public bool TryRead(out Exemplar exemplar)
    {
        var spin = default(SpinWait);
        while (true)
        {
            var before = Volatile.Read(ref sequence);
            if (before == 0)
            {
                exemplar = default;
                return false;
            }

            if ((before & 1) == 0)
            {
                var copy = new Exemplar(traceId, spanId, nanoseconds, unixMilliseconds);

                // The field reads above must not move past the second sequence read.
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref sequence) == before)
                {
                    exemplar = copy;
                    return true;
                }
            }

            spin.SpinOnce();
        }
    }
}
