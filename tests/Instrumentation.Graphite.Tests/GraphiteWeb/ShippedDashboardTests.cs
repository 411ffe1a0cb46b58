using System.Net;
using Instrumentation.TestSupport;
using Instrumentation.Tests.Shared;

namespace Instrumentation.Graphite.Tests.GraphiteWeb;

/// <summary>
/// The sample reporting every second to its own carbon-cache, read back through a real graphite-web, after a known
/// mix of requests: every target of dashboards/graphite.json renders data.
/// </summary>
public sealed class GraphiteDashboardFixture : IAsyncLifetime
{
    /// <summary>(method, path, times, status): route parts style.id.make, style.id.stock, api.Delivery.carrier, catalog.refresh.</summary>
    public static readonly (string Method, string Path, int Times, HttpStatusCode Status)[] Traffic =
    [
        ("GET", "/style/1/make", 3, HttpStatusCode.OK),
        ("GET", "/style/7/stock", 2, HttpStatusCode.OK),
        ("GET", "/style/missing/stock", 1, HttpStatusCode.NotFound),
        ("GET", "/api/Delivery/carrier", 2, HttpStatusCode.BadGateway),
        ("POST", "/catalog/refresh", 1, HttpStatusCode.InternalServerError),
    ];

    public static GrafanaDashboard Dashboard { get; } = GrafanaDashboard.Load(RepositoryPaths.Combine("dashboards", "graphite.json"));

    /// <summary>The dashboard's variables as a user would set them for this sample (Prefix it, Source test.host.local, Group shop).</summary>
    public static IReadOnlyDictionary<string, string> Variables { get; } = new Dictionary<string, string>
    {
        ["source"] = "it.test_host_local",
        ["group"] = "shop",
    };

    public CarbonFixture Carbon { get; } = new();

    public GraphiteWebServer Web { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Carbon.InitializeAsync();
        Web = await GraphiteWebServer.Start(Carbon);
        foreach (var (method, path, times, status) in Traffic)
        {
            for (var i = 0; i < times; i++)
            {
                using var response = await Carbon.Server.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
                Assert.Equal(status, response.StatusCode);
            }
        }

        // Every request is in a reported interval once the counts add up; timings and sizes travel in the same report.
        var total = Traffic.Sum(t => t.Times);
        await ExternalProcess.WaitUntil(
            async () => (await Web.Render($"{CarbonFixture.Stem}.**.count")).Sum(s => s.Values.Sum()) == total,
            TimeSpan.FromSeconds(30),
            $"graphite-web never rendered the {total} requests: {Web.Log()}");

        // The other names of those reports reach graphite-web a little later when carbon creates their files at its own
        // pace (it limits file creations per minute): wait until every target of the dashboard has a value.
        var waiting = "";
        await ExternalProcess.WaitUntil(
            async () =>
            {
                foreach (var query in Dashboard.Queries)
                {
                    if (!(await Panel(query.Panel, query.RefId)).Any(series => series.Values.Count > 0))
                    {
                        waiting = $"{query.Panel} ({query.RefId})";
                        return false;
                    }
                }

                return true;
            },
            TimeSpan.FromSeconds(60),
            $"graphite-web never rendered every target (last waiting: {waiting}): {Web.Log()}");
    }

    public async Task<IReadOnlyList<(string Name, IReadOnlyList<double> Values)>> Panel(string title, string refId = "A") =>
        await Web.Render(GrafanaDashboard.Fill(
            Dashboard.Queries.Single(q => q.Panel == title && q.RefId == refId).Text, Variables));

    public async Task DisposeAsync()
    {
        Web?.Dispose();
        await Carbon.DisposeAsync();
    }
}

public sealed class ShippedDashboardTests(GraphiteDashboardFixture fixture) : IClassFixture<GraphiteDashboardFixture>
{
    private const string Host = "test_host_local";

    public static TheoryData<string, string> Targets()
    {
        var data = new TheoryData<string, string>();
        foreach (var query in GraphiteDashboardFixture.Dashboard.Queries)
        {
            data.Add(query.Panel, query.RefId);
        }

        return data;
    }

    [Fact]
    public void The_dashboard_has_a_target_for_each_flask_graphite_metric()
    {
        var targets = GraphiteDashboardFixture.Dashboard.Queries.Select(q => q.Text).ToList();

        Assert.Equal(["datasource", "source", "group"], GraphiteDashboardFixture.Dashboard.Variables);
        foreach (var suffix in new[] { ".count", ".status_code.*", ".status_type.*", ".pt", ".pt.p95", ".pt.p99", ".pt.max", ".size" })
        {
            Assert.Contains(targets, t => t.Contains("**" + suffix + ",", StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Every_target_renders_data(string panel, string refId)
    {
        var series = await fixture.Panel(panel, refId);

        Assert.NotEmpty(series);
        Assert.Contains(series, s => s.Values.Count > 0);
        Assert.All(series.SelectMany(s => s.Values), v => Assert.True(double.IsFinite(v) && v >= 0, $"{panel}: {v}"));
    }

    [Fact]
    public async Task Counts_and_statuses_add_up_to_the_requests_under_route_and_host_names()
    {
        var counts = await fixture.Panel("Requests by route");
        var codes = await fixture.Panel("Requests by status code");
        var classes = await fixture.Panel("Requests by status class");

        Assert.Equal(GraphiteDashboardFixture.Traffic.Sum(t => t.Times), counts.Sum(s => s.Values.Sum()));
        Assert.Equal(3, Sum(counts, $"style.id.make on {Host}"));
        Assert.Equal(3, Sum(counts, $"style.id.stock on {Host}"));
        Assert.Equal(1, Sum(codes, $"style.id.stock 404 on {Host}"));
        Assert.Equal(2, Sum(codes, $"api.Delivery.carrier 502 on {Host}"));
        Assert.Equal(1, Sum(classes, $"catalog.refresh 5XX on {Host}"));
        Assert.Equal(2, Sum(classes, $"style.id.stock 2XX on {Host}"));
    }

    [Fact]
    public async Task The_server_error_share_timings_and_sizes_are_per_route()
    {
        var share = Assert.Single(await fixture.Panel("Server errors (5XX share of all requests)"));
        var timings = await fixture.Panel("Processing time (pt) by route");
        var p99 = await fixture.Panel("Processing time quantiles and maximum", "B");
        var sizes = await fixture.Panel("Response size (size) by route");

        Assert.Equal("5XX share", share.Name);
        Assert.Contains(share.Values, v => v > 0 && v <= 100);
        Assert.Contains(timings, s => s.Name == $"style.id.make on {Host}" && s.Values.Count > 0 && s.Values.All(v => v > 0));
        Assert.Contains(p99, s => s.Name == $"p99 api.Delivery.carrier on {Host}" && s.Values.Count > 0);
        Assert.True(Sum(sizes, $"style.id.make on {Host}") > 0);
    }

    private static double Sum(IReadOnlyList<(string Name, IReadOnlyList<double> Values)> series, string name) =>
        Assert.Single(series, s => s.Name == name).Values.Sum();
}
