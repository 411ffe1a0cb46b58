using System.Diagnostics;

namespace Instrumentation.Tracing;

/// <summary>
/// Wavefront's samplers: rate (decided once per trace from its id, so every service keeps the same traces) and
/// duration (decided when a span ends), kept when any says yes. With neither configured, every span is kept.
/// </summary>
internal sealed class SpanSampler
{
    private const long RateModulus = 10_000;

    private readonly bool keepAll;
    private readonly long rateBoundary;
    private readonly long durationThresholdNanoseconds;

    public SpanSampler(double? rate, long? durationMs)
    {
        keepAll = rate is null && durationMs is null;
        rateBoundary = rate is { } r ? (long)(r * RateModulus) : -1;
        durationThresholdNanoseconds = durationMs is { } ms ? ms * 1_000_000 : long.MaxValue;
    }

    /// <summary>The decision for a trace no upstream service has decided on.</summary>
    public bool SampleTrace(ActivityTraceId traceId) =>
        keepAll || (rateBoundary >= 0 && Math.Abs(TraceIds.LowBits(traceId) % RateModulus) <= rateBoundary);

    /// <summary>Whether a span that took this long is kept whatever the rate sampler said.</summary>
    public bool IsSlow(long elapsedNanoseconds) => elapsedNanoseconds > durationThresholdNanoseconds;
}
