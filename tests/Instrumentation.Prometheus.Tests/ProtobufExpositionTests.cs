using System.IO.Pipelines;
using System.Numerics;
using Instrumentation.Configuration;
using Instrumentation.Instruments;
using Instrumentation.Model;
using Instrumentation.Sinks.Prometheus;

namespace Instrumentation.Prometheus.Tests;

/// <summary>The protobuf exposition, decoded back with the test's own reader of metrics.proto.</summary>
public sealed class ProtobufExpositionTests
{
    /// <summary>The header Prometheus 2.42 sends with <c>--enable-feature=native-histograms</c>.</summary>
    public const string PrometheusAccept =
        "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    private const int Histogram = 4;
    private const int Counter = 0;
    private const int Gauge = 1;

    private readonly InstrumentRegistry registry = new(new ErrorRule(status => status >= 400));

    private static InstrumentationOptions Options(string names = "BigBrother") => new()
    {
        Application = "Ordering",
        Service = "styling",
        Cluster = "us-west-1",
        Shard = "primary",
        Prometheus = new PrometheusOptions { Names = Enum.Parse<PrometheusNames>(names) },
    };

    private RouteInstruments Route(string template, string method = "GET") =>
        registry.GetOrCreate(RouteDescriptor.For(template, method, "Handler"), null, traced: false, declared: true);

    internal static async Task<byte[]> WriteProtobuf(PrometheusExposition exposition)
    {
        using var stream = new MemoryStream();
        var writer = PipeWriter.Create(stream);
        await exposition.WriteProtobufAsync(writer);
        await writer.CompleteAsync();
        return stream.ToArray();
    }

    /// <summary>The native bucket of a value by the definition: the smallest i with v ns &lt;= 2^(i/64) s (exactly).</summary>
    internal static int NativeIndex(long nanoseconds)
    {
        var index = (int)Math.Ceiling(64 * Math.Log2(nanoseconds / 1e9));
        while (!AtOrBelow(nanoseconds, index))
        {
            index++;
        }

        while (AtOrBelow(nanoseconds, index - 1))
        {
            index--;
        }

        return index;
    }

    private static bool AtOrBelow(long nanoseconds, int index)
    {
        var left = BigInteger.Pow(nanoseconds, 64);
        var billion = BigInteger.Pow(1_000_000_000, 64);
        return index >= 0 ? left <= billion * BigInteger.Pow(2, index) : left * BigInteger.Pow(2, -index) <= billion;
    }

    [Fact]
    public async Task A_latency_histogram_carries_its_classic_buckets_and_exact_native_buckets()
    {
        var route = Route("/style/{id}/make");
        long[] values = [100, 1_000_000, 1_000_000, 1_000_000, 20_000_000, 20_000_000, 999_999_999, 1_000_000_000, 1_000_000_001, 5_000_000_000];
        foreach (var value in values)
        {
            route.Record(200, value, 10);
        }

        var exposition = new PrometheusExposition(registry, Options(), "1.0");
        var families = ProtobufDecoder.Decode(await WriteProtobuf(exposition));

        var latency = families.Single(f => f.Name == "request_seconds");
        Assert.Equal(Histogram, latency.Type);
        Assert.False(string.IsNullOrEmpty(latency.Help));
        var metric = Assert.Single(latency.Metrics);
        var text = Exposition.Parse(await Exposition.Write(exposition, openMetrics: false));
        Assert.Equal(text.First(s => s.Name == "request_seconds_count").Labels, metric.Labels);

        var histogram = metric.Histogram!;
        Assert.Equal((ulong)values.Length, histogram.Count);
        Assert.Equal(values.Sum() / 1e9, histogram.Sum, 12);

        // Classic buckets: the text format's, without +Inf (the count).
        Assert.Equal(
            text.Where(s => s.Name == "request_seconds_bucket" && s["le"] != "+Inf").Select(s => (ulong.Parse(s.Value), double.Parse(s["le"], System.Globalization.CultureInfo.InvariantCulture))),
            histogram.Buckets);

        // Native: schema 6, the zero bucket up to 2^-21 s, and every other value in the bucket its definition gives.
        Assert.Equal(6, histogram.Schema);
        Assert.Equal(Math.Pow(2, -21), histogram.ZeroThreshold);
        Assert.Equal(1UL, histogram.ZeroCount);
        Assert.Equal(0, histogram.NegativeFields);
        var expected = values.Where(v => v > 476).GroupBy(NativeIndex).ToDictionary(g => g.Key, g => (long)g.Count());
        Assert.Equal(expected.OrderBy(p => p.Key), histogram.NativeBuckets().OrderBy(p => p.Key));
        Assert.Equal(2L, histogram.NativeBuckets()[0]);           // 999,999,999 ns and 1 s exactly: upper-inclusive
        Assert.Equal(1L, histogram.NativeBuckets()[1]);           // 1 s + 1 ns
        Assert.Equal(3L, histogram.NativeBuckets()[NativeIndex(1_000_000)]);
    }

    [Fact]
    public async Task Every_family_of_the_text_format_is_there_with_its_values()
    {
        var route = Route("/api/orders/{id}", "POST");
        route.Record(201, 3_000_000, 512);
        route.Record(503, 40_000_000, 12);

        var exposition = new PrometheusExposition(registry, Options(), "2.5.0");
        var families = ProtobufDecoder.Decode(await WriteProtobuf(exposition));

        Assert.Equal(["request_seconds", "response_size_bytes_total", "requests_inflight", "application_info"], families.Select(f => f.Name));
        Assert.Equal([Histogram, Counter, Gauge, Gauge], families.Select(f => f.Type));
        var sizes = families[1].Metrics.ToDictionary(m => m.Labels["status"], m => m.Counter);
        Assert.Equal(512, sizes["201"]);
        Assert.Equal(12, sizes["503"]);
        Assert.Equal("true", families[1].Metrics.Single(m => m.Labels["status"] == "503").Labels["isError"]);
        Assert.Equal(0, Assert.Single(families[2].Metrics).Gauge);
        var info = Assert.Single(families[3].Metrics);
        Assert.Equal((1.0, "2.5.0", "Ordering"), (info.Gauge!.Value, info.Labels["version"], info.Labels["name"]));
    }

    [Fact]
    public async Task An_empty_histogram_is_native_with_no_buckets()
    {
        Route("/idle").ForStatus(200);

        var families = ProtobufDecoder.Decode(await WriteProtobuf(new PrometheusExposition(registry, Options(), "1.0")));

        var histogram = Assert.Single(families.Single(f => f.Name == "request_seconds").Metrics).Histogram!;
        Assert.Equal((0UL, 6, 0UL), (histogram.Count, histogram.Schema!.Value, histogram.ZeroCount));
        Assert.Empty(histogram.PositiveSpans);
        Assert.True(histogram.ZeroThreshold > 0);
    }

    [Fact]
    public async Task Spans_skip_empty_buckets_and_deltas_run_across_spans()
    {
        var route = Route("/spread");
        long[] values = [1_000_000, 1_000_000, 1_011_000, 2_000_000, 2_000_000, 2_000_000, 3_000_000_000];
        foreach (var value in values)
        {
            route.Record(200, value, 0);
        }

        var histogram = ProtobufDecoder.Decode(await WriteProtobuf(new PrometheusExposition(registry, Options(), "1.0")))
            .Single(f => f.Name == "request_seconds").Metrics.Single().Histogram!;

        // 1 ms and 1.011 ms are neighbouring buckets (one span); 2 ms and 3 s are each a span of their own.
        Assert.Equal(NativeIndex(1_000_000) + 1, NativeIndex(1_011_000));
        Assert.Equal(3, histogram.PositiveSpans.Count);
        Assert.Equal((NativeIndex(1_000_000), 2u), histogram.PositiveSpans[0]);
        Assert.Equal((NativeIndex(2_000_000) - NativeIndex(1_011_000) - 1, 1u), histogram.PositiveSpans[1]);
        Assert.Equal([2L, -1L, 2L, -2L], histogram.PositiveDeltas);
    }

    [Fact]
    public async Task Label_values_are_sent_raw_not_escaped()
    {
        const string template = "/say/\"hi\"/back\\slash/{id}";
        Route(template).Record(200, 1_000_000, 0);

        var families = ProtobufDecoder.Decode(await WriteProtobuf(new PrometheusExposition(registry, Options(), "1.0")));

        Assert.All(families.Take(3), f => Assert.Equal(template, Assert.Single(f.Metrics).Labels["addr"]));
    }

    [Fact]
    public async Task A_large_scrape_is_written_in_pieces_and_decodes_whole()
    {
        for (var i = 0; i < 2000; i++)
        {
            Route($"/r{i}/{{id}}").Record(200, (i + 1) * 1_000_000L, i);
        }

        var bytes = await WriteProtobuf(new PrometheusExposition(registry, Options(), "1.0"));
        var families = ProtobufDecoder.Decode(bytes);

        Assert.True(bytes.Length > 64 * 1024);
        var latency = families.Single(f => f.Name == "request_seconds");
        Assert.Equal(2000, latency.Metrics.Count);
        Assert.All(latency.Metrics, m => Assert.Equal(1UL, m.Histogram!.Count));
        Assert.Equal(1999, families.Single(f => f.Name == "response_size_bytes_total").Metrics.Single(m => m.Labels["addr"] == "/r1999/{id}").Counter);
    }

    [Fact]
    public async Task The_endpoint_serves_protobuf_to_Prometheus_with_both_name_families()
    {
        await using var app = await TestApp.Start(new Dictionary<string, string?> { ["Instrumentation:Prometheus:Names"] = "Both" });
        for (var i = 0; i < 3; i++)
        {
            (await app.Client.GetAsync($"/items/{i}")).EnsureSuccessStatusCode();
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        Assert.True(request.Headers.TryAddWithoutValidation("Accept", PrometheusAccept));
        using var response = await app.Client.SendAsync(request);

        Assert.Equal(
            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited",
            response.Content.Headers.ContentType?.ToString());
        var families = ProtobufDecoder.Decode(await response.Content.ReadAsByteArrayAsync());
        var names = families.Select(f => f.Name).ToList();
        Assert.Equal(names.Distinct(), names);
        Assert.Contains("http_server_active_requests", names);
        Assert.All(families, f => Assert.NotEmpty(f.Metrics));

        var bigBrother = families.Single(f => f.Name == "request_seconds").Metrics.Single(m => m.Labels["addr"] == "/items/{id:int}").Histogram!;
        var openTelemetry = families.Single(f => f.Name == "http_server_request_duration_seconds").Metrics.Single(m => m.Labels["http_route"] == "/items/{id:int}").Histogram!;
        foreach (var histogram in new[] { bigBrother, openTelemetry })
        {
            Assert.Equal(3UL, histogram.Count);
            Assert.Equal(3L, histogram.NativeBuckets().Values.Sum() + (long)histogram.ZeroCount);
            Assert.Equal(6, histogram.Schema);
        }

        // Body sizes stay a classic histogram: no native fields, so Prometheus keeps reading it as one.
        var size = families.Single(f => f.Name == "http_server_response_body_size_bytes").Metrics.Single(m => m.Labels["http_route"] == "/items/{id:int}").Histogram!;
        Assert.Equal((3UL, null, 0.0), (size.Count, size.Schema, size.ZeroThreshold));
    }

    [Fact]
    public async Task Every_family_with_series_in_the_text_format_is_in_the_protobuf_format_with_its_type()
    {
        await using var app = await TestApp.Start(new Dictionary<string, string?> { ["Instrumentation:Prometheus:Names"] = "Both" });
        (await app.Client.GetAsync("/items/1")).EnsureSuccessStatusCode();
        (await app.Client.GetAsync("/nowhere")).Dispose();

        var text = await app.Scrape();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        Assert.True(request.Headers.TryAddWithoutValidation("Accept", PrometheusAccept));
        using var response = await app.Client.SendAsync(request);
        var families = ProtobufDecoder.Decode(await response.Content.ReadAsByteArrayAsync());

        // A family added to the text formats must be written by the protobuf exposition too.
        var samples = Exposition.Parse(text);
        var expected = text.Split('\n')
            .Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal))
            .Select(l => l.Split(' '))
            .Where(t => samples.Any(s => s.Name == t[2] || (t[3] == "histogram" && s.Name.StartsWith(t[2] + "_", StringComparison.Ordinal))))
            .Select(t => (t[2], t[3] switch { "histogram" => Histogram, "counter" => Counter, _ => Gauge }))
            .ToList();
        Assert.Equal(expected, families.Select(f => (f.Name, f.Type)));
        foreach (var family in families)
        {
            var sampleName = family.Type == Histogram ? family.Name + "_count" : family.Name;
            Assert.Equal(samples.Count(s => s.Name == sampleName), family.Metrics.Count);
        }
    }

    [Theory]
    [InlineData(PrometheusAccept, "Protobuf")]
    [InlineData("application/vnd.google.protobuf; proto=\"io.prometheus.client.MetricFamily\"; encoding=delimited", "Protobuf")]
    [InlineData("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.5,application/openmetrics-text;q=0.9", "OpenMetrics")]
    [InlineData("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.2,text/plain;q=0.3", "Text")]
    [InlineData("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0", "Text")]
    [InlineData("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text", "Text")]
    [InlineData("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=compact-text", "Text")]
    [InlineData("application/vnd.google.protobuf;encoding=delimited", "Text")]
    [InlineData("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;proto=io.prometheus.client.MetricFamily", "Text")]
    [InlineData("application/vnd.google.protobuf;proto=other.Message;encoding=delimited", "Text")]
    [InlineData("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=banana", "Text")]
    public void The_protobuf_format_is_served_only_when_asked_for_as_delimited_metric_families(string accept, string format) =>
        Assert.Equal(format, MetricsEndpoint.Negotiate(accept).ToString());
}
