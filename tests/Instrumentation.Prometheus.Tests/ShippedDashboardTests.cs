using Instrumentation.TestSupport;
using Instrumentation.Tests.Shared;

namespace Instrumentation.Prometheus.Tests;

/// <summary>
/// Every PromQL query of dashboards/prometheus-bigbrother.json, read from the file with its variables filled as Grafana
/// would for the sample (job, instance, every route, a 5m rate window), evaluated by the real Prometheus of
/// <see cref="DashboardFixture"/>: each returns data, and the values are the traffic's.
/// </summary>
[Collection(DashboardFixture.Collection)]
public sealed class ShippedDashboardTests(DashboardFixture fixture)
{
    private static readonly GrafanaDashboard Dashboard = GrafanaDashboard.Load(RepositoryPaths.Combine("dashboards", "prometheus-bigbrother.json"));

    public static TheoryData<string, string> Queries()
    {
        var data = new TheoryData<string, string>();
        foreach (var query in Dashboard.Queries)
        {
            data.Add(query.Panel, query.RefId);
        }

        return data;
    }

    [Fact]
    public void The_dashboard_covers_every_big_brother_family()
    {
        var queries = string.Join('\n', Dashboard.Queries.Select(q => q.Text));

        Assert.Equal(["datasource", "job", "instance", "addr"], Dashboard.Variables);
        foreach (var family in new[] { "request_seconds_count", "request_seconds_bucket", "request_seconds_sum", "requests_inflight", "response_size_bytes_total", "dependency_up", "application_info" })
        {
            Assert.Contains(family + "{", queries, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task Every_query_returns_data(string panel, string refId)
    {
        var result = await Run(panel, refId);

        Assert.NotEmpty(result);
        Assert.All(result, r => Assert.True(double.IsFinite(r.Value) && r.Value >= 0, $"{panel} {refId}: {r.Value}"));
    }

    [Fact]
    public async Task Rates_and_errors_are_per_route_and_status()
    {
        var rates = await Run("Requests per second by route");
        var ratios = await Run("Error ratio by route");
        var errors = await Run("Errors per second by route and status");

        // Seven routes were called, the unmatched requests as one.
        Assert.Equal(
            ["/api/Delivery/Track/{orderId:int}", "/api/Delivery/carrier", "/catalog/files/{**path}", "/catalog/refresh", "/style/{id}/make", "/style/{id}/stock", "/{unmatched}"],
            rates.Select(r => r.Labels["addr"]).Order(StringComparer.Ordinal));
        Assert.All(rates, r => Assert.True(r.Value > 0, r.Labels["addr"]));

        // Routes that only fail fail every time; the stock route failed one request in three.
        Assert.Equal(["/api/Delivery/carrier", "/catalog/refresh", "/style/{id}/stock", "/{unmatched}"], ratios.Select(r => r.Labels["addr"]).Order(StringComparer.Ordinal));
        Assert.All(ratios.Where(r => r.Labels["addr"] != "/style/{id}/stock"), r => Assert.Equal(1, r.Value));
        Assert.Equal(1.0 / 3, ratios.Single(r => r.Labels["addr"] == "/style/{id}/stock").Value, 0.02);
        Assert.Equal(["404", "404", "500", "502"], errors.Select(e => e.Labels["status"]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Latency_in_flight_dependencies_and_version()
    {
        var p99 = await Run("Latency quantiles", "C");
        var mean = await Run("Mean latency by route");
        var inFlight = await Run("Requests in flight");
        var dependencies = await Run("Dependencies up");
        var versions = await Run("Application versions");

        // Local requests finish well inside the default buckets (the highest is 10.5 s).
        Assert.Equal(7, p99.Count);
        Assert.All(p99, q => Assert.InRange(q.Value, 1e-9, 10.5));
        Assert.All(mean, m => Assert.InRange(m.Value, 1e-9, 10.5));

        // Every request has completed (the scrape in flight is not an instrumented endpoint).
        Assert.NotEmpty(inFlight);
        Assert.All(inFlight, i => Assert.Equal(0, i.Value));
        Assert.Equal(("catalog-db", 1.0), (Assert.Single(dependencies).Labels["name"], dependencies[0].Value));
        var info = Assert.Single(versions);
        Assert.Equal(("1.4.2", fixture.Instance), (info.Labels["version"], info.Labels["instance"]));
    }

    private Task<IReadOnlyList<(Dictionary<string, string> Labels, double Value)>> Run(string panel, string refId = "A")
    {
        var values = new Dictionary<string, string>
        {
            ["job"] = DashboardFixture.Job,
            ["instance"] = fixture.Instance,
            ["addr"] = ".*",
            ["__rate_interval"] = "5m",
        };
        return fixture.Query(GrafanaDashboard.Fill(Dashboard.Queries.Single(q => q.Panel == panel && q.RefId == refId).Text, values));
    }
}
