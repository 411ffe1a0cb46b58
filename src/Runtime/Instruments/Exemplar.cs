using System.Diagnostics;

namespace Instrumentation.Instruments;

/// <summary>
/// The trace of one sampled request, as an OpenMetrics exemplar. Immutable, so a series publishes a new one with a
/// single reference write and a scrape reads a whole one: no lock on the request path, and never a torn id.
/// </summary>
internal sealed class Exemplar(ActivityTraceId traceId, ActivitySpanId spanId, long nanoseconds, long unixMilliseconds)
{
    public ActivityTraceId TraceId { get; } = traceId;

    public ActivitySpanId SpanId { get; } = spanId;

    /// <summary>The request's latency, which places the exemplar in its histogram bucket.</summary>
    public long Nanoseconds { get; } = nanoseconds;

    public long UnixMilliseconds { get; } = unixMilliseconds;
}
