using System.Diagnostics;
using Instrumentation.Configuration;
using Instrumentation.Instruments;
using Instrumentation.Model;
using Instrumentation.Sinks.Prometheus;

namespace Instrumentation.Prometheus.Tests;

public sealed class ExpositionFormatTests
{
    private const long Millisecond = 1_000_000;

    private readonly InstrumentRegistry registry = new(new ErrorRule(status => status >= 400));

    private static InstrumentationOptions Options(double[]? buckets = null) => new()
    {
        Application = "Ordering",
        Service = "styling",
        Cluster = "us-west-1",
        Shard = "primary",
        Prometheus = new PrometheusOptions { Buckets = buckets },
    };

    private RouteInstruments Route(string template, string method = "GET", IInstrumentationMetadata? metadata = null) =>
        registry.GetOrCreate(RouteDescriptor.For(template, method, "Handler"), metadata, traced: false, declared: true);

    private static IReadOnlyList<Sample> Named(IReadOnlyList<Sample> samples, string name, string? addr = null) =>
        samples.Where(s => s.Name == name && (addr is null || s["addr"] == addr)).ToList();

    [Fact]
    public async Task Buckets_are_cumulative_and_the_last_is_the_count()
    {
        var route = Route("/style/{id}/make");
        long[] values = [50 * Millisecond, 50 * Millisecond, 50 * Millisecond, 200 * Millisecond, 200 * Millisecond, 1000 * Millisecond, 5000 * Millisecond, 20_000 * Millisecond, 20_000 * Millisecond];
        foreach (var value in values)
        {
            route.Record(200, value, 10);
        }

        var samples = Exposition.Parse(await Exposition.Write(new PrometheusExposition(registry, Options(), "1.0"), openMetrics: false));

        var buckets = Named(samples, "request_seconds_bucket").Select(s => (s["le"], s.Value)).ToList();
        Assert.Equal([("0.1", "3"), ("0.3", "5"), ("1.5", "6"), ("10.5", "7"), ("+Inf", "9")], buckets);
        var count = Assert.Single(Named(samples, "request_seconds_count"));
        Assert.Equal("9", count.Value);
        var sum = Assert.Single(Named(samples, "request_seconds_sum"));
        Assert.Equal(46.55, sum.Number, 9);
        var size = Assert.Single(Named(samples, "response_size_bytes_total"));
        Assert.Equal("90", size.Value);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["type"] = "http", ["status"] = "200", ["isError"] = "false", ["method"] = "GET", ["addr"] = "/style/{id}/make",
                ["application"] = "Ordering", ["service"] = "styling", ["cluster"] = "us-west-1", ["shard"] = "primary",
            },
            size.Labels);
    }

    [Fact]
    public async Task A_series_is_read_again_once_it_changes_and_a_series_added_after_a_scrape_is_in_the_next()
    {
        // The scrape keeps each series' bucket counts while its histogram is unchanged: every kind of change must
        // show, values recorded as zero included (they leave the sum as it is).
        var exposition = new PrometheusExposition(registry, Options(), "1.0");
        var make = Route("/style/{id}/make");
        make.Record(200, 50 * Millisecond, 10);
        await Exposition.Write(exposition, openMetrics: false);
        var unchanged = Exposition.Parse(await Exposition.Write(exposition, openMetrics: false));
        Assert.Equal("1", Assert.Single(Named(unchanged, "request_seconds_count")).Value);

        make.Record(200, 0, 0);
        make.Record(200, -5, 0);
        var zeros = Exposition.Parse(await Exposition.Write(exposition, openMetrics: false));
        Assert.Equal("3", Assert.Single(Named(zeros, "request_seconds_count")).Value);
        Assert.Equal([("0.1", "3"), ("0.3", "3"), ("1.5", "3"), ("10.5", "3"), ("+Inf", "3")], Named(zeros, "request_seconds_bucket").Select(s => (s["le"], s.Value)));

        make.Record(200, 2000 * Millisecond, 10);
        make.Record(404, 20 * Millisecond, 10);
        Route("/orders").Record(500, 20_000 * Millisecond, 10);
        var changed = Exposition.Parse(await Exposition.Write(exposition, openMetrics: false));
        Assert.Equal(
            [("/orders", "500", "1"), ("/style/{id}/make", "200", "4"), ("/style/{id}/make", "404", "1")],
            Named(changed, "request_seconds_count").Select(s => (s["addr"], s["status"], s.Value)).OrderBy(s => s.Item1).ThenBy(s => s.Item2));
        Assert.Equal(
            [("0.1", "3"), ("0.3", "3"), ("1.5", "3"), ("10.5", "4"), ("+Inf", "4")],
            Named(changed, "request_seconds_bucket", "/style/{id}/make").Where(s => s["status"] == "200").Select(s => (s["le"], s.Value)));
        Assert.Equal(2.05, Named(changed, "request_seconds_sum", "/style/{id}/make").Single(s => s["status"] == "200").Number, 9);
        Assert.Equal("20", Named(changed, "response_size_bytes_total", "/style/{id}/make").Single(s => s["status"] == "200").Value);
    }

    [Fact]
    public async Task A_value_in_the_histogram_bin_that_straddles_a_bound_counts_in_the_next_bucket_up()
    {
        // 0.1 s lies in the bin [99,571,385 ns, 100,655,645 ns], native bucket -212: values in it below the bound are
        // counted above it. (Before the bins were native buckets, the bin was [99,614,720 ns, 100,663,296 ns).)
        var route = Route("/edge");
        route.Record(200, 99_571_384, 0);
        route.Record(200, 99_571_385, 0);
        route.Record(200, 100_000_000, 0);

        var samples = Exposition.Parse(await Exposition.Write(new PrometheusExposition(registry, Options(), "1.0"), false));

        Assert.Equal([("0.1", "1"), ("0.3", "3")], Named(samples, "request_seconds_bucket").Take(2).Select(s => (s["le"], s.Value)).ToList());
    }

    [Fact]
    public async Task Error_statuses_are_labelled_by_the_error_rule()
    {
        var route = Route("/style/{id}/stock");
        route.Record(200, Millisecond, 0);
        route.Record(404, Millisecond, 0);
        route.Record(404, Millisecond, 0);

        var counts = Named(Exposition.Parse(await Exposition.Write(new PrometheusExposition(registry, Options(), "1.0"), false)), "request_seconds_count");

        Assert.Equal([("200", "false", "1"), ("404", "true", "2")], counts.Select(s => (s["status"], s["isError"], s.Value)).ToList());
    }

    [Fact]
    public async Task Label_values_are_escaped()
    {
        var route = Route("/odd/{id:regex(^a\\\\\"b$)}/x\ny");
        route.Record(200, Millisecond, 0);

        var text = await Exposition.Write(new PrometheusExposition(registry, Options(), "1.0"), false);

        Assert.Contains("addr=\"/odd/{id:regex(^a\\\\\\\\\\\"b$)}/x\\ny\"", text, StringComparison.Ordinal);
        var parsed = Assert.Single(Named(Exposition.Parse(text), "request_seconds_count"));
        Assert.Equal("/odd/{id:regex(^a\\\\\"b$)}/x\ny", parsed["addr"]);
    }

    [Fact]
    public async Task Application_buckets_come_from_the_options()
    {
        var route = Route("/a");
        route.Record(200, 5 * Millisecond, 0);
        route.Record(200, 500 * Millisecond, 0);

        var samples = Exposition.Parse(await Exposition.Write(new PrometheusExposition(registry, Options([0.01, 1, 2.5]), "1.0"), false));

        Assert.Equal([("0.01", "1"), ("1.0", "2"), ("2.5", "2"), ("+Inf", "2")], Named(samples, "request_seconds_bucket").Select(s => (s["le"], s.Value)).ToList());
    }

    [Fact]
    public async Task Endpoint_buckets_override_the_application_buckets_for_that_endpoint_only()
    {
        var custom = Route("/fast", metadata: new InstrumentedAttribute(0.05, 0.2));
        var plain = Route("/plain");
        custom.Record(200, 30 * Millisecond, 0);
        custom.Record(200, 100 * Millisecond, 0);
        plain.Record(200, 30 * Millisecond, 0);

        var samples = Exposition.Parse(await Exposition.Write(new PrometheusExposition(registry, Options(), "1.0"), false));

        Assert.Equal([("0.05", "1"), ("0.2", "2"), ("+Inf", "2")], Named(samples, "request_seconds_bucket", "/fast").Select(s => (s["le"], s.Value)).ToList());
        Assert.Equal(["0.1", "0.3", "1.5", "10.5", "+Inf"], Named(samples, "request_seconds_bucket", "/plain").Select(s => s["le"]).ToList());
    }

    [Fact]
    public async Task In_flight_dependencies_and_application_info_carry_the_application_labels()
    {
        var route = Route("/slow", "POST");
        route.Enter();
        route.Enter();

        var samples = Exposition.Parse(await Exposition.Write(new PrometheusExposition(registry, Options(), "2.0.1"), false));

        var inflight = Assert.Single(Named(samples, "requests_inflight"));
        Assert.Equal("2", inflight.Value);
        Assert.Equal(("POST", "/slow", "Ordering", "primary"), (inflight["method"], inflight["addr"], inflight["application"], inflight["shard"]));
        var info = Assert.Single(Named(samples, "application_info"));
        Assert.Equal(("2.0.1", "Ordering", "1"), (info["version"], info["name"], info.Value));
        Assert.Equal("us-west-1", info["cluster"]);
    }

    [Fact]
    public async Task OpenMetrics_names_counters_by_family_declares_units_and_ends_with_EOF()
    {
        Route("/a").Record(200, Millisecond, 5);

        var text = await Exposition.Write(new PrometheusExposition(registry, Options(), "1.0"), openMetrics: true);

        Assert.EndsWith("\n# EOF\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE response_size_bytes counter\n# UNIT response_size_bytes bytes\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE request_seconds histogram\n# UNIT request_seconds seconds\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE application info\n", text, StringComparison.Ordinal);
        Assert.Equal("5", Assert.Single(Named(Exposition.Parse(text), "response_size_bytes_total")).Value);

        var plain = await Exposition.Write(new PrometheusExposition(registry, Options(), "1.0"), openMetrics: false);
        Assert.DoesNotContain("# EOF", plain, StringComparison.Ordinal);
        Assert.DoesNotContain("# UNIT", plain, StringComparison.Ordinal);
        Assert.Contains("# TYPE response_size_bytes_total counter\n", plain, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenMetrics_buckets_carry_the_latest_sampled_trace_of_their_range()
    {
        var route = Route("/traced");
        route.Record(200, 200 * Millisecond, 0);
        route.Record(200, 200 * Millisecond, 0);
        var exposition = new PrometheusExposition(registry, Options(), "1.0");
        var first = ActivityTraceId.CreateRandom();
        var latest = ActivityTraceId.CreateRandom();
        var span = ActivitySpanId.CreateRandom();
        route.ForStatus(200).RecordExemplar(200 * Millisecond, first, ActivitySpanId.CreateRandom());
        route.ForStatus(200).RecordExemplar(210 * Millisecond, latest, span);

        var samples = Named(Exposition.Parse(await Exposition.Write(exposition, openMetrics: true)), "request_seconds_bucket");

        Assert.Equal(["0.3"], samples.Where(s => s.Exemplar is not null).Select(s => s["le"]));
        var exemplar = samples.Single(s => s.Exemplar is not null).Exemplar!;
        Assert.StartsWith($"{{trace_id=\"{latest.ToHexString()}\",span_id=\"{span.ToHexString()}\"}} 0.21 ", exemplar, StringComparison.Ordinal);
        var timestamp = double.Parse(exemplar.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(timestamp, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);

        var plain = await Exposition.Write(exposition, openMetrics: false);
        Assert.DoesNotContain("trace_id", plain, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_large_scrape_streams_in_chunks_and_stays_well_formed()
    {
        for (var i = 0; i < 2000; i++)
        {
            var route = Route($"/r{i}/{{id}}");
            route.Record(200, i * Millisecond, i);
            route.Record(503, Millisecond, 0);
        }

        var text = await Exposition.Write(new PrometheusExposition(registry, Options(), "1.0"), openMetrics: false);
        var samples = Exposition.Parse(text);

        Assert.True(text.Length > 4 * Utf8Buffer.FlushThreshold);
        Assert.Equal(4000, Named(samples, "request_seconds_count").Count);
        Assert.Equal(4000 * 5, Named(samples, "request_seconds_bucket").Count);
        Assert.Equal("1999", Named(samples, "response_size_bytes_total", "/r1999/{id}").Single(s => s["status"] == "200").Value);
    }

    [Theory]
    [InlineData("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", true)]
    [InlineData("application/openmetrics-text", true)]
    [InlineData("text/plain;version=0.0.4;q=0.9, application/openmetrics-text;q=0.5", false)]
    [InlineData("application/openmetrics-text;q=0", false)]
    [InlineData("text/plain", false)]
    [InlineData("*/*", false)]
    [InlineData("", false)]
    public void OpenMetrics_is_served_only_when_the_client_prefers_it(string accept, bool openMetrics) =>
        Assert.Equal(openMetrics, MetricsEndpoint.Negotiate(accept) == ExpositionFormat.OpenMetrics);

    [Theory]
    [InlineData(null, "ShirtShop", "1.4.2")]
    [InlineData("3.0.0-rc.1", "ShirtShop", "3.0.0-rc.1")]
    public void The_version_is_configured_or_the_application_assembly_s(string? configured, string application, string expected) =>
        Assert.Equal(expected, PrometheusExposition.ResolveVersion(configured, application));

    [Fact]
    public void Bucket_bounds_are_written_as_OpenMetrics_canonical_numbers()
    {
        Assert.Equal(["0.05", "1.0", "10.5", "120.0", "+Inf"], new BucketLayout([0.05, 1, 10.5, 120]).LabelValues.Select(System.Text.Encoding.UTF8.GetString));
    }
}
