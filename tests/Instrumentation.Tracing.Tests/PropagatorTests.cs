using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Instrumentation.Tracing.Tests;

public sealed class PropagatorTests
{
    private const string Trace = "0af7651916cd43dd8448eb211c80319c";
    private const string Span = "b7ad6b7169203331";
    private const string TraceParent = "00-" + Trace + "-" + Span + "-01";

    private static readonly DistributedContextPropagator.PropagatorGetterCallback Getter =
        static (object? carrier, string name, out string? value, out IEnumerable<string>? values) =>
        {
            values = null;
            ((Dictionary<string, string>)carrier!).TryGetValue(name, out value);
        };

    [Fact]
    public void Reads_W3C_trace_context()
    {
        var (traceId, state) = Extract(["w3c"], new() { ["traceparent"] = TraceParent, ["tracestate"] = "congo=t61rcWkgMzE" });
        Assert.Equal(TraceParent, traceId);
        Assert.Equal("congo=t61rcWkgMzE", state);
    }

    [Theory]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0")] // short
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-011")] // long for version 00
    [InlineData("00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01")] // upper case
    [InlineData("00-0af7651916cd43dd8448eb211c80319g-b7ad6b7169203331-01")] // not hex
    [InlineData("00-00000000000000000000000000000000-b7ad6b7169203331-01")] // zero trace id
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01")] // zero span id
    [InlineData("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")] // forbidden version
    [InlineData("00_0af7651916cd43dd8448eb211c80319c_b7ad6b7169203331_01")] // separators
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01,00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203332-01")] // duplicated
    [InlineData("")]
    public void IgnoresMalformedTraceParent(string value)
    {
        var (traceId, state) = Extract(["w3c"], new() { ["traceparent"] = value, ["tracestate"] = "a=b" });
        Assert.Null(traceId);
        Assert.Null(state);
    }

    [Fact]
    public void Ignores_huge_headers_and_oversized_trace_state()
    {
        Assert.Null(Extract(["w3c"], new() { ["traceparent"] = TraceParent + "-" + new string('a', 100_000) }).TraceId);
        var (traceId, state) = Extract(["w3c"], new() { ["traceparent"] = TraceParent, ["tracestate"] = "k=" + new string('v', 600) });
        Assert.Equal(TraceParent, traceId);
        Assert.Null(state);
    }

    [Fact]
    public void Reads_later_trace_parent_versions_as_version_00()
    {
        var (traceId, _) = Extract(["w3c"], new() { ["traceparent"] = "cc-" + Trace + "-" + Span + "-09-what-the-future-holds" });
        Assert.Equal(TraceParent, traceId);
    }

    [Theory]
    [InlineData("True", "-01", false)]
    [InlineData("false", "-00", false)]
    [InlineData(null, "-00", true)]
    public void Reads_wavefront_headers(string? sample, string flags, bool deferred)
    {
        var headers = new Dictionary<string, string>
        {
            ["wf-ot-traceid"] = "0af76519-16cd-43dd-8448-eb211c80319c",
            ["wf-ot-spanid"] = "5d1e0f2a-9b3c-4d5e-b7ad-6b7169203331",
        };
        if (sample is not null)
        {
            headers["wf-ot-sample"] = sample;
        }

        var (traceId, _) = Extract(["wavefront"], headers);
        Assert.Equal("00-" + Trace + "-" + Span + flags, traceId);
        Assert.Equal(deferred, SamplingHandOff.IsDecisionOpen(ActivityTraceId.CreateFromString(Trace)));
    }

    [Theory]
    [InlineData("not-a-uuid", "00000000-0000-0000-b7ad-6b7169203331")]
    [InlineData("0af76519-16cd-43dd-8448-eb211c80319c", "00000000-0000-0000-0000-000000000000")]
    [InlineData("0af76519-16cd-43dd-8448-eb211c80319c", "5d1e0f2a-9b3c-4d5e-0000-000000000000")]
    [InlineData("0af7651916cd-43dd-8448-eb211c80319c1", "00000000-0000-0000-b7ad-6b7169203331")]
    public void Ignores_malformed_wavefront_headers(string trace, string span)
    {
        Assert.Null(Extract(["wavefront"], new() { ["wf-ot-traceid"] = trace, ["wf-ot-spanid"] = span }).TraceId);
    }

    [Theory]
    [InlineData(Trace + "-" + Span + "-1", Trace, "-01", false)]
    [InlineData(Trace + "-" + Span + "-d", Trace, "-01", false)]
    [InlineData(Trace + "-" + Span + "-0-05e3ac9a4f6e3b90", Trace, "-00", false)]
    [InlineData("8448eb211c80319c-" + Span + "-1", "00000000000000008448eb211c80319c", "-01", false)]
    [InlineData(Trace + "-" + Span, Trace, "-00", true)]
    public void Reads_B3_single_header(string header, string trace, string flags, bool deferred)
    {
        var (traceId, _) = Extract(["b3"], new() { ["b3"] = header });
        Assert.Equal("00-" + trace + "-" + Span + flags, traceId);
        Assert.Equal(deferred, SamplingHandOff.IsDecisionOpen(ActivityTraceId.CreateFromString(trace)));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData(Trace + "-" + Span + "-2")]
    [InlineData(Trace + "-xyz-1")]
    [InlineData(Trace + "0-" + Span + "-1")]
    [InlineData("-" + Span + "-1")]
    public void Ignores_malformed_B3_single_header(string header)
    {
        Assert.Null(Extract(["b3"], new() { ["b3"] = header }).TraceId);
    }

    [Theory]
    [InlineData("1", null, "-01")]
    [InlineData("0", null, "-00")]
    [InlineData("0", "1", "-01")]
    public void Reads_B3_multi_headers(string sampled, string? flags, string expected)
    {
        var headers = new Dictionary<string, string> { ["X-B3-TraceId"] = Trace, ["X-B3-SpanId"] = Span, ["X-B3-Sampled"] = sampled };
        if (flags is not null)
        {
            headers["X-B3-Flags"] = flags;
        }

        // b3multi and b3 both read both forms.
        Assert.Equal("00-" + Trace + "-" + Span + expected, Extract(["b3multi"], headers).TraceId);
        Assert.Equal("00-" + Trace + "-" + Span + expected, Extract(["b3"], headers).TraceId);
    }

    [Fact]
    public void The_first_configured_format_present_wins()
    {
        var headers = new Dictionary<string, string>
        {
            ["traceparent"] = TraceParent,
            ["X-B3-TraceId"] = "11111111111111111111111111111111",
            ["X-B3-SpanId"] = "2222222222222222",
            ["X-B3-Sampled"] = "1",
        };
        Assert.Equal(TraceParent, Extract(["w3c", "b3"], headers).TraceId);
        Assert.Equal("00-11111111111111111111111111111111-2222222222222222-01", Extract(["b3", "w3c"], headers).TraceId);

        // A format that is not configured is not read.
        Assert.Null(Extract(["wavefront"], headers).TraceId);
        headers["traceparent"] = "garbage";
        Assert.Equal("00-11111111111111111111111111111111-2222222222222222-01", Extract(["w3c", "b3"], headers).TraceId);
    }

    [Fact]
    public void A_getter_that_throws_starts_a_new_trace()
    {
        var propagator = new TraceContextPropagator(["w3c", "b3"]);
        propagator.ExtractTraceIdAndState(
            null,
            static (object? _, string _, out string? _, out IEnumerable<string>? _) => throw new InvalidOperationException("broken carrier"),
            out var traceId,
            out var state);
        Assert.Null(traceId);
        Assert.Null(state);
        Assert.Null(propagator.ExtractBaggage(null, static (object? _, string _, out string? _, out IEnumerable<string>? _) => throw new InvalidOperationException()));
    }

    [Fact]
    public void Reads_baggage()
    {
        var headers = new HeaderDictionary
        {
            ["baggage"] = "userId=alice, city=New%20York;ttl=5 ,bad key=1,=x,novalue",
            ["wf-ot-tenant"] = "acme",
            ["wf-ot-traceid"] = "0af76519-16cd-43dd-8448-eb211c80319c",
        };
        var propagator = new TraceContextPropagator(["w3c", "wavefront"]);
        var baggage = propagator.ExtractBaggage(headers, static (object? carrier, string name, out string? value, out IEnumerable<string>? values) =>
        {
            values = null;
            value = ((IHeaderDictionary)carrier!)[name];
        })!.ToList();

        Assert.Equal(
            [new("userId", "alice"), new("city", "New York"), new("tenant", "acme")],
            baggage);
    }

    [Fact]
    public void Baggage_is_bounded()
    {
        var many = string.Join(",", Enumerable.Range(0, 500).Select(i => $"k{i}=v"));
        var baggage = new TraceContextPropagator(["w3c"]).ExtractBaggage(new Dictionary<string, string> { ["baggage"] = many }, Getter)!.ToList();
        Assert.Equal(64, baggage.Count);
        Assert.Null(new TraceContextPropagator(["w3c"]).ExtractBaggage(new Dictionary<string, string> { ["baggage"] = "k=" + new string('v', 9000) }, Getter));
    }

    [Fact]
    public void Baggage_values_that_are_not_W3C_baggage_octets_are_skipped()
    {
        // Header bytes that were not ASCII, as Kestrel hands them over when told to decode Latin-1 or UTF-8; then the
        // characters W3C requires percent-encoded.
        var header = "user=\ufffd\ufffd,tenant=\u00e9t\u00e9,quote=a\"b,back=a\\b,ok=caf%C3%A9";
        var baggage = new TraceContextPropagator(["w3c"]).ExtractBaggage(new Dictionary<string, string> { ["baggage"] = header }, Getter);
        Assert.Equal([new KeyValuePair<string, string?>("ok", "caf\u00e9")], baggage);
        Assert.Null(new TraceContextPropagator(["w3c"]).ExtractBaggage(new Dictionary<string, string> { ["baggage"] = "user=\u00ff" }, Getter));
    }

    [Fact]
    public void Writes_every_configured_format()
    {
        using var activity = new Activity("outgoing");
        activity.SetIdFormat(ActivityIdFormat.W3C);
        activity.SetParentId(ActivityTraceId.CreateFromString(Trace), ActivitySpanId.CreateFromString(Span), ActivityTraceFlags.Recorded);
        activity.TraceStateString = "congo=t61rcWkgMzE";
        activity.AddBaggage("user", "alice smith");
        activity.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        activity.Start();

        var written = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        new TraceContextPropagator(["w3c", "wavefront", "b3", "b3multi"]).Inject(activity, written, static (carrier, key, value) =>
            ((Dictionary<string, string>)carrier!)[key] = value);

        var span = activity.SpanId.ToHexString();
        Assert.Equal($"00-{Trace}-{span}-01", written["traceparent"]);
        Assert.Equal("congo=t61rcWkgMzE", written["tracestate"]);
        Assert.Equal("user=alice%20smith", written["baggage"]);
        Assert.Equal("0af76519-16cd-43dd-8448-eb211c80319c", written["wf-ot-traceid"]);
        Assert.Equal($"00000000-0000-0000-{span[..4]}-{span[4..]}", written["wf-ot-spanid"]);
        Assert.Equal("True", written["wf-ot-sample"]);
        Assert.Equal("alice smith", written["wf-ot-user"]);
        Assert.Equal($"{Trace}-{span}-1", written["b3"]);
        Assert.Equal(Trace, written["X-B3-TraceId"]);
        Assert.Equal(span, written["X-B3-SpanId"]);
        Assert.Equal("1", written["X-B3-Sampled"]);

        // What one service writes, the next reads back to the same context, in every format.
        foreach (var format in new[] { "w3c", "wavefront", "b3", "b3multi" })
        {
            var only = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            new TraceContextPropagator([format]).Inject(activity, only, static (carrier, key, value) => ((Dictionary<string, string>)carrier!)[key] = value);
            var getter = new DistributedContextPropagator.PropagatorGetterCallback(static (object? carrier, string name, out string? value, out IEnumerable<string>? values) =>
            {
                values = null;
                ((Dictionary<string, string>)carrier!).TryGetValue(name, out value);
            });
            new TraceContextPropagator(["w3c", "wavefront", "b3"]).ExtractTraceIdAndState(only, getter, out var traceId, out _);
            Assert.Equal($"00-{Trace}-{span}-01", traceId);
        }
    }

    [Fact]
    public void Writes_nothing_without_a_W3C_activity()
    {
        using var activity = new Activity("hierarchical");
        activity.SetIdFormat(ActivityIdFormat.Hierarchical);
        activity.Start();
        var written = new Dictionary<string, string>();
        new TraceContextPropagator(["w3c", "b3"]).Inject(activity, written, static (carrier, key, value) => ((Dictionary<string, string>)carrier!)[key] = value);
        Assert.Empty(written);
    }

    private static (string? TraceId, string? State) Extract(string[] formats, Dictionary<string, string> headers)
    {
        var carrier = new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase);
        new TraceContextPropagator(formats).ExtractTraceIdAndState(carrier, Getter, out var traceId, out var state);
        return (traceId, state);
    }
}
