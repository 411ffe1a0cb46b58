using Instrumentation.Configuration;
using Instrumentation.Instruments;
using Instrumentation.Model;
using Instrumentation.Naming;
using Instrumentation.Sinks.Shared;
using Instrumentation.Sinks.Wavefront;
using Instrumentation.TestSupport.Wavefront;

namespace Instrumentation.Wavefront.Tests;

/// <summary>One report's lines from known instruments: names, tags, deltas and minute bins.</summary>
public class ReportBuilderTests
{
    private static readonly DateTimeOffset MinuteStart = DateTimeOffset.FromUnixTimeSeconds(1_700_000_040);

    private readonly InstrumentRegistry registry = new(new ErrorRule(status => status >= 400), measureCpu: true);
    private readonly RouteInstruments make;
    private readonly RouteInstruments orders;

    public ReportBuilderTests()
    {
        make = registry.GetOrCreate(RouteDescriptor.For("/style/{id}/make", "GET", "MakeShirts"), null, traced: false, declared: true);
        orders = registry.GetOrCreate(RouteDescriptor.For("/api/orders/{id:int}", "GET", "GET /api/orders/{id:int}"), null, traced: false, declared: true);
    }

    internal static InstrumentationOptions Options() => new()
    {
        Application = "Ordering",
        Service = "styling",
        Cluster = "us-west-1",
        Shard = "primary",
        Source = "host-1",
        CustomTags = { ["location"] = "Oregon" },
    };

    [Fact]
    public void A_timestamp_formatted_once_is_formatted_again_when_it_changes()
    {
        var text = new TimestampText();
        var seen = new[] { 1_700_000_040L, 1_700_000_040, 1_700_000_100, 0, -5, long.MinValue, long.MaxValue }
            .Select(seconds => System.Text.Encoding.UTF8.GetString(text.Of(seconds))).ToList();
        Assert.Equal(["1700000040", "1700000040", "1700000100", "0", "-5", long.MinValue.ToString(System.Globalization.CultureInfo.InvariantCulture), "9223372036854775807"], seen);
    }

    [Fact]
    public void Names_and_tags_follow_the_seed_tables()
    {
        Record(make, 200, count: 3);
        Record(orders, 502, count: 1);
        var reader = registry.CreateReader();
        var builder = new WavefrontReportBuilder(Options(), MinuteStart);
        var output = new CollectingSender();
        builder.Build(reader.Read(), MinuteStart.AddSeconds(10), final: true, output);
        var points = output.Points();

        var gauge = Single(points, "aspnetcore.request.style.id.make.GET.inflight.value");
        Assert.Equal(["application", "service", "cluster", "shard", "location", "aspnetcore.func"], gauge.TagKeys());
        Assert.Equal(("host-1", "Ordering", "MakeShirts"), (gauge.Source, gauge.Tag("application"), gauge.Tag("aspnetcore.func")));
        Assert.Equal(MinuteStart.AddSeconds(10).ToUnixTimeSeconds(), gauge.Timestamp);
        Single(points, "aspnetcore.request.api.orders.int-id.GET.inflight.value");

        var cumulative = Single(points, "aspnetcore.response.style.id.make.GET.200.cumulative.count");
        Assert.Equal(3, cumulative.Value);
        Assert.Equal("host-1", cumulative.EffectiveSource);

        var perShard = Single(points, "\u2206aspnetcore.response.style.id.make.GET.200.aggregated_per_shard.count");
        Assert.Equal(["application", "service", "cluster", "shard", "aspnetcore.func", "source"], perShard.TagKeys());
        Assert.Equal("wavefront-provided", perShard.EffectiveSource);
        Assert.Equal(3, perShard.Value);
        Assert.Equal(["application", "service", "cluster", "aspnetcore.func", "source"],
            Single(points, "\u2206aspnetcore.response.style.id.make.GET.200.aggregated_per_service.count").TagKeys());
        Assert.Equal(["application", "cluster", "aspnetcore.func", "source"],
            Single(points, "\u2206aspnetcore.response.style.id.make.GET.200.aggregated_per_cluster.count").TagKeys());
        Assert.Equal(["application", "aspnetcore.func", "source"],
            Single(points, "\u2206aspnetcore.response.style.id.make.GET.200.aggregated_per_application.count").TagKeys());

        Assert.Equal(0, Single(points, "aspnetcore.total_requests.inflight.value").Value);
        Assert.Null(Single(points, "aspnetcore.total_requests.inflight.value").Tag("aspnetcore.func"));
        Assert.Equal(4, Single(points, "aspnetcore.response.completed.aggregated_per_source.count").Value);
        Assert.Equal(4, Single(points, "\u2206aspnetcore.response.completed.aggregated_per_application.count").Value);
        Assert.Equal(["application", "source"], Single(points, "\u2206aspnetcore.response.completed.aggregated_per_application.count").TagKeys());
        Assert.Equal(1, Single(points, "aspnetcore.response.errors.aggregated_per_source.count").Value);
        Assert.Equal(1, Single(points, "\u2206aspnetcore.response.errors.aggregated_per_shard.count").Value);

        var heartbeat = Single(points, "~component.heartbeat");
        Assert.Equal(["application", "service", "cluster", "shard", "component", "location"], heartbeat.TagKeys());
        Assert.Equal("aspnetcore", heartbeat.Tag("component"));

        var latency = output.Histograms().Single(h => h.Name == "aspnetcore.response.style.id.make.GET.200.latency");
        Assert.Equal(3, latency.Count);
        Assert.InRange(latency.Centroids[0].Value, 5 * 0.99, 5 * 1.01); // milliseconds
        var cpu = output.Histograms().Single(h => h.Name == "aspnetcore.response.style.id.make.GET.200.cpu_ns");
        Assert.InRange(cpu.Centroids[0].Value, 200_000 * 0.99, 200_000 * 1.01); // nanoseconds
        Assert.Equal(gauge.Tags, latency.Tags);
    }

    [Fact]
    public void The_handler_tag_and_component_follow_the_prefix_and_latency_can_be_in_seconds()
    {
        Record(make, 200, count: 2);
        var options = Options();
        options.Wavefront.Prefix = "flask";
        options.Wavefront.LatencyUnit = WavefrontLatencyUnit.Seconds;
        var output = new CollectingSender();
        new WavefrontReportBuilder(options, MinuteStart).Build(registry.CreateReader().Read(), MinuteStart.AddSeconds(10), final: true, output);
        var points = output.Points();

        var gauge = Single(points, "flask.request.style.id.make.GET.inflight.value");
        Assert.Equal(["application", "service", "cluster", "shard", "location", "flask.func"], gauge.TagKeys());
        Assert.Equal("MakeShirts", gauge.Tag("flask.func"));
        Assert.Equal(["application", "flask.func", "source"],
            Single(points, "\u2206flask.response.style.id.make.GET.200.aggregated_per_application.count").TagKeys());
        Assert.Equal("flask", Single(points, "~component.heartbeat").Tag("component"));
        var latency = output.Histograms().Single(h => h.Name == "flask.response.style.id.make.GET.200.latency");
        Assert.InRange(latency.Centroids[0].Value, 0.005 * 0.99, 0.005 * 1.01); // seconds
        Assert.InRange(output.Histograms().Single(h => h.Name == "flask.response.style.id.make.GET.200.cpu_ns").Centroids[0].Value, 200_000 * 0.99, 200_000 * 1.01);
        Assert.DoesNotContain(output.Lines, l => l.Line.Contains("aspnetcore", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_value_lands_in_exactly_one_minute_distribution_and_one_delta()
    {
        var reader = registry.CreateReader();
        var builder = new WavefrontReportBuilder(Options(), MinuteStart);
        var output = new CollectingSender();

        Record(make, 200, count: 2);
        builder.Build(reader.Read(), MinuteStart.AddSeconds(10), final: false, output);
        Assert.Empty(output.Histograms()); // The minute is not over.

        Record(make, 200, count: 3);
        builder.Build(reader.Read(), MinuteStart.AddSeconds(70), final: false, output);
        var first = Assert.Single(output.Histograms(), h => h.Name.EndsWith(".latency", StringComparison.Ordinal));
        Assert.Equal(MinuteStart.ToUnixTimeSeconds(), first.Timestamp);
        Assert.Equal(5, first.Count);

        builder.Build(reader.Read(), MinuteStart.AddSeconds(75), final: false, output); // Nothing new.
        Record(make, 200, count: 4);
        builder.Build(reader.Read(), MinuteStart.AddSeconds(100), final: true, output);
        var latencies = output.Histograms().Where(h => h.Name.EndsWith(".latency", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, latencies.Count);
        Assert.Equal(MinuteStart.AddMinutes(1).ToUnixTimeSeconds(), latencies[1].Timestamp);
        Assert.Equal(4, latencies[1].Count);

        var deltas = output.Points().Where(p => p.Name == "\u2206aspnetcore.response.style.id.make.GET.200.aggregated_per_cluster.count").ToList();
        Assert.Equal([2.0, 3.0, 4.0], deltas.Select(d => d.Value));
        Assert.Single(output.Points(), p => p.Name == "~component.heartbeat");
        Assert.Equal(9, output.Points().Last(p => p.Name.EndsWith("GET.200.cumulative.count", StringComparison.Ordinal)).Value);
    }

    [Fact]
    public void A_gRPC_method_is_named_by_its_gRPC_status_and_its_errors_follow_the_gRPC_rule()
    {
        var sayHello = registry.GetOrCreate(
            RouteDescriptor.For("/greet.Greeter/SayHello", "POST", "SayHello") with { Kind = Naming.EndpointKinds.Grpc }, null, traced: false, declared: true);
        sayHello.ForGrpcStatus(0).Latency.Record(5_000_000);
        sayHello.ForGrpcStatus(5).Latency.Record(5_000_000);
        var output = new CollectingSender();
        new WavefrontReportBuilder(Options(), MinuteStart).Build(registry.CreateReader().Read(), MinuteStart.AddSeconds(10), final: true, output);
        var points = output.Points();

        Assert.Equal(1, Single(points, "aspnetcore.response.greet.Greeter.SayHello.POST.grpc_0.cumulative.count").Value);
        Assert.Equal(1, Single(points, "aspnetcore.response.greet.Greeter.SayHello.POST.grpc_5.cumulative.count").Value);
        Assert.Equal(1, Single(points, "aspnetcore.response.errors.aggregated_per_source.count").Value);
    }

    [Fact]
    public void Formats_a_report_of_ten_thousand_series()
    {
        var report = Instrumentation.Benchmarks.WavefrontReportWorkload.Prepare(10_000);

        // Per series: in-flight gauge, cumulative count, four deltas, latency and cpu_ns distributions; then the
        // heartbeat (first report only), total in-flight, completed (count and four deltas) and errors (count only).
        Assert.Equal((8 * 10_000) + 1 + 1 + 5 + 1, report.Format());
        Assert.Equal((8 * 10_000) + 1 + 5 + 1, report.Format());
    }

    public static TheoryData<string, string, string> AwkwardNames => new()
    {
        { "aspnetcore", "/style/{id}/make", "MakeShirts" },
        { "my app", "/a b/{id}/\u00fcber", "Make \"Shirts\" \\ now" },
        { "~tilde", "/x", "" },
        { "\u2206delta", "/x/{y}", "H" },
        { "flask", "/long", new string('h', 300) },
    };

    [Theory]
    [MemberData(nameof(AwkwardNames))]
    public void Lines_written_from_shared_pieces_are_the_lines_of_names_and_tags_formatted_whole(string prefix, string template, string handler)
    {
        var registry = new InstrumentRegistry(new ErrorRule(status => status >= 400), measureCpu: true);
        var route = registry.GetOrCreate(RouteDescriptor.For(template, "GET", handler), null, traced: false, declared: true);
        Record(route, 200, count: 2);
        var options = Options();
        options.Wavefront.Prefix = prefix;
        var output = new CollectingSender();
        var now = MinuteStart.AddSeconds(10);
        new WavefrontReportBuilder(options, MinuteStart).Build(registry.CreateReader().Read(), now, final: true, output);
        var lines = output.Lines.Select(l => l.Line).ToList();

        // The same lines from the string forms, which sanitize each name whole and format each tag list whole.
        var wavefront = options.Wavefront;
        var descriptor = route.Descriptor;
        var stem = $"{wavefront.NamePrefix}.response.{descriptor.WavefrontEntity}.GET.200";
        var routeTags = options.ApplicationTags().Append(new(wavefront.HandlerTag, handler)).ToList();
        var suffix = WavefrontFormat.TagSuffix(options.Source, routeTags);
        var timestamp = now.ToUnixTimeSeconds();
        Assert.Contains(WavefrontFormat.MetricLine($"{wavefront.NamePrefix}.request.{descriptor.WavefrontEntity}.GET.inflight.value", 0L, timestamp, suffix), lines);
        Assert.Contains(WavefrontFormat.MetricLine($"{stem}.cumulative.count", 2L, timestamp, suffix), lines);
        string[][] kept = [["application", "service", "cluster", "shard"], ["application", "service", "cluster"], ["application", "cluster"], ["application"]];
        string[] levels = ["shard", "service", "cluster", "application"];
        for (var level = 0; level < levels.Length; level++)
        {
            var tags = options.ApplicationTags().Take(4).Where(t => kept[level].Contains(t.Key))
                .Append(new(wavefront.HandlerTag, handler)).Append(new("source", WavefrontReportBuilder.ProvidedSource));
            Assert.Contains(WavefrontFormat.DeltaLine($"\u2206{stem}.aggregated_per_{levels[level]}.count", 2L, WavefrontFormat.TagSuffix(options.Source, tags)), lines);
        }

        var series = route.ForStatus(200);
        foreach (var (distribution, histogram, unit) in new[] { ("latency", series.Latency, wavefront.NanosecondsPerLatencyUnit), ("cpu_ns", series.CpuTime!, 1.0) })
        {
            var centroids = histogram.Snapshot().Bins.Select(bin => (bin.Midpoint / unit, bin.Count));
            var line = WavefrontFormat.HistogramLine(MinuteStart.ToUnixTimeSeconds(), centroids, $"{stem}.{distribution}", suffix);
            if (wavefront.NamePrefix.StartsWith('\u2206'))
            {
                // A prefix with a delta mark names delta counters: no distribution can carry it.
                Assert.Null(line);
                Assert.DoesNotContain(lines, line => line.StartsWith("!M ", StringComparison.Ordinal));
                continue;
            }

            Assert.Contains(line, lines);
        }
    }

    internal static void Record(RouteInstruments route, int status, int count)
    {
        var series = route.ForStatus(status);
        for (var i = 0; i < count; i++)
        {
            series.Latency.Record(5_000_000);
            series.CpuTime!.Record(200_000);
        }
    }

    private static WavefrontPoint Single(IEnumerable<WavefrontPoint> points, string name) => Assert.Single(points, p => p.Name == name);
}

/// <summary>Keeps every line a builder hands out (written in place or enqueued), in order, and parses them strictly.</summary>
internal sealed class CollectingSender : IWavefrontSender
{
    private readonly List<(WavefrontDataKind Kind, string Line)> lines = [];
    private readonly Dictionary<WavefrontDataKind, LineChannel> channels = [];
    private readonly Dictionary<WavefrontDataKind, LineWriter> writers = [];

    public List<(WavefrontDataKind Kind, string Line)> Lines
    {
        get
        {
            Collect();
            return lines;
        }
    }

    public bool TryEnqueue(WavefrontDataKind kind, ReadOnlySpan<char> line)
    {
        Collect();
        lines.Add((kind, line.ToString()));
        return true;
    }

    public LineWriter Writer(WavefrontDataKind kind)
    {
        if (!writers.TryGetValue(kind, out var writer))
        {
            var channel = new LineChannel(int.MaxValue, int.MaxValue);
            channels[kind] = channel;
            writer = writers[kind] = new LineWriter(channel);
        }

        return writer;
    }

    public List<WavefrontPoint> Points() => Lines.Where(l => l.Kind == WavefrontDataKind.Metric).Select(l => WavefrontLineParser.ParsePoint(l.Line)).ToList();

    public List<WavefrontDistribution> Histograms() =>
        Lines.Where(l => l.Kind == WavefrontDataKind.Histogram).Select(l => WavefrontLineParser.ParseHistogram(l.Line)).ToList();

    // What the writers' channels hold, as the lines a transport would send.
    private void Collect()
    {
        foreach (var (kind, channel) in channels)
        {
            while (channel.TakeBatch() is { } batch)
            {
                var text = System.Text.Encoding.UTF8.GetString(batch.Payload.Span);
                lines.AddRange(text.Split('\n').SkipLast(1).Select(line => (kind, line)));
                channel.Delivered();
            }
        }
    }
}
