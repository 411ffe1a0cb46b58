using System.Text;
using Instrumentation.TestSupport.Wavefront;

namespace Instrumentation.Wavefront.Tests;

/// <summary>The strict parser itself, on lines written by hand from the protocol facts.</summary>
public class LineParserTests
{
    [Fact]
    public void Reads_a_metric_point_with_timestamp_and_ordered_tags()
    {
        var point = Assert.IsType<WavefrontPoint>(WavefrontLineParser.Parse(
            "\"aspnetcore.response.style.id.make.GET.200.cumulative.count\" 42422 1700000000 source=\"host-1\" \"application\"=\"Ordering\" \"service\"=\"styling\""));
        Assert.Equal("aspnetcore.response.style.id.make.GET.200.cumulative.count", point.Name);
        Assert.Equal(42422, point.Value);
        Assert.Equal(1700000000, point.Timestamp);
        Assert.Equal("host-1", point.Source);
        Assert.Equal(["application", "service"], point.TagKeys());
        Assert.False(point.IsDelta);
    }

    [Fact]
    public void Reads_a_delta_counter_and_the_source_tag_override()
    {
        var point = WavefrontLineParser.ParseDelta("\"\u2206a.b.count\" 3 source=\"host-1\" \"application\"=\"Ordering\" \"source\"=\"wavefront-provided\"");
        Assert.True(point.IsDelta);
        Assert.Equal("a.b.count", point.BaseName);
        Assert.Equal("wavefront-provided", point.EffectiveSource);
        Assert.Equal("host-1", point.Source);
        Assert.True(WavefrontLineParser.ParseDelta("\"\u0394~sdk.x\" 0.5 source=\"h\"").IsDelta);
    }

    [Fact]
    public void Unescapes_quotes_and_line_breaks_in_tag_values()
    {
        var point = WavefrontLineParser.ParsePoint("\"m\" 1 source=\"a \\\"b\\\"\" \"k\"=\"x\\ny\" \"path\"=\"C:\\dir\"");
        Assert.Equal("a \"b\"", point.Source);
        Assert.Equal("x\ny", point.Tag("k"));
        Assert.Equal("C:\\dir", point.Tag("path"));
    }

    [Fact]
    public void Reads_a_histogram_with_centroids()
    {
        var histogram = WavefrontLineParser.ParseHistogram("!M 1700000040 #2 1.5 #1 20 \"a.latency\" source=\"h\" \"application\"=\"A\"");
        Assert.Equal('M', histogram.Granularity);
        Assert.Equal(1700000040, histogram.Timestamp);
        Assert.Equal([new WavefrontCentroid(1.5, 2), new WavefrontCentroid(20, 1)], histogram.Centroids);
        Assert.Equal(3, histogram.Count);
        Assert.Equal("a.latency", histogram.Name);
    }

    [Fact]
    public void Reads_a_span_with_parents_tags_and_span_logs_marker()
    {
        var span = Assert.IsType<WavefrontSpan>(WavefrontLineParser.Parse(
            "\"MakeShirts\" source=\"host-1\" traceId=0af76519-16cd-43dd-8448-eb211c80319c spanId=00000000-0000-0000-b7ad-6b7169203331 " +
            "parent=00000000-0000-0000-0000-000000000001 followsFrom=00000000-0000-0000-0000-000000000002 " +
            "\"application\"=\"Ordering\" \"env\"=\"a\" \"env\"=\"b\" \"_spanLogs\"=\"true\" 1700000000123 15"));
        Assert.Equal("MakeShirts", span.Operation);
        Assert.Equal(Guid.Parse("0af76519-16cd-43dd-8448-eb211c80319c"), span.TraceId);
        Assert.Single(span.Parents);
        Assert.Single(span.FollowsFrom);
        Assert.Equal(["application", "env", "env", "_spanLogs"], span.TagKeys());
        Assert.Equal(1700000000123, span.StartMillis);
        Assert.Equal(15, span.DurationMillis);
    }

    [Fact]
    public void Reads_span_logs_and_the_span_they_carry()
    {
        const string spanLine = "\"op\" source=\"h\" traceId=0af76519-16cd-43dd-8448-eb211c80319c spanId=00000000-0000-0000-b7ad-6b7169203331 \"_spanLogs\"=\"true\" 1700000000123 0";
        var json = "{\"traceId\":\"0af76519-16cd-43dd-8448-eb211c80319c\",\"spanId\":\"00000000-0000-0000-b7ad-6b7169203331\"," +
                   "\"logs\":[{\"timestamp\":1700000000123456,\"fields\":{\"event\":\"error\",\"message\":\"boom\"}}],\"span\":" +
                   System.Text.Json.JsonSerializer.Serialize(spanLine) + "}";
        var logs = Assert.IsType<WavefrontSpanLog>(WavefrontLineParser.Parse(json));
        Assert.Equal(1700000000123456, Assert.Single(logs.Logs).TimestampMicros);
        Assert.Equal("op", logs.Span!.Operation);
        var withoutSpan = WavefrontLineParser.ParseSpanLog(json[..json.IndexOf(",\"span\"", StringComparison.Ordinal)] + ",\"span\":null}");
        Assert.Null(withoutSpan.Span);
    }

    [Fact]
    public void Payloads_must_be_utf8_lines_ending_in_newlines()
    {
        var good = Encoding.UTF8.GetBytes("\"\u2206a\" 1 source=\"h\"\n\"b\" 2 source=\"h\"\n");
        Assert.Equal(2, WavefrontLineParser.ParsePayload(good).Count);
        Assert.Throws<WavefrontFormatException>(() => WavefrontLineParser.ParsePayload(Encoding.UTF8.GetBytes("\"b\" 2 source=\"h\"")));
        Assert.Throws<WavefrontFormatException>(() => WavefrontLineParser.ParsePayload(Encoding.UTF8.GetBytes("\"b\" 2 source=\"h\"\r\n")));

        // ∆ written in a legacy code page instead of UTF-8.
        var latin = Encoding.Latin1.GetBytes("\"?a\" 1 source=\"h\"\n");
        latin[1] = 0x86;
        Assert.Throws<WavefrontFormatException>(() => WavefrontLineParser.ParsePayload(latin));
    }

    [Theory]
    [InlineData("m 1 source=\"h\"", "must be quoted")]
    [InlineData("\"m\"  1 source=\"h\"", "more than one space")]
    [InlineData("\"m\" 1,5 source=\"h\"", "not an invariant-culture")]
    [InlineData("\"m\" NaN source=\"h\"", "not an invariant-culture")]
    [InlineData("\"m\" 1 123 source=\"h\"", "neither epoch seconds")]
    [InlineData("\"m\" 1", "expected one space after the value")]
    [InlineData("\"m\" 1 src=\"h\"", "expected source")]
    [InlineData("\"m\" 1 source=h", "must be quoted")]
    [InlineData("\"m\" 1 source=\"\"", "source is empty")]
    [InlineData("\"m\" 1 source=\"h\" \"k\"=\"\"", "tag 'k' is empty")]
    [InlineData("\"m\" 1 source=\"h\" \"k\"=\" v\"", "whitespace")]
    [InlineData("\"m\" 1 source=\"h\" \"k\"=\"a\"b\"", "expected one space")]
    [InlineData("\"m\" 1 source=\"h\" \"k\"=\"unterminated", "unterminated")]
    [InlineData("\"m\" 1 source=\"h\" \"a:b\"=\"v\"", "tag key 'a:b'")]
    [InlineData("\"m\" 1 source=\"h\" \"k\"=\"v\" \"k\"=\"w\"", "occurs twice")]
    [InlineData("\"m\" 1 source=\"h\" k=\"v\"", "must be quoted")]
    [InlineData("\"style.path:id.make\" 1 source=\"h\"", "metric name")]
    [InlineData("\"a b\" 1 source=\"h\"", "metric name")]
    [InlineData("\"a~b\" 1 source=\"h\"", "metric name")]
    [InlineData("\"\" 1 source=\"h\"", "metric name")]
    [InlineData("\"\u2206m\" 0 source=\"h\"", "must be positive")]
    [InlineData("\"\u2206m\" -2 source=\"h\"", "must be positive")]
    [InlineData("\"\u2206m\" 1 1700000000 source=\"h\"", "must not carry a timestamp")]
    [InlineData("!M 1700000040 \"m\" source=\"h\"", "at least one centroid")]
    [InlineData("!X 1700000040 #1 2 \"m\" source=\"h\"", "!M, !H or !D")]
    [InlineData("!M 1700000041 #1 2 \"m\" source=\"h\"", "start of its bin")]
    [InlineData("!M 1700000040 #0 2 \"m\" source=\"h\"", "positive integer")]
    [InlineData("!M 1700000040 #1.5 2 \"m\" source=\"h\"", "positive integer")]
    [InlineData("!M 1700000040 #1 2 #3 2 \"m\" source=\"h\"", "must be merged")]
    [InlineData("\"op\" source=\"h\" traceId=0AF76519-16cd-43dd-8448-eb211c80319c spanId=00000000-0000-0000-b7ad-6b7169203331 1700000000123 1", "lowercase UUID")]
    [InlineData("\"op\" source=\"h\" traceId=0af7651916cd43dd8448eb211c80319c spanId=00000000-0000-0000-b7ad-6b7169203331 1700000000123 1", "lowercase UUID")]
    [InlineData("\"op\" source=\"h\" spanId=00000000-0000-0000-b7ad-6b7169203331 traceId=0af76519-16cd-43dd-8448-eb211c80319c 1700000000123 1", "expected traceId")]
    [InlineData("\"op\" source=\"h\" traceId=0af76519-16cd-43dd-8448-eb211c80319c spanId=00000000-0000-0000-b7ad-6b7169203331 1700000000 1", "13 digits")]
    [InlineData("\"op\" source=\"h\" traceId=0af76519-16cd-43dd-8448-eb211c80319c spanId=00000000-0000-0000-b7ad-6b7169203331 \"_spanLogs\"=\"yes\" 1700000000123 1", "_spanLogs")]
    [InlineData("\"op\" source=\"h\" traceId=0af76519-16cd-43dd-8448-eb211c80319c spanId=00000000-0000-0000-b7ad-6b7169203331 \"shard\"=\"a\" \"shard\"=\"b\" 1700000000123 1", "single-valued")]
    [InlineData("\"\" source=\"h\" traceId=0af76519-16cd-43dd-8448-eb211c80319c spanId=00000000-0000-0000-b7ad-6b7169203331 1700000000123 1", "operation name is empty")]
    [InlineData("{\"traceId\":\"0af76519-16cd-43dd-8448-eb211c80319c\",\"spanId\":\"00000000-0000-0000-b7ad-6b7169203331\",\"logs\":[],\"span\":null}", "non-empty array")]
    [InlineData("{\"traceId\":\"0af76519-16cd-43dd-8448-eb211c80319c\",\"logs\":[{\"timestamp\":1700000000123456,\"fields\":{}}],\"span\":null}", "lacks property 'spanId'")]
    [InlineData("{\"traceId\":\"0af76519-16cd-43dd-8448-eb211c80319c\",\"spanId\":\"00000000-0000-0000-b7ad-6b7169203331\",\"logs\":[{\"timestamp\":1700000000123,\"fields\":{}}],\"span\":null}", "microseconds")]
    [InlineData("{\"traceId\":\"0af76519-16cd-43dd-8448-eb211c80319c\",\"spanId\":\"00000000-0000-0000-b7ad-6b7169203331\",\"logs\":[{\"timestamp\":1700000000123456,\"fields\":{\"n\":1}}],\"span\":null}", "must be a string")]
    public void Rejects_malformed_lines_saying_why(string line, string reason)
    {
        var error = Assert.Throws<WavefrontFormatException>(() => WavefrontLineParser.Parse(line));
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_delta_without_its_marker_and_tags_longer_than_254()
    {
        Assert.Contains("must start with", Assert.Throws<WavefrontFormatException>(() => WavefrontLineParser.ParseDelta("\"a\" 1 source=\"h\"")).Reason);
        var fits = new string('v', 254 - "key".Length);
        Assert.Equal(fits, WavefrontLineParser.ParsePoint($"\"m\" 1 source=\"h\" \"key\"=\"{fits}\"").Tag("key"));
        var error = Assert.Throws<WavefrontFormatException>(() => WavefrontLineParser.ParsePoint($"\"m\" 1 source=\"h\" \"key\"=\"{fits}v\""));
        Assert.Contains("more than 254", error.Reason);
    }
}
