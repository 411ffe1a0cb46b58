using System.Diagnostics;

namespace Instrumentation.Tracing;

/// <summary>
/// The decision taken when hosting or HttpClient creates an Activity: recorded (kept, tags gathered) or carrying the
/// context only. A new trace is decided by the configured <see cref="SpanSampler"/>; one from upstream keeps the
/// upstream decision unless the sender left it open; a child follows its parent. Spans sampled out here may still be
/// kept when they end (errors, slow ones, forced ones): that tail decision is <see cref="ServerSpanBuilder"/>'s.
/// </summary>
internal sealed class HeadSampler(SpanSampler sampler)
{
    private static readonly object NotSampled = new();
    private static int instances;

    // Per sampler: in a process with several applications, each one's tracer samples every application's requests,
    // and one's "not sampled" must not hide another's "sampled".
    private readonly string notSampledProperty = "Instrumentation.Tracing.NotSampled." + Interlocked.Increment(ref instances);

    /// <summary>The configured rate and duration rules, which the tail decision uses too.</summary>
    public SpanSampler Rules { get; } = sampler;

    /// <summary>Whether a span is kept by the head decision: this process's sampler, or the upstream service's.</summary>
    public bool IsSampled(Activity activity) => activity.Recorded && activity.GetCustomProperty(notSampledProperty) is null;

    /// <summary>The listener's sample callback.</summary>
    public ActivitySamplingResult Sample(ref ActivityCreationOptions<ActivityContext> creation)
    {
        var keep = HeadDecision(ref creation, out var traceId);
        SamplingHandOff.Offer(this, traceId, keep);

        // Sampled out only carries the context: a span that fails or is slow is still kept when it ends, and gets its
        // tags then from what the middleware knows; nothing is gathered for the many that are not.
        return keep ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.PropagationData;
    }

    /// <summary>The listener's start callback: remembers a decision another listener overrode.</summary>
    public void OnStarted(Activity activity)
    {
        // Another listener (the OpenTelemetry SDK) may have recorded what this sampler did not keep: remember ours.
        if (activity.Recorded && SamplingHandOff.Take(this, activity.TraceId) == false)
        {
            activity.SetCustomProperty(notSampledProperty, NotSampled);
        }
    }

    private bool HeadDecision(ref ActivityCreationOptions<ActivityContext> creation, out ActivityTraceId traceId)
    {
        var parent = creation.Parent;
        if (parent.TraceId == default)
        {
            traceId = creation.TraceId;
            return Rules.SampleTrace(traceId);
        }

        traceId = parent.TraceId;
        if (parent.IsRemote)
        {
            // The upstream decision is honoured unless the upstream left it open.
            return SamplingHandOff.IsDecisionOpen(traceId)
                ? Rules.SampleTrace(traceId)
                : (parent.TraceFlags & ActivityTraceFlags.Recorded) != 0;
        }

        var current = Activity.Current;
        return current is not null && current.SpanId == parent.SpanId
            ? IsSampled(current)
            : (parent.TraceFlags & ActivityTraceFlags.Recorded) != 0;
    }
}
