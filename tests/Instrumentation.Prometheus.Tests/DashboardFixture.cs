using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Instrumentation.TestSupport;

namespace Instrumentation.Prometheus.Tests;

/// <summary>
/// The sample with <c>Names=Both</c> on real Kestrel, HTTP/1.1 and h2c, scraped every second by a real Prometheus,
/// after the same mix of requests twice (so every series exists before the second round and rates see it grow). Shared
/// by the tests of the .NET dashboards (OpenTelemetry names) and of the shipped one (Big Brother names).
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const string Job = "shirtshop";

    public const string Collection = "Dashboards over one Prometheus";

    /// <summary>Requests of each round sent over h2c (HTTP/2 without TLS) to the sample's second endpoint.</summary>
    public static readonly (string Method, string Path, int Times)[] H2cTraffic = [("GET", "/catalog/files/h2c/x", 2)];

    private RealPrometheus? server;

    public SampleServer Sample { get; private set; } = null!;

    public HttpClient Prometheus => server!.Client;

    public string Instance => Sample.BaseAddress.Authority;

    /// <summary>Requests per round.</summary>
    public static int Round => PrometheusFixture.Traffic.Sum(t => t.Times) + H2c;

    /// <summary>Requests per round over h2c.</summary>
    public static int H2c => H2cTraffic.Sum(t => t.Times);

    public async Task InitializeAsync()
    {
        Sample = SampleServer.Start(
            new Dictionary<string, string?>
            {
                ["Instrumentation:Prometheus:Names"] = "Both",
                ["Instrumentation:Prometheus:DependencyIntervalSeconds"] = "1",
            },
            h2c: true);
        server = await RealPrometheus.StartAsync(Job, Instance);

        for (var round = 1; round <= 2; round++)
        {
            await Send(Sample.Client, PrometheusFixture.Traffic);
            await Send(Sample.H2cClient!, H2cTraffic);

            var expected = round * Round;
            var seen = "nothing";
            try
            {
                await ExternalProcess.WaitUntil(
                    async () =>
                    {
                        var openTelemetry = await Query("sum(http_server_request_duration_seconds_count)");
                        var bigBrother = await Query("sum(request_seconds_count)");
                        var dependencies = await Query("dependency_up");
                        seen = $"{string.Join(",", openTelemetry.Select(r => r.Value))} OpenTelemetry, {string.Join(",", bigBrother.Select(r => r.Value))} Big Brother, {dependencies.Count} dependencies";
                        return openTelemetry is [{ } a] && a.Value == expected && bigBrother is [{ } b] && b.Value == expected && dependencies.Count > 0;
                    },
                    TimeSpan.FromSeconds(30),
                    "not scraped");
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"Prometheus never scraped round {round} ({expected} requests): it has {seen}; see {server.Directory}/prometheus.log");
            }
        }

        // One more scrape after the last round, so every range below ends on settled values.
        await Task.Delay(TimeSpan.FromSeconds(2));
        At = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0).ToString("F3", CultureInfo.InvariantCulture);
    }

    private static async Task Send(HttpClient client, (string Method, string Path, int Times)[] traffic)
    {
        foreach (var (method, path, times) in traffic)
        {
            for (var i = 0; i < times; i++)
            {
                // A message made here keeps HTTP/1.1 unless told: the client's default version only applies to its own.
                using var request = new HttpRequestMessage(new HttpMethod(method), path)
                {
                    Version = client.DefaultRequestVersion,
                    VersionPolicy = client.DefaultVersionPolicy,
                };
                using var response = await client.SendAsync(request);
                Assert.Equal(client.DefaultRequestVersion, response.Version);
            }
        }
    }

    /// <summary>The instant every test query is evaluated at, so queries compared with each other see one window.</summary>
    public string? At { get; private set; }

    /// <summary>An instant query: each result's labels and value.</summary>
    public async Task<IReadOnlyList<(Dictionary<string, string> Labels, double Value)>> Query(string query) =>
        (await server!.Query(query, At)).Select(r => (r.Labels, double.Parse(r.Value, CultureInfo.InvariantCulture))).ToList();

    public async Task DisposeAsync()
    {
        server?.Dispose();
        await Sample.DisposeAsync();
    }
}

[CollectionDefinition(DashboardFixture.Collection)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>;
