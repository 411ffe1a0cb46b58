using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Instrumentation.Instruments;
using Instrumentation.Model;
using Instrumentation.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Instrumentation.Prometheus.Tests;

/// <summary>
/// A test application on real Kestrel scraped every second by Debian's Prometheus 2.42 with native histograms on (so it
/// asks for the protobuf format). Known latencies are recorded straight into one route's instruments, so the true
/// quantiles are known; real requests go through the pipeline to another route, under both name families.
/// </summary>
public sealed class NativeHistogramFixture : IAsyncLifetime
{
    public const string SyntheticRoute = "/synthetic/{id}";
    public const int RealRequests = 7;

    private RealPrometheus? server;
    private WebApplication? app;

    /// <summary>The latencies recorded into <see cref="SyntheticRoute"/>, in nanoseconds, sorted.</summary>
    public long[] Latencies { get; private set; } = [];

    public HttpClient Prometheus => server!.Client;

    public async Task InitializeAsync()
    {
        var appPort = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{appPort}");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Instrumentation:Application"] = "Natives",
            ["Instrumentation:Prometheus:Names"] = "Both",
            ["Instrumentation:Tracing:Enabled"] = "false",
        });
        builder.Services.AddRouting();
        builder.Services.AddInstrumentation();
        app = builder.Build();
        app.UseInstrumentation();
        app.MapGet("/work/{id}", (string id) => $"work {id}").Instrumented();
        await app.StartAsync();

        // Log-uniform from 50 µs to 20 s, plus a value in the zero bucket and values exactly on native boundaries.
        var random = new Random(20261127);
        var latencies = new List<long> { 300, 1_000_000_000, 500_000_000, 1_953_125 };
        for (var i = 0; i < 2_000; i++)
        {
            latencies.Add((long)Math.Exp(Math.Log(50_000) + (random.NextDouble() * (Math.Log(20e9) - Math.Log(50_000)))));
        }

        var registry = app.Services.GetRequiredService<InstrumentRegistry>();
        var route = registry.GetOrCreate(RouteDescriptor.For(SyntheticRoute, "GET", "Synthetic"), null, traced: false, declared: true);
        foreach (var latency in latencies)
        {
            route.Record(200, latency, 100);
        }

        Latencies = [.. latencies.Order()];

        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{appPort}") };
        for (var i = 0; i < RealRequests; i++)
        {
            (await client.GetAsync($"/work/{i}")).EnsureSuccessStatusCode();
        }

        server = await RealPrometheus.StartAsync("natives", $"127.0.0.1:{appPort}", "native-histograms");
        await ExternalProcess.WaitUntil(
            async () => (await Query($"histogram_count(request_seconds{{addr=\"{SyntheticRoute}\"}})")).Count == 1
                && (await Query("application_info")).Count == 1,
            TimeSpan.FromSeconds(60),
            $"Prometheus never stored the native histogram; see {server.Directory}/prometheus.log");
    }

    /// <summary>An instant query's float results: labels and value.</summary>
    public async Task<IReadOnlyList<(Dictionary<string, string> Labels, double Value)>> Query(string query) =>
        (await server!.Query(query)).Select(r => (r.Labels, double.Parse(r.Value, CultureInfo.InvariantCulture))).ToList();

    /// <summary>The raw result array of an instant query (native histograms come back under <c>histogram</c>).</summary>
    public Task<JsonElement> RawQuery(string query) => server!.RawQuery(query);

    public async Task DisposeAsync()
    {
        server?.Dispose();
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}

public sealed class NativeHistogramPrometheusTests(NativeHistogramFixture fixture) : IClassFixture<NativeHistogramFixture>
{
    private const string Synthetic = $"request_seconds{{addr=\"{NativeHistogramFixture.SyntheticRoute}\"}}";

    // histogram_quantile interpolates linearly inside the native bucket where the rank falls; the true quantile is in
    // that same bucket, whose upper end is 2^(1/64) times its lower end.
    private static readonly double BucketRatio = Math.Pow(2, 1.0 / 64);

    [Fact]
    public async Task Prometheus_stores_a_native_histogram_with_the_exact_count_and_sum()
    {
        var series = Assert.Single((await fixture.RawQuery(Synthetic)).EnumerateArray());
        Assert.True(series.TryGetProperty("histogram", out _), $"not a native histogram: {series}");

        var count = Assert.Single(await fixture.Query($"histogram_count({Synthetic})")).Value;
        Assert.Equal(fixture.Latencies.Length, count);
        var sum = Assert.Single(await fixture.Query($"histogram_sum({Synthetic})")).Value;
        Assert.Equal(fixture.Latencies.Sum() / 1e9, sum, 6);

        // The real requests, under both names.
        Assert.Equal(NativeHistogramFixture.RealRequests, Assert.Single(await fixture.Query("histogram_count(request_seconds{addr=\"/work/{id}\"})")).Value);
        Assert.Equal(
            NativeHistogramFixture.RealRequests,
            Assert.Single(await fixture.Query("histogram_count(http_server_request_duration_seconds{http_route=\"/work/{id}\"})")).Value);
    }

    [Theory]
    [InlineData(0.01)]
    [InlineData(0.1)]
    [InlineData(0.25)]
    [InlineData(0.5)]
    [InlineData(0.75)]
    [InlineData(0.9)]
    [InlineData(0.99)]
    [InlineData(0.999)]
    public async Task histogram_quantile_over_the_native_series_is_within_one_bucket_of_the_true_quantile(double q)
    {
        var latencies = fixture.Latencies;
        var truth = latencies[(int)Math.Ceiling(q * latencies.Length) - 1] / 1e9;

        var estimate = Assert.Single(await fixture.Query($"histogram_quantile({q.ToString(CultureInfo.InvariantCulture)}, {Synthetic})")).Value;

        // The estimate lies in the true quantile's own bucket, so within 1.09% of it.
        var bucket = ProtobufExpositionTests.NativeIndex(latencies[(int)Math.Ceiling(q * latencies.Length) - 1]);
        Assert.InRange(estimate, Math.Pow(2, (bucket - 1) / 64.0) * (1 - 1e-12), Math.Pow(2, bucket / 64.0) * (1 + 1e-12));
        Assert.InRange(Math.Abs(estimate - truth) / truth, 0, BucketRatio - 1);
    }

    [Fact]
    public async Task The_classic_families_of_the_same_scrape_keep_working()
    {
        Assert.Equal(
            fixture.Latencies.Length * 100,
            Assert.Single(await fixture.Query($"response_size_bytes_total{{addr=\"{NativeHistogramFixture.SyntheticRoute}\"}}")).Value);
        Assert.Equal(0, Assert.Single(await fixture.Query("requests_inflight{addr=\"/work/{id}\"}")).Value);
        Assert.Equal(1, Assert.Single(await fixture.Query("application_info{name=\"Natives\"}")).Value);

        // A classic histogram (one bucket, +Inf) next to the native ones.
        Assert.Equal(
            NativeHistogramFixture.RealRequests,
            Assert.Single(await fixture.Query("http_server_response_body_size_bytes_bucket{http_route=\"/work/{id}\",le=\"+Inf\"}")).Value);
        Assert.Equal(
            NativeHistogramFixture.RealRequests,
            Assert.Single(await fixture.Query("http_server_response_body_size_bytes_count{http_route=\"/work/{id}\"}")).Value);
        Assert.True(Assert.Single(await fixture.Query("http_server_active_requests")).Value >= 0);

        // What Prometheus 2.42 keeps of a histogram that has native buckets: the native series alone.
        Assert.Empty(await fixture.Query($"request_seconds_count{{addr=\"{NativeHistogramFixture.SyntheticRoute}\"}}"));
    }
}
