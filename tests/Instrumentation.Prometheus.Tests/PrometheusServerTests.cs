using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Instrumentation.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Instrumentation.Prometheus.Tests;

/// <summary>
/// The sample on real Kestrel, scraped every second by a real Prometheus server, after a known amount of traffic.
/// </summary>
public sealed class PrometheusFixture : IAsyncLifetime
{
    public const string SampledTrace = "5bf92f3577b34da6a3ce929d0e0e4736";

    /// <summary>(method, path, times); ids and raw segments that must never show up in a label.</summary>
    public static readonly (string Method, string Path, int Times)[] Traffic =
    [
        ("GET", "/style/31337/make", 3),
        ("GET", "/style/31337/stock", 2),
        ("GET", "/style/missing/stock", 1),
        ("GET", "/api/Delivery/Track/424242", 4),
        ("GET", "/api/Delivery/carrier", 2),
        ("GET", "/nope/31337", 5),
        ("POST", "/catalog/refresh", 1),
        ("GET", "/catalog/files/secret-31337/x", 1),
    ];

    private RealPrometheus? server;

    public SampleServer Sample { get; private set; } = null!;

    public HttpClient Prometheus => server!.Client;

    public async Task InitializeAsync()
    {
        Sample = SampleServer.Start(
            new Dictionary<string, string?> { ["Instrumentation:Prometheus:DependencyIntervalSeconds"] = "1" },
            services =>
            {
                services.AddHealthChecks().AddCheck("inventory", () => HealthCheckResult.Healthy());
                services.WatchDependency("carrier", _ => Task.FromResult(false));
            });

        server = await RealPrometheus.StartAsync("shirtshop", Sample.BaseAddress.Authority, "exemplar-storage");

        foreach (var (method, path, times) in Traffic)
        {
            for (var i = 0; i < times; i++)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (path == "/style/31337/make" && i == times - 1)
                {
                    request.Headers.Add("traceparent", $"00-{SampledTrace}-00f067aa0ba902b7-01");
                }

                using var response = await Sample.Client.SendAsync(request);
            }
        }

        var total = Traffic.Sum(t => t.Times);
        await ExternalProcess.WaitUntil(
            async () => (await Query("sum(request_seconds_count)")).SingleOrDefault().Value == total.ToString(CultureInfo.InvariantCulture),
            TimeSpan.FromSeconds(30),
            "Prometheus never scraped the traffic");
    }

    /// <summary>An instant query: each result's labels and value.</summary>
    public Task<IReadOnlyList<(Dictionary<string, string> Labels, string Value)>> Query(string query) => server!.Query(query);

    public async Task DisposeAsync()
    {
        server?.Dispose();
        await Sample.DisposeAsync();
    }
}

public sealed class PrometheusServerTests(PrometheusFixture fixture) : IClassFixture<PrometheusFixture>
{
    [Fact]
    public async Task Prometheus_stores_exactly_the_requests_sent_under_route_templates()
    {
        var results = await fixture.Query("request_seconds_count");

        var counts = results
            .Select(r => (r.Labels["addr"], r.Labels["method"], r.Labels["status"], r.Labels["isError"], r.Labels["type"], r.Value))
            .Order()
            .ToList();
        Assert.Equal(
            new[]
            {
                ("/api/Delivery/Track/{orderId:int}", "GET", "200", "false", "http", "4"),
                ("/api/Delivery/carrier", "GET", "502", "true", "http", "2"),
                ("/catalog/files/{**path}", "GET", "200", "false", "http", "1"),
                ("/catalog/refresh", "POST", "500", "true", "http", "1"),
                ("/style/{id}/make", "GET", "200", "false", "http", "3"),
                ("/style/{id}/stock", "GET", "200", "false", "http", "2"),
                ("/style/{id}/stock", "GET", "404", "true", "http", "1"),
                ("/{unmatched}", "GET", "404", "true", "http", "5"),
            }.Order(),
            counts);
        Assert.All(results, r => Assert.Equal(
            ("Ordering", "styling", "us-west-1", "primary", "shirtshop"),
            (r.Labels["application"], r.Labels["service"], r.Labels["cluster"], r.Labels["shard"], r.Labels["job"])));
    }

    [Fact]
    public async Task No_label_value_holds_a_raw_path_segment()
    {
        var json = await fixture.Prometheus.GetFromJsonAsync<JsonElement>("/api/v1/series?match[]=" + Uri.EscapeDataString("{job=\"shirtshop\"}"));
        var values = json.GetProperty("data").EnumerateArray().SelectMany(s => s.EnumerateObject().Select(p => p.Value.GetString()!)).ToList();

        Assert.NotEmpty(values);
        foreach (var raw in new[] { "31337", "424242", "secret", "missing", "nope" })
        {
            Assert.DoesNotContain(values, v => v.Contains(raw, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Histogram_buckets_dependencies_and_application_info_reach_Prometheus()
    {
        var buckets = await fixture.Query("request_seconds_bucket{addr=\"/api/Delivery/Track/{orderId:int}\"}");
        Assert.Equal(
            [("+Inf", "4"), ("0.1", "4"), ("0.3", "4"), ("1.5", "4"), ("10.5", "4")],
            buckets.Select(b => (b.Labels["le"], b.Value)).Order());

        var dependencies = await fixture.Query("dependency_up");
        Assert.Equal([("carrier", "0"), ("catalog-db", "1"), ("inventory", "1")], dependencies.Select(d => (d.Labels["name"], d.Value)).Order());

        var info = Assert.Single(await fixture.Query("application_info"));
        Assert.Equal(("1.4.2", "Ordering", "1"), (info.Labels["version"], info.Labels["name"], info.Value));

        var sizes = await fixture.Query("response_size_bytes_total{addr=\"/api/Delivery/carrier\"}");
        Assert.Equal("38", Assert.Single(sizes).Value);
    }

    [Fact]
    public async Task Prometheus_keeps_the_exemplar_of_the_sampled_request()
    {
        var end = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1;
        var json = await fixture.Prometheus.GetFromJsonAsync<JsonElement>(
            $"/api/v1/query_exemplars?query=request_seconds_bucket&start={end - 600}&end={end}");

        var series = json.GetProperty("data").EnumerateArray().ToList();

        // Whether other requests have exemplars depends on what else samples traces (the tracing sink may sample all);
        // the sampled request's trace must be there, on its own route, and every exemplar must be well formed.
        var traces = series
            .Where(s => s.GetProperty("seriesLabels").GetProperty("addr").GetString() == "/style/{id}/make")
            .SelectMany(s => s.GetProperty("exemplars").EnumerateArray())
            .Select(e => e.GetProperty("labels").GetProperty("trace_id").GetString())
            .ToList();
        Assert.Contains(PrometheusFixture.SampledTrace, traces);
        Assert.All(
            series.SelectMany(s => s.GetProperty("exemplars").EnumerateArray()),
            e => Assert.Matches("^[0-9a-f]{32}/[0-9a-f]{16}$", $"{e.GetProperty("labels").GetProperty("trace_id").GetString()}/{e.GetProperty("labels").GetProperty("span_id").GetString()}"));
    }
}
