using System.Diagnostics;
using System.Numerics;

namespace Instrumentation.Instruments;

/// <summary>The trace of one sampled request, as an OpenMetrics exemplar.</summary>
internal readonly record struct Exemplar(ActivityTraceId TraceId, ActivitySpanId SpanId, long Nanoseconds, long UnixMilliseconds);

/// <summary>
/// A series' exemplars: the latest sampled request per power of two of latency, so the trace of a slow request is
/// replaced only by a request about as slow, not by the many fast ones after it. A scrape places each in the bucket its
/// latency falls in, and keeps the latest per bucket. Created on a series' first sampled request.
/// </summary>
internal sealed class ExemplarSlots
{
    // 2^10 ns (1 µs) to 2^37 ns (137 s), which the histograms' range covers; anything outside goes to the end slots.
    private const int SmallestPower = 10;
    public const int Count = 28;

    private readonly LatestExemplar[] slots = new LatestExemplar[Count];

    public void Write(ActivityTraceId traceId, ActivitySpanId spanId, long nanoseconds, long unixMilliseconds)
    {
        var power = 63 - BitOperations.LeadingZeroCount((ulong)Math.Max(nanoseconds, 1));
        slots[Math.Clamp(power - SmallestPower, 0, Count - 1)].Write(traceId, spanId, nanoseconds, unixMilliseconds);
    }

    /// <summary>Copies every exemplar there is into <paramref name="into"/> (<see cref="Count"/> long); returns how many.</summary>
    public int Read(Exemplar[] into)
    {
        var count = 0;
        for (var i = 0; i < slots.Length; i++)
        {
            if (slots[i].TryRead(out var exemplar))
            {
                into[count++] = exemplar;
            }
        }

        return count;
    }
}

/// <summary>
/// One latest exemplar, written on the request path without a lock and without allocating: a sequence lock.
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
