using Microsoft.AspNetCore.Builder;
using System.Diagnostics;
using System.Net;

namespace Instrumentation.Prometheus.Tests;

public sealed class EndpointTests
{
    private const string PrometheusAccept =
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    [Fact]
    public async Task The_endpoint_does_not_count_its_own_requests()
    {
        await using var app = await TestApp.Start();
        await app.Client.GetStringAsync("/items/7");
        await app.Scrape();
        var samples = Exposition.Parse(await app.Scrape());

        var counts = samples.Where(s => s.Name == "request_seconds_count").Select(s => (s["addr"], s.Value)).ToList();
        Assert.Equal([("/items/{id:int}", "1")], counts);
        Assert.DoesNotContain(samples, s => s.Labels.TryGetValue("addr", out var addr) && addr == "/metrics");
    }

    [Fact]
    public async Task CountOwnRequests_counts_the_scrapes()
    {
        await using var app = await TestApp.Start(new Dictionary<string, string?> { ["Instrumentation:Prometheus:CountOwnRequests"] = "true" });
        await app.Scrape();
        await app.Scrape();
        var samples = Exposition.Parse(await app.Scrape());

        var own = Assert.Single(samples, s => s.Name == "request_seconds_count" && s["addr"] == "/metrics");
        Assert.Equal("2", own.Value);
    }

    [Fact]
    public async Task Path_and_buckets_come_from_configuration_and_endpoint_buckets_from_the_endpoint()
    {
        await using var app = await TestApp.Start(new Dictionary<string, string?>
        {
            ["Instrumentation:Prometheus:Path"] = "/internal/prom",
            ["Instrumentation:Prometheus:Buckets:0"] = "0.25",
            ["Instrumentation:Prometheus:Buckets:1"] = "2",
        });
        await app.Client.GetStringAsync("/items/1");
        await app.Client.GetStringAsync("/fast/abc");

        Assert.Equal(HttpStatusCode.NotFound, (await app.Client.GetAsync("/metrics")).StatusCode);
        var samples = Exposition.Parse(await app.Scrape("/internal/prom"));

        Assert.Equal(["0.25", "2.0", "+Inf"], samples.Where(s => s.Name == "request_seconds_bucket" && s["addr"] == "/items/{id:int}").Select(s => s["le"]));
        Assert.Equal(["0.05", "0.2", "+Inf"], samples.Where(s => s.Name == "request_seconds_bucket" && s["addr"] == "/fast/{id}").Select(s => s["le"]));
        Assert.Equal(
            [("/{unmatched}", "404", "true")],
            samples.Where(s => s.Name == "request_seconds_count" && s["status"] != "200").Select(s => (s["addr"], s["status"], s["isError"])));
    }

    [Fact]
    public async Task Prometheus_accept_header_gets_OpenMetrics_and_others_get_text_0_0_4()
    {
        await using var app = await TestApp.Start();
        await app.Client.GetStringAsync("/items/1");

        using var openMetrics = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        openMetrics.Headers.TryAddWithoutValidation("Accept", PrometheusAccept);
        using var openMetricsResponse = await app.Client.SendAsync(openMetrics);
        using var textResponse = await app.Client.GetAsync("/metrics");

        Assert.Equal("application/openmetrics-text; version=1.0.0; charset=utf-8", openMetricsResponse.Content.Headers.ContentType!.ToString());
        Assert.EndsWith("# EOF\n", await openMetricsResponse.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", textResponse.Content.Headers.ContentType!.ToString());
        Assert.DoesNotContain("# EOF", await textResponse.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sampled_requests_leave_exemplars_and_unsampled_ones_do_not()
    {
        // A tracer as OpenTelemetry would be: it follows the caller's sampling decision.
        using var tracer = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
                options.Parent.TraceFlags.HasFlag(ActivityTraceFlags.Recorded) ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.PropagationData,
        };
        ActivitySource.AddActivityListener(tracer);
        await using var app = await TestApp.Start();
        const string sampledTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
        const string unsampledTrace = "0af7651916cd43dd8448eb211c80319c";
        foreach (var (trace, flags, path) in new[] { (sampledTrace, "01", "/items/1"), (unsampledTrace, "00", "/fast/x") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("traceparent", $"00-{trace}-00f067aa0ba902b7-{flags}");
            (await app.Client.SendAsync(request)).EnsureSuccessStatusCode();
        }

        var text = await app.Scrape(accept: PrometheusAccept);
        var exemplars = Exposition.Parse(text).Where(s => s.Exemplar is not null).ToList();

        var bucket = Assert.Single(exemplars);
        Assert.Equal(("request_seconds_bucket", "/items/{id:int}", "0.1"), (bucket.Name, bucket["addr"], bucket["le"]));
        Assert.StartsWith($"{{trace_id=\"{sampledTrace}\",span_id=\"", bucket.Exemplar, StringComparison.Ordinal);
        Assert.DoesNotContain(unsampledTrace, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_application_that_maps_the_endpoint_itself_can_restrict_it_and_it_is_mapped_once()
    {
        await using var app = await TestApp.Start(map: a => a.MapInstrumentationMetrics().RequireHost("ops.internal"));
        await app.Client.GetStringAsync("/items/3");

        Assert.Equal(HttpStatusCode.NotFound, (await app.Client.GetAsync("/metrics")).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Host = "ops.internal";
        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var samples = Exposition.Parse(await response.Content.ReadAsStringAsync());
        // The scrape refused for its host is an unmatched 404, like any request no endpoint accepts.
        Assert.Equal(
            [("/items/{id:int}", "200", "1"), ("/{unmatched}", "404", "1")],
            samples.Where(s => s.Name == "request_seconds_count").Select(s => (s["addr"], s["status"], s.Value)));
    }

    [Fact]
    public async Task Disabled_means_no_endpoint()
    {
        await using var app = await TestApp.Start(new Dictionary<string, string?> { ["Instrumentation:Prometheus:Enabled"] = "false" });

        Assert.Equal(HttpStatusCode.NotFound, (await app.Client.GetAsync("/metrics")).StatusCode);
    }

    [Theory]
    [InlineData("Path", "metrics", "Instrumentation:Prometheus:Path must start with '/'")]
    [InlineData("DependencyIntervalSeconds", "0", "Instrumentation:Prometheus:DependencyIntervalSeconds must be at least 1")]
    [InlineData("Buckets:0", "-1", "Instrumentation:Prometheus:Buckets must be positive")]
    public async Task Invalid_options_fail_the_start_naming_the_key(string key, string value, string message)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.Start(new Dictionary<string, string?> { [$"Instrumentation:Prometheus:{key}"] = value }));

        Assert.Contains(message, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Buckets_must_increase_strictly()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.Start(new Dictionary<string, string?>
        {
            ["Instrumentation:Prometheus:Buckets:0"] = "0.5",
            ["Instrumentation:Prometheus:Buckets:1"] = "0.5",
        }));

        Assert.Contains("Instrumentation:Prometheus:Buckets must be strictly increasing (0.5 is followed by 0.5)", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_endpoint_buckets_fail_the_start_naming_the_endpoint()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.Start(map: a => a.MapGet("/bad", () => "x").Instrumented(0.3, 0.1)));

        Assert.Contains("must be strictly increasing (0.3 is followed by 0.1)", failure.Message, StringComparison.Ordinal);
        Assert.Contains("/bad", failure.Message, StringComparison.Ordinal);
    }
}
