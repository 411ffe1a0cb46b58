using System.Diagnostics;

namespace Instrumentation.Tracing;

/// <summary>
/// The only per-thread state tracing keeps. Creating a request's Activity is one synchronous call in which .NET runs,
/// on the creating thread and with no object to carry anything between them: the propagator reading the headers, then
/// every listener's sample callback, then every listener's start callback. Two facts have to cross those steps:
/// <list type="bullet">
/// <item>the propagator's "the sender left the sampling decision open" (B3 and Wavefront can say it, W3C cannot), read
/// by the samplers;</item>
/// <item>each tracer's own head decision, from its sample callback to its start callback, where it marks an Activity
/// that only another listener (the OpenTelemetry SDK, another application's tracer) wanted recorded.</item>
/// </list>
/// Both are keyed (by trace id, and by tracer), so several tracers in one process (several applications, tests run in
/// parallel) never read each other's.
/// </summary>
internal static class SamplingHandOff
{
    [ThreadStatic]
    private static string? openTraceId;

    // The decisions of the Activity being created on this thread, one per tracer listening: usually one.
    [ThreadStatic]
    private static Decision[]? decisions;

    [ThreadStatic]
    private static int decisionCount;

    /// <summary>
    /// The propagator has just read a context: <paramref name="traceId"/> (hex) when its sender left sampling to us,
    /// else null. Every read replaces the previous one.
    /// </summary>
    public static void LeaveDecisionOpen(string? traceId) => openTraceId = traceId;

    /// <summary>
    /// Whether <paramref name="traceId"/> is the context the propagator read last on this thread and its sender left
    /// the decision open: the local sampler decides, as for a new trace. Every tracer creating the same Activity gets
    /// the same answer.
    /// </summary>
    public static bool IsDecisionOpen(ActivityTraceId traceId) =>
        openTraceId is { } open && string.Equals(open, traceId.ToHexString(), StringComparison.Ordinal);

    /// <summary>A tracer's sample callback has decided on the Activity about to be created for this trace.</summary>
    public static void Offer(object tracer, ActivityTraceId traceId, bool keep)
    {
        var all = decisions ??= new Decision[2];
        var count = decisionCount;

        // Sample callbacks of one Activity share its trace id; a different one means an earlier creation is over.
        if (count > 0 && all[0].TraceId != traceId)
        {
            count = 0;
        }

        var slot = 0;
        while (slot < count && !ReferenceEquals(all[slot].Tracer, tracer))
        {
            slot++;
        }

        if (slot == all.Length)
        {
            Array.Resize(ref all, all.Length * 2);
            decisions = all;
        }

        all[slot] = new Decision(tracer, traceId, keep);
        decisionCount = Math.Max(count, slot + 1);
    }

    /// <summary>
    /// The decision <paramref name="tracer"/> offered for this Activity, or null if it offered none (it did not sample
    /// this creation).
    /// </summary>
    public static bool? Take(object tracer, ActivityTraceId traceId)
    {
        var all = decisions;
        for (var i = 0; i < decisionCount; i++)
        {
            if (ReferenceEquals(all![i].Tracer, tracer))
            {
                return all[i].TraceId == traceId ? all[i].Keep : null;
            }
        }

        return null;
    }

    private readonly record struct Decision(object Tracer, ActivityTraceId TraceId, bool Keep);
}
