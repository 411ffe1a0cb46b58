using System.Diagnostics;
using Instrumentation.Configuration;
using Instrumentation.Instruments;
using Instrumentation.TestSupport.Wavefront;

namespace Instrumentation.Tracing.Tests;

/// <summary>Spans as Wavefront lines, each checked by the strict parser.</summary>
public sealed class FormatterTests : IDisposable
{
    private readonly ActivitySource source = new("Instrumentation.Tracing.Tests.Formatter");
    private readonly ActivityListener listener;

    public FormatterTests()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = s => ReferenceEquals(s, source),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
    }

    public void Dispose()
    {
        listener.Dispose();
        source.Dispose();
    }

    [Fact]
    public void A_server_span_carries_the_application_tags_first_and_every_tag_of_its_activity()
    {
        var parent = ActivitySpanId.CreateFromString("b7ad6b7169203331");
        var context = new ActivityContext(ActivityTraceId.CreateFromString("0af7651916cd43dd8448eb211c80319c"), parent, ActivityTraceFlags.Recorded, isRemote: true);
        var linked = ActivitySpanId.CreateRandom();
        var activity = source.StartActivity(
            ActivityKind.Server, context, links: [new ActivityLink(new ActivityContext(ActivityTraceId.CreateRandom(), linked, default))], name: "in")!;
        activity.DisplayName = "Make \"Shirts\"";
        activity.SetTag("component", "aspnetcore");
        activity.SetTag("http.method", "GET");
        activity.SetTag("http.status_code", 502);
        activity.SetTag("error", true);
        activity.SetTag("application", "Impostor"); // the configured application tag wins; the tag is single-valued
        activity.SetTag("note", "line one\nline \"two\"");
        activity.SetTag("long", new string('x', 400));
        activity.SetTag("ratio", 0.5);
        activity.SetTag("blank", "  ");
        activity.Stop();

        var (line, logs) = Formatter().Format(activity);
        Assert.Null(logs);
        var span = WavefrontLineParser.ParseSpan(line!);
        Assert.Equal("Make \"Shirts\"", span.Operation);
        Assert.Equal("host-1", span.Source);
        Assert.Equal(Guid.Parse("0af76519-16cd-43dd-8448-eb211c80319c"), span.TraceId);
        Assert.Equal(Spans.SpanGuid(activity.SpanId), span.SpanId);
        Assert.Equal([Guid.Parse("00000000-0000-0000-b7ad-6b7169203331")], span.Parents);
        Assert.Equal([Spans.SpanGuid(linked)], span.FollowsFrom);
        Assert.Equal(
            ["component", "span.kind", "application", "service", "cluster", "shard", "env", "location", "http.method", "http.status_code", "note", "long", "ratio", "error"],
            span.TagKeys());
        Assert.Equal("aspnetcore", span.Tag("component"));
        Assert.Equal("server", span.Tag("span.kind"));
        Assert.Equal("Ordering", span.Tag("application"));
        Assert.Equal("502", span.Tag("http.status_code"));
        Assert.Equal("true", span.Tag("error"));
        Assert.Equal("line one\nline \"two\"", span.Tag("note"));
        Assert.Equal(WavefrontLineParser.MaxTagLength, "long".Length + span.Tag("long")!.Length);
        Assert.Equal("0.5", span.Tag("ratio"));
        Assert.Equal(new DateTimeOffset(activity.StartTimeUtc).ToUnixTimeMilliseconds(), span.StartMillis);
        Assert.Equal((long)activity.Duration.TotalMilliseconds, span.DurationMillis);
    }

    [Fact]
    public void An_exception_becomes_an_error_span_log()
    {
        var activity = source.StartActivity("in", ActivityKind.Server)!;
        activity.DisplayName = "Refresh";
        activity.SetTag("error", true);
        Exception thrown;
        try
        {
            throw new InvalidOperationException("the catalog backend is down");
        }
        catch (InvalidOperationException e)
        {
            thrown = e;
        }

        activity.AddException(thrown);
        activity.AddEvent(new ActivityEvent("cache.miss", tags: new ActivityTagsCollection { ["key"] = "tee", ["tries"] = 3 }));
        activity.Stop();

        var (line, logs) = Formatter().Format(activity);
        var span = WavefrontLineParser.ParseSpan(line!);
        Assert.Equal("_spanLogs", span.Tags[^1].Key);
        var parsed = WavefrontLineParser.ParseSpanLog(logs!);
        Assert.Equal(span.TraceId, parsed.TraceId);
        Assert.Equal(span.SpanId, parsed.SpanId);
        Assert.Equal(line, parsed.Span!.Line);
        Assert.Equal(2, parsed.Logs.Count);
        var error = parsed.Logs[0].Fields.ToDictionary();
        Assert.Equal("error", error["event"]);
        Assert.Equal("System.InvalidOperationException", error["error.kind"]);
        Assert.Equal("the catalog backend is down", error["message"]);
        Assert.Contains(nameof(An_exception_becomes_an_error_span_log), error["stack"]);
        Assert.Equal(
            [new("event", "cache.miss"), new("key", "tee"), new("tries", "3")],
            parsed.Logs[1].Fields);
        var micros = (activity.Events.First().Timestamp.UtcTicks - DateTime.UnixEpoch.Ticks) / 10;
        Assert.Equal(micros, parsed.Logs[0].TimestampMicros);
    }

    [Fact]
    public void A_client_span_uses_wavefront_names_for_http_client_tags()
    {
        var activity = source.StartActivity("System.Net.Http.HttpRequestOut", ActivityKind.Client)!;
        activity.DisplayName = "GET";
        activity.SetTag("http.request.method", "GET");
        activity.SetTag("server.address", "127.0.0.1");
        activity.SetTag("url.full", "http://127.0.0.1:5000/style/42/make?token=*#top");
        activity.SetTag("http.response.status_code", 500);
        activity.SetTag("error.type", "500");
        activity.Stop();

        var span = WavefrontLineParser.ParseSpan(Formatter().Format(activity).Span!);
        Assert.Equal("GET", span.Operation);
        Assert.Equal("httpclient", span.Tag("component"));
        Assert.Equal("client", span.Tag("span.kind"));
        Assert.Equal("GET", span.Tag("http.method"));
        Assert.Equal("http://127.0.0.1:5000/style/42/make", span.Tag("http.url"));
        Assert.Equal("500", span.Tag("http.status_code"));
        Assert.Equal("true", span.Tag("error"));
        Assert.Equal("127.0.0.1", span.Tag("server.address"));
        Assert.Empty(span.Parents);
    }

    [Fact]
    public void Red_metrics_are_delta_counters_and_a_minute_histogram_per_traced_series()
    {
        var registry = new InstrumentRegistry(new ErrorRule(status => status >= 400));
        var reader = registry.CreateReader();
        var route = registry.Unmatched("GET");
        route.ForStatus(404).Record(2_500_000, 0);
        route.ForStatus(404).Record(1_500_000, 0);
        route.ForStatus(200).Record(1_000_000, 0);

        var formatter = Formatter();
        var lines = formatter.DerivedMetrics(reader.Read(), r => r.Descriptor.Handler, DateTimeOffset.FromUnixTimeSeconds(1_699_999_990)).ToList();
        var records = lines.Select(l => WavefrontLineParser.Parse(l.Text)).ToList();

        var stem = "tracing.derived.Ordering.styling.unmatched";
        var invocations = records.OfType<WavefrontPoint>().Where(p => p.BaseName == stem + ".invocation").ToList();
        Assert.Equal(2, invocations.Count);
        var notFound = invocations.Single(p => p.Tag("http.status_code") == "404");
        Assert.True(notFound.IsDelta);
        Assert.Equal(2, notFound.Value);
        Assert.Equal(
            ["application", "service", "cluster", "shard", "env", "location", "operationName", "component", "span.kind", "http.status_code"],
            notFound.TagKeys());
        Assert.Equal("unmatched", notFound.Tag("operationName"));
        Assert.Equal("server", notFound.Tag("span.kind"));
        Assert.Equal(2, records.OfType<WavefrontPoint>().Single(p => p.BaseName == stem + ".error").Value);
        Assert.Equal(4.0, records.OfType<WavefrontPoint>().Single(p => p.BaseName == stem + ".total_time.millis" && p.Tag("http.status_code") == "404").Value, 0.05);

        var histogram = records.OfType<WavefrontDistribution>().Single(d => d.Tag("http.status_code") == "404");
        Assert.Equal(stem + ".duration.micros", histogram.Name);
        Assert.Equal('M', histogram.Granularity);
        Assert.Equal(1_699_999_980, histogram.Timestamp);
        Assert.Equal(2, histogram.Count);
        Assert.Equal(1500, histogram.Centroids[0].Value, 1500 * 0.008);
        Assert.Equal(2500, histogram.Centroids[1].Value, 2500 * 0.008);

        // Nothing new, nothing sent (delta counters must be positive).
        Assert.Empty(formatter.DerivedMetrics(reader.Read(), r => r.Descriptor.Handler, DateTimeOffset.UtcNow));
    }

    private static WavefrontSpanFormatter Formatter()
    {
        var options = new InstrumentationOptions
        {
            Application = "Ordering",
            Service = "styling",
            Cluster = "us-west-1",
            Shard = "primary",
            Source = "host-1",
            CustomTags = { ["location"] = "Oregon", ["env"] = "Staging" },
        };
        return new WavefrontSpanFormatter(options);
    }
}
