using System.Diagnostics;

namespace Instrumentation.Tracing.Tests;

/// <summary>
/// Several tracers in one process (several applications, these tests run in parallel) each keep their own head
/// decision, whichever listener asked for the Activity to be recorded.
/// </summary>
public sealed class HeadSamplerTests
{
    // Low bits 1: sampled out at rate 0, kept at rate 1.
    private const string Trace = "fedcba98765432100000000000000001";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Each_tracer_keeps_its_own_decision_on_the_same_activity(bool droppingFirst)
    {
        var dropping = new HeadSampler(new SpanSampler(0.0, null));
        var keeping = new HeadSampler(new SpanSampler(1.0, null));
        using var source = new ActivitySource($"Instrumentation.Tracing.Tests.{Guid.NewGuid():N}");
        using var first = Listen(source, droppingFirst ? dropping : keeping);
        using var second = Listen(source, droppingFirst ? keeping : dropping);

        // A remote parent that left the decision open: each sampler decides by its rate.
        var traceId = ActivityTraceId.CreateFromString(Trace);
        SamplingHandOff.LeaveDecisionOpen(Trace);
        var parent = new ActivityContext(traceId, ActivitySpanId.CreateRandom(), ActivityTraceFlags.None, isRemote: true);
        using var activity = source.StartActivity("request", ActivityKind.Server, parent);

        Assert.NotNull(activity);
        Assert.True(activity.Recorded);
        Assert.False(dropping.IsSampled(activity));
        Assert.True(keeping.IsSampled(activity));
    }

    [Fact]
    public void The_open_decision_is_the_same_for_every_tracer_of_one_activity()
    {
        var traceId = ActivityTraceId.CreateFromString(Trace);
        SamplingHandOff.LeaveDecisionOpen(Trace);

        Assert.True(SamplingHandOff.IsDecisionOpen(traceId));
        Assert.True(SamplingHandOff.IsDecisionOpen(traceId));
        Assert.False(SamplingHandOff.IsDecisionOpen(ActivityTraceId.CreateRandom()));

        SamplingHandOff.LeaveDecisionOpen(null);
        Assert.False(SamplingHandOff.IsDecisionOpen(traceId));
    }

    private static ActivityListener Listen(ActivitySource source, HeadSampler sampler)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = s => ReferenceEquals(s, source),
            Sample = sampler.Sample,
            ActivityStarted = sampler.OnStarted,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
