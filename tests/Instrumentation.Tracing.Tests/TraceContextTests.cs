using System.Diagnostics;

namespace Instrumentation.Tracing.Tests;

/// <summary>
/// <see cref="TraceContext"/> writes and reads carriers through <see cref="DistributedContextPropagator.Current"/>,
/// which every application under test sets: these tests set it themselves, so they run in the process-wide collection.
/// </summary>
[Collection(ProcessWideTracingState.Name)]
public sealed class TraceContextTests : IDisposable
{
    private readonly DistributedContextPropagator before = DistributedContextPropagator.Current;

    public void Dispose() => DistributedContextPropagator.Current = before;

    [Theory]
    [InlineData("w3c", "traceparent")]
    [InlineData("wavefront", "wf-ot-traceid")]
    [InlineData("b3", "b3")]
    [InlineData("b3multi", "X-B3-TraceId")]
    public void Inject_and_extract_round_trip_through_a_dictionary(string format, string field)
    {
        DistributedContextPropagator.Current = new TraceContextPropagator([format]);
        using var span = SampledSpan();
        var headers = new Dictionary<string, string>();

        TraceContext.Inject(span, headers);

        Assert.Contains(field, headers.Keys);
        var parent = TraceContext.Extract(headers);
        Assert.Equal(span.TraceId, parent.TraceId);
        Assert.Equal(span.SpanId, parent.SpanId);
        Assert.Equal(ActivityTraceFlags.Recorded, parent.TraceFlags);
        Assert.True(parent.IsRemote);
    }

    [Fact]
    public void Baggage_and_trace_state_travel_and_the_sampling_decision_too()
    {
        DistributedContextPropagator.Current = new TraceContextPropagator(["w3c", "wavefront"]);
        using var span = SampledSpan();
        span.TraceStateString = "congo=t61rcWkgMzE";
        span.AddBaggage("tenant", "acme corp");
        span.ActivityTraceFlags = ActivityTraceFlags.None;
        var headers = new Dictionary<string, string>();

        TraceContext.Inject(span, headers);

        var parent = TraceContext.Extract(headers);
        Assert.Equal(span.TraceId, parent.TraceId);
        Assert.Equal(ActivityTraceFlags.None, parent.TraceFlags);
        Assert.Equal("congo=t61rcWkgMzE", parent.TraceState);
        Assert.Equal([new("tenant", "acme corp")], TraceContext.ExtractBaggage(headers));

        // Wavefront's baggage is read by its field names, which a dictionary can list.
        headers.Remove("baggage");
        Assert.Equal([new("tenant", "acme corp")], TraceContext.ExtractBaggage(headers));
    }

    [Fact]
    public void Any_carrier_works_through_a_getter_and_a_setter()
    {
        DistributedContextPropagator.Current = new TraceContextPropagator(["b3multi"]);
        using var span = SampledSpan();
        var message = new List<(string Name, string Value)>();

        TraceContext.Inject(span, message, static (fields, name, value) => fields.Add((name.ToLowerInvariant(), value)));

        Assert.Equal(["x-b3-traceid", "x-b3-spanid", "x-b3-sampled"], message.Select(f => f.Name));
        var parent = TraceContext.Extract(message, static (fields, name) =>
            fields.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase)).Value);
        Assert.Equal(span.TraceId, parent.TraceId);
        Assert.Equal(span.SpanId, parent.SpanId);

        // Field names in another case are found in a dictionary too (message systems keep them as written).
        var lowerCase = message.ToDictionary(f => f.Name, f => f.Value);
        Assert.Equal(span.SpanId, TraceContext.Extract(lowerCase).SpanId);
    }

    [Fact]
    public void Nothing_to_write_or_read_gives_nothing()
    {
        DistributedContextPropagator.Current = new TraceContextPropagator(["w3c"]);
        var headers = new Dictionary<string, string>();
        TraceContext.Inject(null, headers);
        Assert.Empty(headers);

        Assert.Equal(default, TraceContext.Extract(headers));
        Assert.Equal(default, TraceContext.Extract(new Dictionary<string, string> { ["traceparent"] = "00-not-a-trace-01" }));
        Assert.Empty(TraceContext.ExtractBaggage(headers));
    }

    [Fact]
    public void A_span_started_under_an_extracted_context_continues_the_trace()
    {
        DistributedContextPropagator.Current = new TraceContextPropagator(["w3c"]);
        using var producer = SampledSpan();
        var headers = new Dictionary<string, string>();
        TraceContext.Inject(producer, headers);
        producer.Stop();

        using var source = new ActivitySource($"Instrumentation.Tracing.Tests.{Guid.NewGuid():N}");
        using var listener = new ActivityListener
        {
            ShouldListenTo = candidate => ReferenceEquals(candidate, source),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var consumer = source.StartActivity("consume", ActivityKind.Consumer, TraceContext.Extract(headers));

        Assert.NotNull(consumer);
        Assert.Equal(producer.TraceId, consumer.TraceId);
        Assert.Equal(producer.SpanId, consumer.ParentSpanId);
        Assert.True(consumer.HasRemoteParent);
    }

    private static Activity SampledSpan()
    {
        var span = new Activity("publish").SetIdFormat(ActivityIdFormat.W3C).Start();
        span.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        return span;
    }
}
