using System.Globalization;
using System.Net;
using Instrumentation.Configuration;
using Instrumentation.Sinks.Shared;
using Instrumentation.Sinks.Wavefront;
using Instrumentation.TestSupport;
using Instrumentation.TestSupport.Wavefront;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Instrumentation.Wavefront.Tests;

/// <summary>
/// The ShirtShop sample on real Kestrel reporting to a fake proxy or a fake https ingestion endpoint every second:
/// every line captured is checked by the strict parser, and counts, deltas and distributions must add up to the
/// requests sent, across reports, a dropped connection and the graceful shutdown.
/// </summary>
public class SampleReportingTests(ITestOutputHelper output)
{
    private const string Make = "aspnetcore.response.style.id.make.GET.200";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Through_a_proxy_every_line_is_valid_and_every_request_is_counted_exactly_once()
    {
        await using var proxy = FakeWavefrontProxy.Create();
        var server = SampleServer.Start(ProxySettings(proxy.Port));
        var sent = new Dictionary<string, int>();
        try
        {
            await Send(server, "/style/42/make", 25, HttpStatusCode.OK);
            await Send(server, "/style/missing/stock", 3, HttpStatusCode.NotFound);
            await Send(server, "/no/such/route", 2, HttpStatusCode.NotFound);
            await Send(server, "/", 1, HttpStatusCode.OK);
            await Send(server, "/healthz", 1, HttpStatusCode.OK);
            await Send(server, "/api/delivery/carrier", 1, HttpStatusCode.BadGateway);
            await WaitForCumulative(proxy, Make, 25);

            // A proxy restart cuts the connection mid-stream: the next report goes over a new one, nothing lost.
            await proxy.DropConnectionsAsync();
            await Send(server, "/style/42/make", 10, HttpStatusCode.OK);
            await WaitForCumulative(proxy, Make, 35);
        }
        finally
        {
            await server.DisposeAsync();
        }

        await proxy.WaitForSendersToCloseAsync(Patience);
        var records = ParseAll(proxy);
        var points = records.OfType<WavefrontPoint>().ToList();
        var histograms = records.OfType<WavefrontDistribution>().ToList();
        output.WriteLine(string.Join('\n', records.OfType<WavefrontPoint>().Select(p => p.Name).Concat(records.OfType<WavefrontDistribution>().Select(h => h.Name)).Distinct().Order(StringComparer.Ordinal)));

        Assert.Equal(35, points.Where(p => p.Name == $"{Make}.cumulative.count").Max(p => p.Value));
        foreach (var level in new[] { "shard", "service", "cluster", "application" })
        {
            var deltas = points.Where(p => p.Name == $"\u2206{Make}.aggregated_per_{level}.count").ToList();
            Assert.Equal(35, deltas.Sum(p => p.Value));
            Assert.All(deltas, d => Assert.Equal("wavefront-provided", d.EffectiveSource));
        }

        Assert.Equal(35, histograms.Where(h => h.Name == $"{Make}.latency").Sum(h => h.Count));
        Assert.Equal(35, histograms.Where(h => h.Name == $"{Make}.cpu_ns").Sum(h => h.Count));
        Assert.All(histograms, h => Assert.Equal('M', h.Granularity));
        Assert.Equal(histograms.Count, histograms.Select(h => (h.Name, h.Timestamp)).Distinct().Count());
        Assert.All(histograms.Where(h => h.Name.EndsWith(".latency", StringComparison.Ordinal)), h => Assert.All(h.Centroids, c => Assert.InRange(c.Value, 0, 10_000)));

        Assert.Equal(3, DeltaTotal(points, "aspnetcore.response.style.id.stock.GET.404.aggregated_per_shard.count"));
        Assert.Equal(2, DeltaTotal(points, "aspnetcore.response.unmatched.GET.404.aggregated_per_shard.count"));
        Assert.Equal(1, DeltaTotal(points, "aspnetcore.response.root.GET.200.aggregated_per_shard.count"));
        Assert.Equal(1, DeltaTotal(points, "aspnetcore.response.api.Delivery.carrier.GET.502.aggregated_per_shard.count"));
        Assert.Equal(43, DeltaTotal(points, "aspnetcore.response.completed.aggregated_per_application.count"));
        Assert.Equal(43, points.Where(p => p.Name == "aspnetcore.response.completed.aggregated_per_source.count").Max(p => p.Value));
        Assert.Equal(6, DeltaTotal(points, "aspnetcore.response.errors.aggregated_per_cluster.count"));

        var gauge = points.First(p => p.Name == "aspnetcore.request.style.id.make.GET.inflight.value");
        Assert.Equal(("sample-host", "Ordering", "styling", "us-west-1", "primary", "Oregon", "MakeShirts"),
            (gauge.Source, gauge.Tag("application"), gauge.Tag("service"), gauge.Tag("cluster"), gauge.Tag("shard"), gauge.Tag("location"), gauge.Tag("aspnetcore.func")));
        Assert.Contains(points, p => p.Name == "aspnetcore.total_requests.inflight.value");
        Assert.Contains(points, p => p.Name == "aspnetcore.request.catalog.int-sku.GET.inflight.value");
        var heartbeat = points.First(p => p.Name == "~component.heartbeat");
        Assert.Equal("aspnetcore", heartbeat.Tag("component"));
        Assert.Contains(points, p => p.Name == "~sdk.csharp.aspnetcore.points.sent.count" && p.Value > 0);

        // ∆ travels as UTF-8 E2 88 86.
        Assert.Contains(proxy.RawLines, line => line.AsSpan().StartsWith("\"\u2206"u8));
    }

    [Fact]
    public async Task With_the_proxy_down_requests_are_served_overflow_is_counted_and_reported_once_it_is_up()
    {
        await using var proxy = FakeWavefrontProxy.Create(start: false);
        var settings = ProxySettings(proxy.Port);
        settings["Instrumentation:Wavefront:MaxQueueSize"] = "30";
        var server = SampleServer.Start(settings);
        try
        {
            await Send(server, "/style/42/make", 5, HttpStatusCode.OK);
            await Send(server, "/catalog/7", 5, HttpStatusCode.OK);
            await Send(server, "/style/3/price", 5, HttpStatusCode.OK);
            var sender = server.Get<WavefrontSender>();
            await ExternalProcess.WaitUntil(
                () => Task.FromResult(sender.Stats(WavefrontDataKind.Metric).Dropped > 0), Patience, "the bounded buffer never overflowed");
            Assert.Equal(30, sender.Stats(WavefrontDataKind.Metric).QueueSize);

            proxy.Start();
            await proxy.WaitForAsync(
                lines => lines.Any(l => l.StartsWith("\"~sdk.csharp.aspnetcore.points.dropped.count\"", StringComparison.Ordinal) && WavefrontLineParser.ParsePoint(l).Value > 0),
                Patience, "the drop count was not reported");
            await proxy.WaitForAsync(lines => lines.Count >= 30, Patience, "the buffered points did not arrive");
        }
        finally
        {
            await server.DisposeAsync();
        }

        await proxy.WaitForSendersToCloseAsync(Patience);
        ParseAll(proxy);
    }

    [Fact]
    public async Task Direct_ingestion_over_https_retries_a_failed_batch_and_counts_every_request_once()
    {
        const string token = "sample-token-5be1";
        await using var ingestion = await FakeWavefrontIngestion.StartAsync(https: true);
        ingestion.Answer(500);
        var settings = new Dictionary<string, string?>
        {
            ["Instrumentation:Source"] = "sample-host",
            ["Instrumentation:Wavefront:Server"] = ingestion.Address.ToString(),
            ["Instrumentation:Wavefront:Token"] = token,
            ["Instrumentation:Wavefront:ReportingIntervalSeconds"] = "1",
        };
        // The configured transport, with a handler that trusts the fake endpoint's certificate.
        var server = SampleServer.Start(settings, services => services.AddSingleton<ILineTransport<WavefrontDataKind>>(
            provider => WavefrontTransport.Create(provider.GetRequiredService<IOptions<InstrumentationOptions>>().Value.Wavefront, ingestion.CreateTrustingHandler())));
        try
        {
            await Send(server, "/style/42/make", 12, HttpStatusCode.OK);
            await ingestion.WaitForAsync(
                requests => requests.Any(r => r.Status == 200 && r.Format == "wavefront" &&
                    r.Records.OfType<WavefrontPoint>().Any(p => p.Name == $"{Make}.cumulative.count" && p.Value == 12)),
                Patience, "the cumulative count never arrived");
        }
        finally
        {
            await server.DisposeAsync();
        }

        var requests = ingestion.Requests;
        Assert.Equal(500, requests[0].Status);
        Assert.All(requests, r => Assert.Equal(("https", $"Bearer {token}", "gzip"), (r.Scheme, r.Authorization, r.ContentEncoding)));
        var delivered = requests.Where(r => r.Status == 200).SelectMany(r => r.Records).ToList();
        Assert.Equal(12, delivered.OfType<WavefrontPoint>().Where(p => p.Name == $"\u2206{Make}.aggregated_per_shard.count").Sum(p => p.Value));
        Assert.Equal(12, delivered.OfType<WavefrontDistribution>().Where(h => h.Name == $"{Make}.latency").Sum(h => h.Count));
        Assert.Equal(12, delivered.OfType<WavefrontDistribution>().Where(h => h.Name == $"{Make}.cpu_ns").Sum(h => h.Count));
        Assert.Contains(requests, r => r.Format == "histogram");
    }

    private static Dictionary<string, string?> ProxySettings(int port) => new()
    {
        ["Instrumentation:Source"] = "sample-host",
        ["Instrumentation:Wavefront:ProxyHost"] = "127.0.0.1",
        ["Instrumentation:Wavefront:MetricsPort"] = port.ToString(CultureInfo.InvariantCulture),
        ["Instrumentation:Wavefront:HistogramsPort"] = port.ToString(CultureInfo.InvariantCulture),
        ["Instrumentation:Wavefront:TracingPort"] = port.ToString(CultureInfo.InvariantCulture),
        ["Instrumentation:Wavefront:ReportingIntervalSeconds"] = "1",
    };

    private static async Task Send(SampleServer server, string path, int count, HttpStatusCode expected)
    {
        for (var i = 0; i < count; i++)
        {
            using var response = await server.Client.GetAsync(path);
            Assert.Equal(expected, response.StatusCode);
        }
    }

    private static Task WaitForCumulative(FakeWavefrontProxy proxy, string series, double count) => proxy.WaitForAsync(
        lines => lines.Any(l => l.StartsWith($"\"{series}.cumulative.count\" ", StringComparison.Ordinal) && WavefrontLineParser.ParsePoint(l).Value == count),
        Patience, $"{series} never reached {count}");

    private static double DeltaTotal(List<WavefrontPoint> points, string name) => points.Where(p => p.Name == "\u2206" + name).Sum(p => p.Value);

    private static List<WavefrontRecord> ParseAll(FakeWavefrontProxy proxy)
    {
        Assert.Equal(0, proxy.TruncatedLines);
        var lines = proxy.Lines;
        Assert.NotEmpty(lines);
        return lines.Select(WavefrontLineParser.Parse).ToList();
    }
}
