using System.Diagnostics;
using Instrumentation.Sinks.Wavefront;
using Instrumentation.TestSupport.Wavefront;
using Instrumentation.Naming;

namespace Instrumentation.Wavefront.Tests;

/// <summary>The formatter's lines, checked by the strict parser and against the protocol facts.</summary>
public class FormatTests
{
    private static readonly KeyValuePair<string, string>[] Tags = [new("application", "Ordering"), new("service", "styling")];

    [Theory]
    [InlineData("aspnetcore.request.api.orders.int:id.GET.inflight.value", "aspnetcore.request.api.orders.int-id.GET.inflight.value")]
    [InlineData("a/b c\"d", "a-b-c-d")]
    [InlineData("~sdk.x", "~sdk.x")]
    [InlineData("\u2206~sdk.x", "\u2206~sdk.x")]
    [InlineData("a~b\u2206", "a-b-")]
    [InlineData("caf\u00e9,ok_1-2", "caf-,ok_1-2")]
    public void Sanitizes_names_as_the_proxy_expects(string name, string expected) => Assert.Equal(expected, WavefrontNames.SanitizeName(name));

    [Fact]
    public void Escapes_tag_values_trims_and_drops_blank_ones()
    {
        Assert.Equal("a \\\"b\\\"", WavefrontFormat.EscapeTagValue("  a \"b\" "));
        Assert.Equal("x\\ny", WavefrontFormat.EscapeTagValue("x\r\ny"));
        Assert.Null(WavefrontFormat.EscapeTagValue("   "));
        var suffix = WavefrontFormat.TagSuffix("host-1", [new("empty", " "), new("k:ey", "v \"q\"")]);
        var point = WavefrontLineParser.ParsePoint("\"m\" 1" + suffix);
        Assert.Equal([new KeyValuePair<string, string>("k-ey", "v \"q\"")], point.Tags);
    }

    [Fact]
    public void Cuts_a_tag_value_so_key_and_value_fit_254_characters()
    {
        var line = WavefrontFormat.MetricLine("m", 1L, null, WavefrontFormat.TagSuffix("h", [new("handler", new string('x', 400))]))!;
        var point = WavefrontLineParser.ParsePoint(line);
        Assert.Equal(254, "handler".Length + point.Tag("handler")!.Length);
    }

    [Theory]
    [InlineData(42422.0, "42422")]
    [InlineData(0.1, "0.1")]
    [InlineData(1.0 / 3, "0.3333333333333333")]
    [InlineData(1e-7, "1E-07")]
    public void Writes_values_in_invariant_shortest_round_trip_form(double value, string expected)
    {
        var previous = Thread.CurrentThread.CurrentCulture;
        Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        try
        {
            var line = WavefrontFormat.MetricLine("m", value, null, WavefrontFormat.TagSuffix("h", Tags))!;
            Assert.StartsWith($"\"m\" {expected} ", line, StringComparison.Ordinal);
            Assert.Equal(value, WavefrontLineParser.ParsePoint(line).Value);
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Delta_counters_carry_the_marker_no_timestamp_and_never_a_non_positive_value()
    {
        var suffix = WavefrontFormat.TagSuffix("h", Tags);
        var line = WavefrontFormat.DeltaLine("a.count", 5L, suffix)!;
        Assert.StartsWith("\"\u2206a.count\" 5 source=", line, StringComparison.Ordinal);
        Assert.Equal(5, WavefrontLineParser.ParseDelta(line).Value);
        Assert.StartsWith("\"\u0394a\"", WavefrontFormat.DeltaLine("\u0394a", 1L, suffix), StringComparison.Ordinal);
        Assert.Null(WavefrontFormat.DeltaLine("a.count", 0L, suffix));
        Assert.Null(WavefrontFormat.DeltaLine("a.count", -3L, suffix));
        Assert.Null(WavefrontFormat.DeltaLine("a.count", double.NaN, suffix));
    }

    [Fact]
    public void Histograms_merge_equal_adjacent_centroids_and_refuse_empty_ones()
    {
        var suffix = WavefrontFormat.TagSuffix("h", Tags);
        var line = WavefrontFormat.HistogramLine(1_700_000_040, [(1.5, 2), (1.5, 1), (3, 4)], "a.latency", suffix)!;
        var histogram = WavefrontLineParser.ParseHistogram(line);
        Assert.Equal([new WavefrontCentroid(1.5, 3), new WavefrontCentroid(3, 4)], histogram.Centroids);
        Assert.Null(WavefrontFormat.HistogramLine(1_700_000_040, [], "a", suffix));
        Assert.Null(WavefrontFormat.HistogramLine(1_700_000_040, [(1, 0)], "a", suffix));
    }

    [Fact]
    public void Maps_w3c_ids_to_wavefront_uuids()
    {
        Assert.Equal("0af76519-16cd-43dd-8448-eb211c80319c", WavefrontFormat.ToUuid(ActivityTraceId.CreateFromString("0af7651916cd43dd8448eb211c80319c")));
        Assert.Equal("00000000-0000-0000-b7ad-6b7169203331", WavefrontFormat.ToUuid(ActivitySpanId.CreateFromString("b7ad6b7169203331")));
    }

    [Fact]
    public void Span_log_lines_pass_the_parser()
    {
        // Span lines themselves come from the tracing formatter and are checked in Tracing.Tests/FormatterTests.
        var trace = WavefrontFormat.ToUuid(ActivityTraceId.CreateRandom());
        var spanId = WavefrontFormat.ToUuid(ActivitySpanId.CreateRandom());
        var spanLine = $"\"MakeShirts\" source=\"host-1\" traceId={trace} spanId={spanId} \"_spanLogs\"=\"true\" 1700000000123 12";
        var span = WavefrontLineParser.ParseSpan(spanLine);

        var logs = WavefrontFormat.SpanLogsLine(trace, spanId, [(1_700_000_000_123_456, [new("event", "error"), new("message", "b\u00e9 \"x\"\n")])], spanLine);
        var parsed = WavefrontLineParser.ParseSpanLog(logs);
        Assert.Equal("b\u00e9 \"x\"\n", Assert.Single(parsed.Logs).Fields[1].Value);
        Assert.Equal(span.SpanId, parsed.Span!.SpanId);
    }
}
